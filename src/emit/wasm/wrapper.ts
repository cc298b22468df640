// The TypeScript around the WebAssembly module: the module's bytes (base64),
// its memory and the host functions it imports, and one `$call` that every
// method of the exported objects goes through. `$call` passes a number as it
// is and an array as its address in the module's memory: an array init or
// zeros gave out is a view onto that memory and is passed as it is; any other
// is copied in (and, if the function writes it, back out). A result is a
// number, a new array copied out of the module's heap (the heap is then
// rewound), or, for init and zeros, views onto memory that stay.
//
// The memory is shared (a SharedArrayBuffer) where the platform has one, so
// that growing it leaves earlier views valid; elsewhere the memory import is
// declared unshared (one byte of the module) and grows only when a call
// needs more than it has.

import ts from "typescript";
import type { Func, Param, Precision, Result } from "../../ir/ir.js";
import { namesRead } from "../unused.js";
import type { Assembled } from "./assemble.js";
import { HOST } from "./intrinsics.js";

const f = ts.factory;

/**
 * What $call must know of a function: how each parameter is passed (a
 * number; an array, perhaps written; a group, perhaps written, with each
 * field's key, kind (a number "n", an array "a", or "-" for one the function
 * never reads, which may be absent: forward's targets) and the entries it
 * needs, per example or in all), and what comes back.
 */
interface Signature {
  readonly params: readonly (readonly ["n"] | readonly ["w", number] | readonly ["g" | "gw", readonly string[], readonly ("n" | "a" | "-")[], readonly number[], boolean])[];
  readonly result: readonly [kind: "none" | "n" | "a" | "g" | "views", keys?: readonly string[], numbers?: readonly boolean[]];
}

/** Entries each array needs: by key in a group, by parameter name for a plain array; per example for a batch's fields. */
export interface Sizes {
  readonly ofKey: (key: string) => number;
  readonly ofBuffer: (name: string) => number;
}

const WRITTEN_ROLES = new Set(["gradients", "inputGradients"]);
const PER_EXAMPLE_ROLES = new Set(["batch", "inputs", "inputGradients"]);

function paramSignature(p: Param, sizes: Sizes, read: ReadonlySet<string>): Signature["params"][number] {
  if (p.k === "scalar") return ["n"];
  // A plain buffer argument may be written (the Hessian's rows): copied back, to be safe.
  if (p.k === "buffer") return ["w", sizes.ofBuffer(p.name)];
  const kinds = p.fields.map((x) => (!read.has(x.local) ? "-" : x.kind === "f64" ? "n" : "a"));
  return [WRITTEN_ROLES.has(p.role) ? "gw" : "g", p.fields.map((x) => x.key), kinds, p.fields.map((x) => (x.kind === "f64" ? 0 : sizes.ofKey(x.key))), PER_EXAMPLE_ROLES.has(p.role)];
}

function resultSignature(r: Result, keep: boolean): Signature["result"] {
  if (r.k === "none") return ["none"];
  if (r.k === "scalar") return ["n"];
  if (r.k === "buffer") return ["a"];
  return [keep ? "views" : "g", r.fields.map((x) => x.key), r.fields.map((x) => x.kind === "f64")];
}

export function signatureOf(fn: Func, ownerIsModel: boolean, sizes: Sizes): Signature {
  const keep = ownerIsModel && (fn.name === "init" || fn.name === "zeros");
  const read = namesRead(fn.body);
  return { params: fn.params.map((p) => paramSignature(p, sizes, read)), result: resultSignature(fn.result, keep) };
}

/** A method's body: its arguments handed to $call under the export's name. */
export function delegatedBody(fn: Func, owner: string): ts.Statement[] {
  const call = f.createCallExpression(f.createIdentifier("$call"), undefined, [f.createStringLiteral(`${owner}.${fn.name}`), f.createArrayLiteralExpression(fn.params.map((p) => f.createIdentifier(p.name)))]);
  return [fn.result.k === "none" ? f.createExpressionStatement(call) : f.createReturnStatement(call)];
}

/** Arrays of strings and booleans as prettier prints them. */
const literal = (v: unknown): string => (Array.isArray(v) ? `[${v.map(literal).join(", ")}]` : JSON.stringify(v));

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** When every model is small enough for TypeScript loops and there is no fn, the module has nothing for WebAssembly. */
const NOTHING_TO_RUN = `
// ---- No WebAssembly: every model here is small enough that a call into it would cost more than a step
// (nndc compile --stats says so), and there is no fn.

/** Resolves at once: there is no WebAssembly module to compile. */
export const ready: Promise<void> = Promise.resolve();
`;

/** The loader and $call, as text laid out as prettier lays it out. */
export function prelude(a: Assembled, signatures: ReadonlyMap<string, Signature>, precision: Precision): string {
  if (signatures.size === 0) return NOTHING_TO_RUN;
  const array = precision === "f64" ? "Float64Array" : "Float32Array";
  const sigs = [...signatures].map(([name, s]) => `  ${JSON.stringify(name)}: { params: ${literal(s.params)}, result: ${literal(s.result)} },`).join("\n");
  const host = HOST.filter((h) => h.name !== "toInt32").map((h) => `    ${h.name}: Math.${h.name},`).join("\n");
  return `
// ---- The WebAssembly module (${a.bytes.length} bytes) and its loader.

/** Just what this file uses of the WebAssembly API, so that it type-checks with any lib. */
declare const WebAssembly: {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => { readonly buffer: ArrayBufferLike };
  Module: new (bytes: Uint8Array) => object;
  validate(bytes: Uint8Array): boolean;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { readonly exports: Record<string, unknown> } }>;
};
declare const SharedArrayBuffer: unknown;

type $Signature = {
  params: (["n"] | ["w", number] | ["g" | "gw", string[], ("n" | "a" | "-")[], number[], boolean])[];
  result: ["none"] | ["n"] | ["a"] | ["g" | "views", string[], boolean[]];
};

const $signatures: Record<string, $Signature> = ${sigs === "" ? "{}" : `{\n${sigs}\n}`};

${a.fused === undefined ? `const $bytes = $decode("${base64(a.bytes)}");` : `// Relaxed SIMD's fused multiply-add where the engine has it: an engine without it refuses the whole module.
const $fused = $decode("${base64(a.fused)}");
const $bytes = WebAssembly.validate($fused) ? $fused : $decode("${base64(a.bytes)}");`}

/** Base64 to bytes, with no platform's help. */
function $decode(text: string): Uint8Array {
  const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const clean = text.replace(/=+$/, "");
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let k = 0;
  for (const c of clean) {
    value = (value << 6) | digits.indexOf(c);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[k++] = (value >> bits) & 0xff;
    }
  }
  return out;
}

const $shared = typeof SharedArrayBuffer !== "undefined";
// Without shared memory the module must declare its memory unshared.
if (!$shared) $bytes[${a.sharedFlagAt}] = 0x01;
// Unshared memory cannot grow without detaching the views init and zeros gave out: it starts 16 MiB larger.
const $memory = new WebAssembly.Memory({ initial: ${a.minPages} + ($shared ? 0 : 256), maximum: ${a.maxPages}, shared: $shared });
const $imports = {
  env: { memory: $memory },
  host: {
${host}
    toInt32: (x: number) => x | 0,
  },
};
let $exports: Record<string, unknown> | undefined;
/** Resolves once the module can be called: at once where it compiles synchronously (Node, workers). */
export const ready: Promise<void> = (() => {
  try {
    $exports = new WebAssembly.Instance(new WebAssembly.Module($bytes), $imports).exports;
    return Promise.resolve();
  } catch {
    // A browser's main thread refuses to compile a large module synchronously.
    return WebAssembly.instantiate($bytes, $imports).then((r) => {
      $exports = r.instance.exports;
    });
  }
})();

/** The arrays init and zeros gave out: views onto the module's memory, passed as they are. */
const $views = new WeakSet<object>();
let $viewsOut = false;

function $export(name: string): (...args: number[]) => unknown {
  if ($exports === undefined) throw new Error("the WebAssembly module is still compiling: await ready first");
  return $exports[name] as (...args: number[]) => unknown;
}

/** Where a call copies in an array that is not a view, kept from call to call (one per argument slot): its address, capacity and a view of it. */
type $Staging = { at: number; capacity: number; view: ${array} };
const $staging = new Map<string, $Staging[]>();
/** The memory's buffer, read again whenever it may have grown (reading it is not free). */
let $buffer = $memory.buffer;

/** The address of array x for a call: its own if it is a view onto the module's memory, else a staging area it is copied to. */
function $pass(name: string, slot: number, x: unknown, need: number, what: string, back: [Float64Array | Float32Array, $Staging][] | undefined): number {
  if (!(x instanceof Float64Array || x instanceof Float32Array)) throw new TypeError(\`\${name}: \${what} is not a Float64Array or Float32Array\`);
  if (x.length < need) throw new RangeError(\`\${name}: \${what} has \${x.length} entries, \${need} are needed\`);
  if (x.buffer === $buffer || $views.has(x)) return x.byteOffset;
  // Only the entries the call reads: a batch array may be longer than its n examples.
  const part = need > 0 && x.length > need ? x.subarray(0, need) : x;
  let slots = $staging.get(name);
  if (slots === undefined) $staging.set(name, (slots = []));
  let s = slots[slot];
  if (s === undefined || s.capacity < part.length) {
    const bytes = part.length * ${array}.BYTES_PER_ELEMENT;
    // Unshared memory that grew would cut off the views given out, in the middle of the call that passes them.
    if (!$shared && $viewsOut && ($exports!["heap"] as { value: number }).value + bytes + 64 > $buffer.byteLength) throw new RangeError(\`\${name}: \${what} needs more memory than the module has left, and without shared memory (a page that is not cross-origin isolated) it cannot grow without cutting off the arrays init and zeros gave out: pass fewer examples a call, or serve the page cross-origin isolated\`);
    const at = $export("alloc")(bytes) as number;
    $buffer = $memory.buffer;
    slots[slot] = s = { at, capacity: part.length, view: new ${array}($buffer, at, part.length) };
  }
  // A memory that grew unshared has a new buffer: the view is made again.
  if (s.view.buffer !== $buffer) s.view = new ${array}($buffer, s.at, s.capacity);
  s.view.set(part);
  back?.push([part, s]);
  return s.at;
}

function $call<T>(name: string, args: readonly unknown[]): T {
  const signature = $signatures[name]!;
  const f = $export(name);
  const back: [Float64Array | Float32Array, $Staging][] = [];
  // The number of examples, for the arrays that hold one row per example.
  const n = signature.params.findIndex((p) => p[0] === "n");
  const examples = n < 0 ? 1 : (args[n] as number);
  const values: number[] = [];
  for (let i = 0; i < signature.params.length; i++) {
    const p = signature.params[i]!;
    const arg = args[i];
    if (p[0] === "n") values.push(arg as number);
    else if (p[0] === "w") values.push($pass(name, values.length, arg, p[1], \`argument \${i + 1}\`, back));
    else {
      const group = arg as Record<string, unknown>;
      for (let k = 0; k < p[1].length; k++) {
        const [key, kind] = [p[1][k]!, p[2][k]];
        const need = p[3][k]! * (p[4] ? examples : 1);
        values.push(kind === "n" ? (group[key] as number) : kind === "a" ? $pass(name, values.length, group[key], need, key, p[0] === "gw" ? back : undefined) : 0);
      }
    }
  }
  // What the call itself takes from the heap (its results) is given back after, but for views that stay.
  const heap = $exports!["heap"] as { value: number };
  const mark = heap.value;
  const got = f(...values);
  $buffer = $memory.buffer;
  for (const [x, s] of back) x.set(s.view.subarray(0, x.length));
  const r = signature.result;
  if (r[0] === "n" || r[0] === "none") return got as T;
  const array = (at: number, keep: boolean): ${array} => {
    const length = new Float64Array($buffer, at - 8, 1)[0]! / ${array}.BYTES_PER_ELEMENT;
    const view = new ${array}($buffer, at, length);
    if (!keep) return view.slice();
    $views.add(view);
    $viewsOut = true;
    return view;
  };
  let out: unknown;
  if (r[0] === "a") out = array(got as number, false);
  else {
    const parts = r[1].length === 1 ? [got] : (got as unknown[]);
    out = Object.fromEntries(r[1].map((key, k) => [key, r[2][k] ? parts[k] : array(parts[k] as number, r[0] === "views")]));
  }
  if (r[0] !== "views") heap.value = mark;
  return out as T;
}
`;
}
