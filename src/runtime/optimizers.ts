// Optimizers behind one small interface. Each keeps its state in arrays made
// once from the parameter shapes and updates the parameters in place, one
// fused loop per parameter, with no allocation per step. The formulas are
// PyTorch's, so a run can be compared with torch.optim step by step.
//
// The runtime imports nothing from the compiler: it works with any module
// that has the shape of a generated one.

export type Tensor = Float64Array | Float32Array;
export type Params = Record<string, Tensor>;
export type Shapes = Readonly<Record<string, readonly number[]>>;

export interface OptimizerState {
  readonly name: string;
  /** Steps taken so far. */
  readonly step: number;
  /** Per slot (e.g. "m", "v"), per parameter, the values. */
  readonly slots: Record<string, Record<string, number[]>>;
}

export interface Optimizer {
  readonly name: string;
  /** The base learning rate; a schedule scales it per step. */
  readonly lr: number;
  /** One update of `params` from `grads`, in place, at learning rate `lr`. */
  step(params: Params, grads: Params, lr?: number): void;
  /** Everything needed to resume exactly where training stopped. */
  state(): OptimizerState;
  restore(state: OptimizerState): void;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * State arrays, one per slot and parameter, and their (de)serialisation.
 * Parameters are visited by index, in the order of `shapes`, so a step looks
 * nothing up by name and allocates nothing: for a small network the
 * optimizer's bookkeeping would otherwise cost more than its arithmetic.
 */
abstract class Base implements Optimizer {
  protected t = 0;
  private readonly names: readonly string[];
  /** Per slot, per parameter index, the values. */
  protected readonly slots: Record<string, Float64Array[]> = {};

  constructor(
    readonly name: string,
    readonly lr: number,
    shapes: Shapes,
    slotNames: readonly string[],
  ) {
    this.names = Object.keys(shapes);
    for (const slot of slotNames) this.slots[slot] = this.names.map((n) => new Float64Array(size(shapes[n]!)));
  }

  step(params: Params, grads: Params, lr = this.lr): void {
    this.t++;
    this.prepare();
    for (let i = 0; i < this.names.length; i++) this.update(i, params[this.names[i]!]!, grads[this.names[i]!]!, lr);
  }

  /** Once per step, before the updates: constants shared by every entry. */
  protected prepare(): void {}

  protected abstract update(index: number, p: Tensor, g: Tensor, lr: number): void;

  state(): OptimizerState {
    const slots: OptimizerState["slots"] = {};
    for (const [slot, arrays] of Object.entries(this.slots)) slots[slot] = Object.fromEntries(arrays.map((a, i) => [this.names[i]!, Array.from(a)]));
    return { name: this.name, step: this.t, slots };
  }

  restore(state: OptimizerState): void {
    if (state.name !== this.name) throw new Error(`the saved optimizer state is ${state.name}'s, not ${this.name}'s`);
    this.t = state.step;
    for (const [slot, arrays] of Object.entries(this.slots)) {
      arrays.forEach((a, i) => {
        const name = this.names[i]!;
        const saved = state.slots[slot]?.[name];
        if (saved === undefined || saved.length !== a.length) throw new Error(`the saved optimizer state has no ${slot} of the right size for '${name}'`);
        a.set(saved);
      });
    }
  }
}

export interface SgdOptions {
  readonly lr: number;
  readonly momentum?: number;
  readonly nesterov?: boolean;
  /** L2 penalty added to the gradient (PyTorch's weight_decay). */
  readonly weightDecay?: number;
}

// One class per optimizer, defined once: every optimizer of a kind shares its
// code and its object layout, so making many (as a benchmark, a sweep or a
// restart does) keeps each step's property reads and calls monomorphic.

class Sgd extends Base {
  private readonly momentum: number;
  private readonly decay: number;
  private readonly nesterov: boolean;

  constructor(shapes: Shapes, o: SgdOptions) {
    const momentum = o.momentum ?? 0;
    const nesterov = o.nesterov ?? false;
    if (nesterov && momentum <= 0) throw new Error("Nesterov momentum needs a momentum above 0");
    super(nesterov ? "nesterov" : momentum !== 0 ? "momentum" : "sgd", o.lr, shapes, ["momentum"]);
    this.momentum = momentum;
    this.decay = o.weightDecay ?? 0;
    this.nesterov = nesterov;
  }

  protected update(index: number, p: Tensor, g: Tensor, lr: number): void {
    const { momentum, decay, nesterov } = this;
    if (momentum === 0 && decay === 0) {
      // Plain SGD, the common case for small models, without the per-entry tests.
      for (let i = 0; i < p.length; i++) p[i]! -= lr * g[i]!;
      return;
    }
    const b = this.slots["momentum"]![index]!;
    const first = this.t === 1;
    for (let i = 0; i < p.length; i++) {
      let d = g[i]! + decay * p[i]!;
      if (momentum !== 0) {
        const buf = first ? d : momentum * b[i]! + d;
        b[i] = buf;
        d = nesterov ? d + momentum * buf : buf;
      }
      p[i]! -= lr * d;
    }
  }
}

/** Stochastic gradient descent, with momentum (heavy ball or Nesterov) and weight decay. */
export const sgd = (shapes: Shapes, o: SgdOptions): Optimizer => new Sgd(shapes, o);

export interface AdagradOptions {
  readonly lr: number;
  readonly eps?: number;
  readonly weightDecay?: number;
}

class Adagrad extends Base {
  private readonly eps: number;
  private readonly decay: number;

  constructor(shapes: Shapes, o: AdagradOptions) {
    super("adagrad", o.lr, shapes, ["sum"]);
    this.eps = o.eps ?? 1e-10;
    this.decay = o.weightDecay ?? 0;
  }

  protected update(index: number, p: Tensor, g: Tensor, lr: number): void {
    const { eps, decay } = this;
    const sum = this.slots["sum"]![index]!;
    for (let i = 0; i < p.length; i++) {
      const d = g[i]! + decay * p[i]!;
      sum[i]! += d * d;
      p[i]! -= (lr * d) / (Math.sqrt(sum[i]!) + eps);
    }
  }
}

/** AdaGrad: each entry's step shrinks with the sum of its squared gradients. */
export const adagrad = (shapes: Shapes, o: AdagradOptions): Optimizer => new Adagrad(shapes, o);

export interface RmspropOptions {
  readonly lr: number;
  readonly alpha?: number;
  readonly eps?: number;
  readonly weightDecay?: number;
}

class Rmsprop extends Base {
  private readonly alpha: number;
  private readonly eps: number;
  private readonly decay: number;

  constructor(shapes: Shapes, o: RmspropOptions) {
    super("rmsprop", o.lr, shapes, ["square"]);
    this.alpha = o.alpha ?? 0.99;
    this.eps = o.eps ?? 1e-8;
    this.decay = o.weightDecay ?? 0;
  }

  protected update(index: number, p: Tensor, g: Tensor, lr: number): void {
    const { alpha, eps, decay } = this;
    const v = this.slots["square"]![index]!;
    for (let i = 0; i < p.length; i++) {
      const d = g[i]! + decay * p[i]!;
      v[i] = alpha * v[i]! + (1 - alpha) * d * d;
      p[i]! -= (lr * d) / (Math.sqrt(v[i]!) + eps);
    }
  }
}

/** RMSprop: steps scaled by a running mean of squared gradients. */
export const rmsprop = (shapes: Shapes, o: RmspropOptions): Optimizer => new Rmsprop(shapes, o);

export interface AdamOptions {
  readonly lr: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** Adam: an L2 penalty in the gradient. AdamW: decay applied to the weights directly. */
  readonly weightDecay?: number;
}

class AdamLike extends Base {
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly decay: number;
  private readonly decoupled: boolean;
  private c1 = 1;
  private sqrtC2 = 1;

  constructor(name: "adam" | "adamw", shapes: Shapes, o: AdamOptions) {
    super(name, o.lr, shapes, ["m", "v"]);
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.eps = o.eps ?? 1e-8;
    this.decay = o.weightDecay ?? (name === "adamw" ? 0.01 : 0);
    this.decoupled = name === "adamw";
  }

  protected override prepare(): void {
    // Bias corrections for moments that start at zero.
    this.c1 = 1 - this.beta1 ** this.t;
    this.sqrtC2 = Math.sqrt(1 - this.beta2 ** this.t);
  }

  protected update(index: number, p: Tensor, g: Tensor, lr: number): void {
    const { beta1, beta2, eps, decay, decoupled, sqrtC2 } = this;
    const m = this.slots["m"]![index]!;
    const v = this.slots["v"]![index]!;
    // PyTorch's order of operations: p −= (lr / c1) · m / (√v / √c2 + ε).
    const stepSize = lr / this.c1;
    for (let i = 0; i < p.length; i++) {
      if (decoupled) p[i]! *= 1 - lr * decay;
      const d = decoupled ? g[i]! : g[i]! + decay * p[i]!;
      m[i] = beta1 * m[i]! + (1 - beta1) * d;
      v[i] = beta2 * v[i]! + (1 - beta2) * d * d;
      p[i]! -= stepSize * (m[i]! / (Math.sqrt(v[i]!) / sqrtC2 + eps));
    }
  }
}

/** Adam: momentum and RMSprop, with bias correction. */
export const adam = (shapes: Shapes, o: AdamOptions): Optimizer => new AdamLike("adam", shapes, o);
/** AdamW: Adam with weight decay decoupled from the gradient. */
export const adamw = (shapes: Shapes, o: AdamOptions): Optimizer => new AdamLike("adamw", shapes, o);
