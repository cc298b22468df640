// A lowered module as one WebAssembly module. Its linear memory, imported
// from the wrapper (shared between threads where the platform allows), holds
// from address 16 the module-level scratch buffers at fixed addresses, then a
// heap: alloc(bytes) takes the next block, zeroed, with its byte length in
// the 8 bytes before it (the wrapper reads results' lengths there). The host
// gives the functions WebAssembly lacks (Math.exp and the others of the
// intrinsic table, ToInt32); every model's and fn's IR functions are exported
// as "<export>.<function>", and so are alloc and the heap's top.

import type { Func, Precision } from "../../ir/ir.js";
import { helpersNeeded } from "../../lower/helpers.js";
import { RANDOM_STATE } from "../../lower/init.js";
import type { Buffer } from "../../lower/kernel.js";
import { EXTERNAL, F64, I32, OP, SECTION, VOID, body, funcType, limits, memarg, module, name, s32, section, u32, vec, type Bytes, type ValType } from "./encode.js";
import { compileFunc, compileHelper, type Compiled, type Scope } from "./function.js";
import { HOST } from "./intrinsics.js";


export interface Exported {
  /** The export's name in the wasm module: "<owner>.<function>". */
  readonly name: string;
  readonly func: Func;
}

export interface Assembled {
  readonly bytes: Uint8Array;
  /** The same module with relaxed SIMD's fused multiply-add in its kernels, when it has kernels and was asked for. */
  readonly fused?: Uint8Array;
  /** The offset of the memory import's limits flag (0x03 shared, 0x01 not), for a host without shared memory. */
  readonly sharedFlagAt: number;
  /** Pages the module needs at least: its buffers and a first heap. */
  readonly minPages: number;
  readonly maxPages: number;
  readonly exports: readonly Exported[];
}

const PAGE = 65536;
const MAX_PAGES = 16384; // 1 GiB
const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** alloc(bytes): a zeroed block of the heap, its length in the 8 bytes before it; grows memory as needed (traps when it cannot). */
function allocFunction(heap: number): Compiled {
  const [bytes, ptr, end] = [0, 1, 2];
  const memoryBytes: Bytes = [OP["memory.size"], 0, OP["i32.const"], 16, OP["i32.shl"]];
  const code: Bytes = [
    // ptr = heap + 8; end = (ptr + bytes + 15) & −16
    OP["global.get"], ...u32(heap), OP["i32.const"], 8, OP["i32.add"], OP["local.set"], ptr,
    OP["local.get"], ptr, OP["local.get"], bytes, OP["i32.add"], OP["i32.const"], 15, OP["i32.add"], OP["i32.const"], ...s32(-16), OP["i32.and"], OP["local.set"], end,
    // if memory is smaller than end: grow by the pages missing, or trap
    ...memoryBytes, OP["local.get"], end, OP["i32.lt_u"], OP.if, VOID,
    OP["local.get"], end, ...memoryBytes, OP["i32.sub"], OP["i32.const"], ...s32(PAGE - 1), OP["i32.add"], OP["i32.const"], 16, OP["i32.shr_u"],
    OP["memory.grow"], 0, OP["i32.const"], ...s32(-1), OP["i32.eq"], OP.if, VOID, OP.unreachable, OP.end,
    OP.end,
    OP["local.get"], end, OP["global.set"], ...u32(heap),
    // memory.fill(ptr, 0, bytes); then the length at ptr − 8
    OP["local.get"], ptr, OP["i32.const"], 0, OP["local.get"], bytes, ...OP["memory.fill"],
    OP["local.get"], ptr, OP["i32.const"], 8, OP["i32.sub"], OP["local.get"], bytes, OP["f64.convert_i32_u"], OP["f64.store"], ...memarg(3, 0),
    OP["local.get"], ptr,
  ];
  return { params: [I32], results: [I32], locals: [I32, I32], code };
}

export function assemble(exported: readonly Exported[], buffers: readonly Buffer[], helpersUsed: ReadonlySet<string>, precision: Precision, simd: "plain" | "none" = "plain", relaxed = true): Assembled {
  const elementBytes = precision === "f64" ? 8 : 4;
  // Buffers from address 16 (0 stays unused), 16-byte aligned for v128 loads.
  const addresses = new Map<string, number>();
  let top = 16;
  for (const b of buffers) {
    if (addresses.has(b.name)) continue;
    addresses.set(b.name, top);
    top = align16(top + b.size * elementBytes);
  }
  const helpersList = helpersNeeded([], helpersUsed);
  const hostCount = HOST.length;
  const functions = new Map<string, number>();
  helpersList.forEach((h, i) => functions.set(h.name, hostCount + i));
  const allocIndex = hostCount + helpersList.length;
  const globals = new Map([[RANDOM_STATE.name, { index: 0, type: "i32" as const }], ["heap", { index: 1, type: "i32" as const }]]);
  const scope: Scope = { precision, buffers: addresses, globals, functions, imported: new Map(HOST.map((h, i) => [h.name, i])), alloc: allocIndex, simd };
  const compile = (scope: Scope): Compiled[] => [...helpersList.map((h) => compileHelper(h, scope)), allocFunction(1), ...exported.map((e) => compileFunc(e.func, scope))];
  const compiled = compile(scope);
  const fusedCode = simd === "plain" && relaxed ? compile({ ...scope, simd: "fused" }) : undefined;

  // Types: one per distinct signature.
  const types: Bytes[] = [];
  const typeIndex = (params: readonly ValType[], results: readonly ValType[]) => {
    const t = funcType(params, results);
    const key = t.join(",");
    const known = types.findIndex((x) => x.join(",") === key);
    return known >= 0 ? known : types.push(t) - 1;
  };
  const hostTypes = HOST.map((h) => typeIndex(Array<ValType>(h.arity).fill(F64), [h.name === "toInt32" ? I32 : F64]));
  const funcTypes = compiled.map((c) => typeIndex(c.params, c.results));

  const minPages = Math.max(1, Math.ceil((top + PAGE) / PAGE));
  const memoryImport = [...name("env"), ...name("memory"), EXTERNAL.memory];
  const imports: Bytes[] = [
    ...HOST.map((h, i) => [...name("host"), ...name(h.name), EXTERNAL.func, ...u32(hostTypes[i]!)]),
    [...memoryImport, ...limits(minPages, MAX_PAGES, true)],
  ];
  const globalSection = vec([
    [I32, 0x01, OP["i32.const"], ...s32(RANDOM_STATE.init), OP.end],
    [I32, 0x01, OP["i32.const"], ...s32(top), OP.end],
  ]);
  const exports: Bytes[] = [
    ...exported.map((e, i) => [...name(e.name), EXTERNAL.func, ...u32(allocIndex + 1 + i)]),
    [...name("alloc"), EXTERNAL.func, ...u32(allocIndex)],
    [...name("heap"), EXTERNAL.global, 1],
  ];
  const sections = (code: readonly Compiled[]) => [
    section(SECTION.type, vec(types)),
    section(SECTION.import, vec(imports)),
    section(SECTION.function, vec(funcTypes.map((t) => u32(t)))),
    section(SECTION.global, globalSection),
    section(SECTION.export, vec(exports)),
    section(SECTION.code, vec(code.map((c) => body(c.locals, c.code)))),
  ];
  const bytes = module(sections(compiled));
  const fused = fusedCode === undefined ? undefined : module(sections(fusedCode));
  // The memory import's limits flag: just after its name and kind, in the import section (the same place in both variants).
  const sharedFlagAt = findFlag(bytes, memoryImport);
  const assembled = { bytes, sharedFlagAt, minPages, maxPages: MAX_PAGES, exports: exported };
  // A module with no kernel is the same either way.
  return fused === undefined || sameBytes(fused, bytes) ? assembled : { ...assembled, fused };
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

function findFlag(bytes: Uint8Array, prefix: Bytes): number {
  outer: for (let i = 0; i + prefix.length < bytes.length; i++) {
    for (let k = 0; k < prefix.length; k++) if (bytes[i + k] !== prefix[k]) continue outer;
    return i + prefix.length;
  }
  throw new Error("internal: wasm: no memory import");
}
