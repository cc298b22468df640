// The WebAssembly target where it is meant to run: in a browser's main
// thread. examples/xor.nnd, compiled with every model in WebAssembly, is
// served to headless Chromium (Debian's; nothing is downloaded) as a plain
// ES module; a page imports it, awaits `ready` and trains XOR with the
// module's own API and a hand-written SGD on the views init and zeros give.
// Twice: cross-origin isolated (SharedArrayBuffer exists, the memory is
// shared) and not (the memory is an ordinary ArrayBuffer). The page must log
// no error. Then examples/digits.nnd, whose products run as SIMD kernels
// (relaxed SIMD's fused ones, which Chromium has), against the TypeScript
// target's numbers. Skipped, saying how to enable it, when there is no Chromium.

import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type BrowserServer } from "playwright-core";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../src/index.js";
import { loadGenerated, type GeneratedModel } from "../../src/pipeline/load.js";
import { withinScale } from "../support/values.js";

const CHROMIUM = "/usr/bin/chromium";
const NO_CHROMIUM = `skipped: no Chromium at ${CHROMIUM}; apt-get install chromium`;
const hasChromium = existsSync(CHROMIUM);

// --headless as playwright passes it; the rest keep Chromium from calling
// home (updates, sync, QUIC), which a closed network refuses noisily.
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
/** Every wait on the browser is bounded: a hung Chromium fails the test instead of stalling the run. */
const TIMEOUT = 30_000;
const STILL_COMPILING = "the WebAssembly module is still compiling: await ready first";

/** What the page reports (window.result). */
type PageResult =
  | { error: string }
  | {
      crossOriginIsolated: boolean;
      /** The constructor of the buffer under init's views: SharedArrayBuffer or ArrayBuffer. */
      memory: string;
      /** Whether params and grads are views onto one memory. */
      sameMemory: boolean;
      /** "callable", or the error a call before `await ready` gave. */
      beforeReady: string;
      firstLoss: number;
      loss: number;
      steps: number;
      correct: number;
      yhat: number[];
      /** "callable", or the error a call with a batch larger than the spare memory gave; and W1's length after it. */
      bigBatch: string;
      viewsAfter: number;
      /** digits in WebAssembly: whether the relaxed-SIMD variant validates here, and its loss and W1's gradient. */
      kernels: { fused: boolean; loss: number; W1: number[] };
      /** The same, for a copy of the module made to compile in the background. */
      background: { beforeReady: string; afterReady: number };
    };

/** examples/xor.nnd for the WebAssembly target, XOR itself in WebAssembly, as JavaScript a page can import. */
async function xorModule(): Promise<string> {
  const source = readFileSync(new URL("../../examples/xor.nnd", import.meta.url), "utf8");
  const { code, diagnostics } = await compile(source, { filename: "xor.nnd", target: "wasm", wasmAlways: true });
  expect(diagnostics.map((d) => d.rendered)).toEqual([]);
  // The embedded module, and XOR's training step calling into it (not TypeScript loops).
  expect(code).toContain("new WebAssembly.Instance");
  expect(code).toContain(`$call("xor.lossAndGrad"`);
  return ts.transpileModule(code!, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 } }).outputText;
}

/** examples/digits.nnd, large enough for SIMD kernels: its WebAssembly module as JavaScript, the relaxed-SIMD variant's bytes, and the TypeScript target's loss and gradient on the page's batch. */
async function digitsModule(): Promise<{ module: string; fused: Uint8Array; loss: number; W1: number[] }> {
  const source = readFileSync(new URL("../../examples/digits.nnd", import.meta.url), "utf8");
  const wasm = (await compile(source, { filename: "digits.nnd", target: "wasm" })).code!;
  const fused = /\$fused = \$decode\("([A-Za-z0-9+/=]+)"\)/.exec(wasm);
  expect(fused, "a module with kernels embeds its relaxed-SIMD variant").not.toBeNull();
  const digits = (await loadGenerated((await compile(source, { filename: "digits.nnd" })).code!))["digits"] as GeneratedModel;
  const { x, y } = digitsBatch();
  const grads = digits.zeros();
  const loss = digits.lossAndGrad(digits.init(7), { x, y }, DIGITS_N, grads);
  const module = ts.transpileModule(wasm, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 } }).outputText;
  return { module, fused: Uint8Array.from(Buffer.from(fused![1]!, "base64")), loss, W1: Array.from(grads["W1"]!) };
}

// The batch, the same in Node and in the page (its text is the page's code too).
const DIGITS_N = 70;
const DIGITS_BATCH = `({ x: Float64Array.from({ length: ${DIGITS_N} * 64 }, (_, i) => Math.abs(Math.sin(i * 1.37)) * 16), y: Float64Array.from({ length: ${DIGITS_N} * 10 }, (_, i) => (i % 10 === Math.floor(i / 10) % 10 ? 1 : 0)) })`;
const digitsBatch = new Function(`return ${DIGITS_BATCH};`) as () => { x: Float64Array; y: Float64Array };

// Plain JavaScript, run by the page as it is (not transformed by the test's
// toolchain). Every failure is caught and reported, so the test never waits
// out the timeout for a result that will not come.
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>nndc: XOR in WebAssembly</title>
<script type="module">
const SEED = 42, LR = 0.5, MAX_STEPS = 5000;
const x = Float64Array.of(0, 0, 0, 1, 1, 0, 1, 1);
const y = Float64Array.of(0, 1, 1, 0);

const attempt = (f) => { try { f(); return "callable"; } catch (e) { return e.message; } };

async function train() {
  const { xor, ready } = await import("./xor.js");
  const beforeReady = attempt(() => xor.zeros());
  await ready;
  const params = xor.init(SEED), grads = xor.zeros();
  const predict = () => Array.from(xor.forward(params, { x }, 4).yhat);
  const correct = () => predict().filter((p, k) => (p >= 0.5 ? 1 : 0) === y[k]).length;
  let firstLoss = NaN, loss = NaN, steps = 0;
  for (; steps < MAX_STEPS; steps++) {
    loss = xor.lossAndGrad(params, { x, y }, 4, grads);
    if (steps === 0) firstLoss = loss;
    if (steps % 50 === 0 && correct() === 4) break;
    // In place on the views: the module's own parameters.
    for (const name of Object.keys(params)) {
      const p = params[name], g = grads[name];
      for (let i = 0; i < p.length; i++) p[i] -= LR * g[i];
    }
  }
  const memory = params.W1.buffer;
  const trained = { crossOriginIsolated, memory: memory.constructor.name, sameMemory: memory === grads.W1.buffer,
    beforeReady, firstLoss, loss, steps, correct: correct(), yhat: predict() };
  // A batch larger than the memory's 16 MiB of spare room: shared memory grows; unshared memory cannot without cutting off the views.
  const n = 1_500_000;
  const big = { x: new Float64Array(2 * n), y: new Float64Array(n) };
  const bigBatch = attempt(() => xor.lossAndGrad(params, big, n, grads));
  return { ...trained, bigBatch, viewsAfter: params.W1.length, background: await background() };
}

// The path of a module too large to compile on the main thread (Chromium's
// limit is 8 MB, far above this one): a fresh copy of the module, with
// synchronous compilation refused as Chromium refuses it and the background
// compilation held until the early call has been tried.
async function background() {
  const { Module, instantiate } = WebAssembly;
  let release;
  const held = new Promise((resolve) => (release = resolve));
  WebAssembly.Module = function () { throw new RangeError("WebAssembly.Compile is disallowed on the main thread"); };
  WebAssembly.instantiate = (...args) => held.then(() => instantiate.apply(WebAssembly, args));
  let copy;
  try { copy = await import("./xor.js?background"); } finally { Object.assign(WebAssembly, { Module, instantiate }); }
  const beforeReady = attempt(() => copy.xor.zeros());
  release();
  await copy.ready;
  return { beforeReady, afterReady: copy.xor.forward(copy.xor.init(SEED), { x }, 4).yhat.length };
}

// The SIMD kernels, with relaxed SIMD where this browser validates it.
async function kernels() {
  const { digits, ready } = await import("./digits.js");
  await ready;
  const fused = WebAssembly.validate(new Uint8Array(await (await fetch("./fused.wasm")).arrayBuffer()));
  const grads = digits.zeros();
  const loss = digits.lossAndGrad(digits.init(7), ${DIGITS_BATCH}, ${DIGITS_N}, grads);
  return { fused, loss, W1: Array.from(grads.W1) };
}

try { window.result = { ...(await train()), kernels: await kernels() }; } catch (e) { window.result = { error: String(e?.stack ?? e) }; }
</script>
`;

const ISOLATION = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

/** Serves the page and the module on 127.0.0.1 under /isolated/ (with the cross-origin isolation headers) and /plain/ (without). */
async function serve(xor: string, digits: string, fused: Uint8Array): Promise<{ server: Server; origin: string }> {
  const files: Record<string, [string, string | Uint8Array]> = { "index.html": ["text/html", PAGE], "xor.js": ["text/javascript", xor], "digits.js": ["text/javascript", digits], "fused.wasm": ["application/wasm", fused] };
  const server = createServer((request, response) => {
    const [, mode, name] = new URL(request.url ?? "/", "http://127.0.0.1").pathname.split("/");
    // Chromium may ask for one; a 404 would log an error in the page.
    if (mode === "favicon.ico") return void response.writeHead(204).end();
    const file = files[name ?? ""];
    if ((mode !== "isolated" && mode !== "plain") || file === undefined) return void response.writeHead(404).end();
    const headers = { "Content-Type": typeof file[1] === "string" ? `${file[0]}; charset=utf-8` : file[0], "Cache-Control": "no-store", ...(mode === "isolated" ? ISOLATION : {}) };
    response.writeHead(200, headers).end(file[1]);
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Whichever comes first: the promise, or a rejection after ms. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe.skipIf(!hasChromium)(`the WebAssembly target in headless Chromium${hasChromium ? "" : ` (${NO_CHROMIUM})`}`, () => {
  let http: Server | undefined;
  let origin = "";
  // Launched as a server so that it can be killed if closing it hangs.
  let chromiumServer: BrowserServer | undefined;
  let browser: Browser | undefined;
  /** The TypeScript target's digits loss and gradient, for the page's kernels to agree with. */
  let expected: { loss: number; W1: number[] } = { loss: NaN, W1: [] };

  beforeAll(async () => {
    const digits = await digitsModule();
    expected = digits;
    ({ server: http, origin } = await serve(await xorModule(), digits.module, digits.fused));
    // playwright gives it a fresh profile (--user-data-dir) and deletes it after.
    chromiumServer = await chromium.launchServer({ executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: TIMEOUT });
    browser = await chromium.connect(chromiumServer.wsEndpoint(), { timeout: TIMEOUT });
  }, 2 * TIMEOUT);

  afterAll(async () => {
    await within(browser?.close() ?? Promise.resolve(), 5_000, "closing the browser").catch(() => undefined);
    await within(chromiumServer?.close() ?? Promise.resolve(), 5_000, "closing Chromium").catch(() => chromiumServer?.kill());
    http?.closeAllConnections();
    await new Promise((resolve) => (http === undefined ? resolve(undefined) : http.close(resolve)));
  }, TIMEOUT);

  /** Opens the page in a fresh context; its result and everything it logged. */
  async function run(mode: "isolated" | "plain"): Promise<{ result: PageResult; logged: string[]; errors: string[] }> {
    const page = await browser!.newPage();
    const logged: string[] = [];
    const errors: string[] = [];
    page.on("console", (m) => void (m.type() === "error" ? errors : logged).push(`console.${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => void errors.push(`pageerror: ${e.message}`));
    try {
      await page.goto(`${origin}/${mode}/index.html`, { timeout: TIMEOUT });
      await page.waitForFunction("window.result !== undefined", undefined, { timeout: TIMEOUT });
      return { result: (await page.evaluate("window.result")) as PageResult, logged, errors };
    } finally {
      await page.context().close();
    }
  }

  it.each([
    { mode: "isolated", isolated: true, memory: "SharedArrayBuffer" },
    { mode: "plain", isolated: false, memory: "ArrayBuffer" },
  ] as const)("a $mode page awaits ready, trains XOR to 4/4 on $memory memory, and runs digits' relaxed-SIMD kernels within 1e-12", async ({ mode, isolated, memory }) => {
    const { result, logged, errors } = await run(mode);
    if ("error" in result) expect.fail(`the page failed:\n${result.error}\n${[...errors, ...logged].join("\n")}`);
    expect(errors, logged.join("\n")).toEqual([]);
    expect(result.crossOriginIsolated).toBe(isolated);
    expect(result.memory).toBe(memory);
    expect(result.sameMemory).toBe(true);
    // This module is small enough to compile at once; either way, the documented answer.
    expect(["callable", STILL_COMPILING]).toContain(result.beforeReady);
    expect(result.background).toEqual({ beforeReady: STILL_COMPILING, afterReady: 4 });
    expect(result.correct, `after ${result.steps} steps: ${result.yhat.join(", ")}`).toBe(4);
    expect(result.loss).toBeLessThan(result.firstLoss / 2);
    // Too large a batch: shared memory grows under the views; unshared memory refuses it, saying why, and the views stay.
    if (isolated) expect(result.bigBatch).toBe("callable");
    else expect(result.bigBatch).toMatch(/^xor\.lossAndGrad: x needs more memory than the module has left, and without shared memory .* serve the page cross-origin isolated$/);
    expect(result.viewsAfter).toBe(8);
    // Chromium has relaxed SIMD: the fused kernels run, within 1e-12 of the TypeScript target.
    expect(result.kernels.fused).toBe(true);
    expect(Math.abs(result.kernels.loss - expected.loss)).toBeLessThanOrEqual(1e-12 * Math.abs(expected.loss));
    const { ok, worst, scale } = withinScale(result.kernels.W1, expected.W1, 1e-12);
    expect(ok, `W1's gradient: largest difference ${worst}, against its largest entry ${scale}`).toBe(true);
  }, 2 * TIMEOUT);
});
