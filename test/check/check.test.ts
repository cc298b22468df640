import { describe, expect, it } from "vitest";
import { codes, front } from "../support/front.js";

const shapeOfFn = (text: string, fn: string) => front(text).checked?.fns.get(fn)?.result;

describe("elementwise operators", () => {
  it.each([
    ["a + b", "a: [3], b: [3]", [3]],
    ["a * s", "a: [2, 3], s", [2, 3]],
    ["s - a", "s, a: [4]", [4]],
    ["s / t", "s, t", []],
    ["a ^ 2", "a: [3]", [3]],
    ["2 ^ a", "a: [3]", [3]],
    ["-a", "a: [2, 2]", [2, 2]],
  ])("%s with %s has shape %j", (body, args, shape) => {
    expect(shapeOfFn(`fn t(${args}) = ${body}`, "t")).toEqual(shape);
  });
});

describe("matrix product", () => {
  it.each([
    ["A @ v", [2]],
    ["A @ B", [2, 4]],
    ["v @ v", []],
    ["w @ A", [3]],
    ["w @ A @ B", [4]],
    ["transpose(A) @ w", [3]],
  ])("%s has shape %j", (body, shape) => {
    expect(shapeOfFn(`fn t(A: [2, 3], B: [3, 4], v: [3], w: [2]) = ${body}`, "t")).toEqual(shape);
  });
});

describe("indexing and array literals", () => {
  it.each([
    ["v[0]", []],
    ["A[1]", [3]],
    ["A[1, 2]", []],
    ["A[1][2]", []],
    ["[1, 2, 3]", [3]],
    ["[[1, 2], [3, 4]]", [2, 2]],
    ["[v, v]", [2, 3]],
    ["[s, s * 2]", [2]],
  ])("%s has shape %j", (body, shape) => {
    expect(shapeOfFn(`fn t(A: [2, 3], v: [3], s) = ${body}`, "t")).toEqual(shape);
  });
});

describe("names", () => {
  it("dims are scalar constants in expressions and sizes in shapes", () => {
    expect(shapeOfFn("dim N = 3\nfn t(v: [N]) = v * N", "t")).toEqual([3]);
    const checked = front("dim N = 3\nfn t(v: [N]) = v * N").checked!;
    expect(checked.dims.get("N")).toBe(3);
    expect([...checked.names].map(([ref, s]) => `${ref.name}:${s.kind}`)).toEqual(["v:arg", "N:dim"]);
  });

  it("values and functions are separate namespaces", () => {
    const r = front("model m {\n  input v: [3]\n  mean = mean(v)\n  sum = sum(v) + mean\n  loss = sum\n}");
    expect(r.all).toEqual([]);
  });

  it("JavaScript's own names are ordinary names", () => {
    const text = `dim constructor = 2
fn __proto__(toString: [constructor], valueOf) = sum(toString) * valueOf
fn hasOwnProperty(x) = __proto__([x, x], x)
model this {
  input eval: [constructor]
  target arguments: []
  param delete: [constructor] ~ normal(0, constructor)
  prototype = __proto__(eval, 1) + hasOwnProperty(delete @ eval)
  output prototype
  loss = (prototype - arguments)^2
}`;
    const r = front(text);
    expect(r.all).toEqual([]);
    const model = r.checked!.models.get("this")!;
    expect(model.params.map((p) => p.kind === "param" && p.init)).toEqual([{ scheme: "normal", args: [0, 2] }]);
    expect(r.checked!.fns.get("__proto__")!.result).toEqual([]);
  });

  it("suggests the closest name", () => {
    expect(front("fn f(hidden) = hiden").all[0]!.message).toBe("unknown name 'hiden'; did you mean 'hidden'?");
    expect(front("fn f(x) = Tanh(x)").all[0]!.message).toBe("unknown name 'Tanh'; did you mean 'tanh'?");
    expect(front("fn f(x) = zzz").all[0]!.message).toBe("unknown name 'zzz'");
  });
});

describe("models", () => {
  const xor = `dim H = 4
model xor {
  input x: [2]
  target y: []
  param W1: [H, 2]
  param b1: [H]
  param w2: [H] ~ normal(0, 1 / sqrt(H))
  param b2: []
  h = tanh(W1 @ x + b1)
  yhat = sigmoid(w2 @ h + b2)
  output yhat
  loss = bce(yhat, y)
}`;

  it("collects declarations in order, with shapes and initialisers", () => {
    const r = front(xor);
    expect(r.all).toEqual([]);
    const m = r.checked!.models.get("xor")!;
    const names = (list: typeof m.params) => list.map((s) => (s.kind === "constant" ? s.name : s.decl.name.name));
    expect(names(m.inputs)).toEqual(["x"]);
    expect(names(m.targets)).toEqual(["y"]);
    expect(names(m.params)).toEqual(["W1", "b1", "w2", "b2"]);
    expect(names(m.bindings)).toEqual(["h", "yhat"]);
    expect(names(m.outputs)).toEqual(["yhat"]);
    expect(m.loss?.kind).toBe("loss");
    expect(m.params.map((p) => (p.kind === "param" ? [p.shape, p.init] : undefined))).toEqual([
      [[4, 2], { scheme: "xavier", args: [] }],
      [[4], { scheme: "zeros", args: [] }],
      [[4], { scheme: "normal", args: [0, 0.5] }],
      [[], { scheme: "zeros", args: [] }],
    ]);
  });

  it("records the shape of every expression and what every name is", () => {
    const r = front(xor);
    const m = r.checked!.models.get("xor")!;
    const yhat = m.bindings[1]!;
    expect(yhat.kind === "binding" && yhat.shape).toEqual([]);
    const h = m.bindings[0]!;
    if (h.kind !== "binding") throw new Error("h is a binding");
    expect(r.checked!.shapes.get(h.decl.expr)).toEqual([4]);
    const kinds = [...r.checked!.names.entries()].map(([ref, s]) => `${ref.name}:${s.kind}`);
    expect(kinds).toContain("W1:param");
    expect(kinds).toContain("x:input");
    expect(kinds).toContain("h:binding");
  });

  it("diff with respect to a param or input is allowed in a model", () => {
    expect(codes("model m {\n  input x: [2]\n  param w: [2]\n  g = diff(sum(w * x), w)\n  loss = g @ g\n}")).toEqual([]);
  });

  it("fns are callable from models, with shapes checked", () => {
    const r = front("fn sq(v: [2]) = v @ v\nmodel m {\n  input x: [2]\n  param w: [2]\n  loss = sq(w - x)\n}");
    expect(r.all).toEqual([]);
  });
});
