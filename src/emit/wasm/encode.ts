// The WebAssembly binary format, as much of it as the target writes: LEB128
// numbers, value and function types, the sections of a module, and the
// opcodes its function bodies use (WebAssembly 2.0, with SIMD's v128 where
// the kernels need it). Each encoder returns bytes; a module is a list of
// sections put together by `module`. A small encoder of our own rather than a
// library: the target writes a few dozen opcodes, and every byte is here to
// read.

export type Bytes = number[];

export const I32 = 0x7f;
export const F64 = 0x7c;
export const F32 = 0x7d;
/** SIMD's 128-bit vector: two f64 or four f32 lanes. */
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F64 | typeof F32 | typeof V128;

/** An unsigned LEB128 number. */
export function u32(n: number): Bytes {
  const out: Bytes = [];
  let v = n >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** A signed LEB128 number (an i32 constant). */
export function s32(n: number): Bytes {
  const out: Bytes = [];
  let v = n | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** An f64 constant's eight bytes, little-endian. */
export function f64(x: number): Bytes {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x, true);
  return Array.from(new Uint8Array(view.buffer));
}

export function name(text: string): Bytes {
  const utf8 = Array.from(new TextEncoder().encode(text));
  return [...u32(utf8.length), ...utf8];
}

export function vec(items: readonly Bytes[]): Bytes {
  return [...u32(items.length), ...items.flat()];
}

export function funcType(params: readonly ValType[], results: readonly ValType[]): Bytes {
  return [0x60, ...vec(params.map((p) => [p])), ...vec(results.map((r) => [r]))];
}

/** Memory limits: a minimum and a maximum of 64 KiB pages, shared between threads or not. */
export function limits(min: number, max: number, shared: boolean): Bytes {
  return [shared ? 0x03 : 0x01, ...u32(min), ...u32(max)];
}

export function section(id: number, content: Bytes): Bytes {
  return [id, ...u32(content.length), ...content];
}

export const SECTION = { type: 1, import: 2, function: 3, memory: 5, global: 6, export: 7, code: 10 } as const;
export const EXTERNAL = { func: 0x00, memory: 0x02, global: 0x03 } as const;

/** The magic number and version, then the sections in order. */
export function module(sections: readonly Bytes[]): Uint8Array {
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...sections.flat()]);
}

/** A function body: its locals, run-length by type, then its code and `end`. */
export function body(locals: readonly ValType[], code: Bytes): Bytes {
  const runs: Bytes[] = [];
  for (let i = 0; i < locals.length; ) {
    let j = i;
    while (j < locals.length && locals[j] === locals[i]) j++;
    runs.push([...u32(j - i), locals[i]!]);
    i = j;
  }
  const content = [...vec(runs), ...code, OP.end];
  return [...u32(content.length), ...content];
}

/** A memory access's alignment (log₂ bytes) and constant offset. */
export const memarg = (align: number, offset: number): Bytes => [...u32(align), ...u32(offset)];

/** The opcodes the target uses, by the names the specification gives them. */
export const OP = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  return: 0x0f,
  call: 0x10,
  drop: 0x1a,
  select: 0x1b,
  "local.get": 0x20,
  "local.set": 0x21,
  "local.tee": 0x22,
  "global.get": 0x23,
  "global.set": 0x24,
  "f32.load": 0x2a,
  "f64.load": 0x2b,
  "f32.store": 0x38,
  "f64.store": 0x39,
  "memory.size": 0x3f,
  "memory.grow": 0x40,
  "i32.const": 0x41,
  "f64.const": 0x44,
  "i32.eqz": 0x45,
  "i32.eq": 0x46,
  "i32.ne": 0x47,
  "i32.lt_s": 0x48,
  "i32.gt_s": 0x4a,
  "i32.lt_u": 0x49,
  "i32.ge_s": 0x4e,
  "f64.eq": 0x61,
  "f64.ne": 0x62,
  "f64.lt": 0x63,
  "f64.gt": 0x64,
  "f64.ge": 0x66,
  "i32.add": 0x6a,
  "i32.sub": 0x6b,
  "i32.mul": 0x6c,
  "i32.div_s": 0x6d,
  "i32.rem_s": 0x6f,
  "i32.and": 0x71,
  "i32.or": 0x72,
  "i32.xor": 0x73,
  "i32.shl": 0x74,
  "i32.shr_u": 0x76,
  "f64.abs": 0x99,
  "f64.neg": 0x9a,
  "f64.sqrt": 0x9f,
  "f64.add": 0xa0,
  "f64.sub": 0xa1,
  "f64.mul": 0xa2,
  "f64.div": 0xa3,
  "f64.min": 0xa4,
  "f64.max": 0xa5,
  "f32.demote_f64": 0xb6,
  "f64.convert_i32_s": 0xb7,
  "f64.convert_i32_u": 0xb8,
  "f64.promote_f32": 0xbb,
  /** Bulk memory: fill(address, byte, length), memory 0. */
  "memory.fill": [0xfc, 0x0b, 0x00],
} as const;

/** SIMD's opcodes (prefix 0xfd, then the number as LEB128); a load or store takes a memarg, an extract a lane byte. */
export const SIMD = {
  "v128.load": simd(0x00),
  "v128.load32_splat": simd(0x09),
  "v128.load64_splat": simd(0x0a),
  "v128.store": simd(0x0b),
  "v128.const": simd(0x0c),
  "f32x4.extract_lane": simd(0x1f),
  "f64x2.extract_lane": simd(0x21),
  "f32x4.add": simd(0xe4),
  "f32x4.mul": simd(0xe6),
  "f64x2.add": simd(0xf0),
  "f64x2.mul": simd(0xf2),
  /** Relaxed SIMD: a·b + c, fused or not as the machine does it. */
  "f32x4.relaxed_madd": simd(0x105),
  "f64x2.relaxed_madd": simd(0x107),
} as const;

function simd(op: number): Bytes {
  return [0xfd, ...u32(op)];
}

/** A block type: no value, or one of a value type. */
export const VOID = 0x40;
