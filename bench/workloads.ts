// The five workloads of `npm run bench`, and the data each trains on. Every
// peer gets the same network, optimizer, minibatches and initial weights.

import { existsSync } from "node:fs";
import { loadData, shuffled, standardise, subset, type Dataset as RuntimeDataset } from "../src/runtime/data.js";
import type { Hidden, Loss, OptimizerSpec } from "./protocol.js";

export interface Workload {
  readonly id: string;
  readonly title: string;
  readonly model: string;
  readonly sizes: readonly number[];
  readonly hidden: Hidden;
  readonly loss: Loss;
  readonly optimizer: OptimizerSpec;
  readonly batch: number;
  /** How long it trains: passes over the training rows, or a number of steps. */
  readonly epochs?: number;
  readonly steps?: number;
  /** The same in `--quick`. */
  readonly quick: { readonly epochs?: number; readonly steps?: number };
  /**
   * Times each peer runs, in turn, each time in a fresh process (1 in
   * `--quick`): two where a run is short and one process's JIT luck would
   * weigh, one where a run lasts long enough to even it out.
   */
  readonly rounds: number;
  readonly data: () => Split;
}

export interface Split {
  readonly train: RuntimeDataset;
  readonly test: RuntimeDataset;
  /** Where the rows came from. */
  readonly source: string;
}

const fields = (inputs: number, outputs: number) => ({ inputs: [{ name: "x", shape: [inputs] }], targets: [{ name: "y", shape: [outputs] }] });

/** The shared data's split rule: blocks of ten rows, every fifth block is test (20 %). */
function blockSplit(all: RuntimeDataset): { train: RuntimeDataset; test: RuntimeDataset } {
  const test: number[] = [];
  const train: number[] = [];
  for (let i = 0; i < all.n; i++) (Math.floor(i / 10) % 5 === 4 ? test : train).push(i);
  return { train: subset(all, train), test: subset(all, test) };
}

function scaled(d: RuntimeDataset, by: number): RuntimeDataset {
  d.values.get("x")!.forEach((v, i, x) => (x[i] = v * by));
  return d;
}

/** Random images and labels of Fashion-MNIST's shape, for machines without ../shared/data. */
function randomImages(n: number, seed: number): RuntimeDataset {
  const order = shuffled(n * 784, seed);
  const x = Float64Array.from(order, (v) => (v % 256) / 255);
  const y = new Float64Array(n * 10);
  for (let i = 0; i < n; i++) y[i * 10 + (order[i]! % 10)] = 1;
  return { n, values: new Map([["x", x], ["y", y]]) };
}

const fashion = "../shared/data/fashion-mnist";
function fashionMnist(): Split {
  if (!existsSync(`${fashion}/train-images-idx3-ubyte.gz`)) return { train: randomImages(60000, 1), test: randomImages(10000, 2), source: "random data of Fashion-MNIST's shape (../shared/data absent)" };
  const read = (part: string) => loadData([`${fashion}/${part}-images-idx3-ubyte.gz`, `${fashion}/${part}-labels-idx1-ubyte.gz`], fields(784, 10));
  return { train: read("train"), test: read("t10k"), source: "Fashion-MNIST, 60,000 train / 10,000 test" };
}

const momentum: OptimizerSpec = { kind: "momentum", lr: 0.05, momentum: 0.9 };
const adam = (lr: number): OptimizerSpec => ({ kind: "adam", lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 });

export const workloads: readonly Workload[] = [
  {
    id: "W1",
    rounds: 2,
    title: "XOR 2-4-1 tanh, bce, SGD, batch 4",
    model: "bench/models/w1_xor.nnd",
    sizes: [2, 4, 1],
    hidden: "tanh",
    loss: "sigmoid-bce",
    optimizer: { kind: "sgd", lr: 0.5 },
    batch: 4,
    steps: 20_000,
    quick: { steps: 5_000 },
    data: () => {
      const xor: RuntimeDataset = { n: 4, values: new Map([["x", Float64Array.of(0, 0, 0, 1, 1, 0, 1, 1)], ["y", Float64Array.of(0, 1, 1, 0)]]) };
      return { train: xor, test: xor, source: "the four XOR points" };
    },
  },
  {
    id: "W2",
    rounds: 2,
    title: "iris 4-16-3 tanh, softmax CE, Adam, batch 16",
    model: "bench/models/w2_iris.nnd",
    sizes: [4, 16, 3],
    hidden: "tanh",
    loss: "softmax-ce",
    optimizer: adam(0.01),
    batch: 16,
    epochs: 2000,
    quick: { epochs: 200 },
    data: () => {
      const { train, test } = blockSplit(loadData(["examples/data/iris.csv"], fields(4, 3)));
      standardise(train, [test], ["x"]);
      return { train, test, source: "iris, 120 train / 30 test (standardised)" };
    },
  },
  {
    id: "W3",
    rounds: 2,
    title: "digits 64-32-10 ReLU, softmax CE, momentum 0.9, batch 32, 30 epochs",
    model: "bench/models/w3_digits.nnd",
    sizes: [64, 32, 10],
    hidden: "relu",
    loss: "softmax-ce",
    optimizer: momentum,
    batch: 32,
    epochs: 30,
    quick: { epochs: 10 },
    data: () => {
      const { train, test } = blockSplit(scaled(loadData(["examples/data/digits.csv"], fields(64, 10)), 1 / 16));
      return { train, test, source: "digits, 1,440 train / 357 test (÷16)" };
    },
  },
  {
    id: "W4",
    rounds: 1,
    title: "Fashion-MNIST 784-128-10 ReLU, momentum 0.9, batch 64, one epoch",
    model: "bench/models/w4_fashion.nnd",
    sizes: [784, 128, 10],
    hidden: "relu",
    loss: "softmax-ce",
    optimizer: { kind: "momentum", lr: 0.01, momentum: 0.9 },
    batch: 64,
    epochs: 1,
    quick: { steps: 120 },
    data: fashionMnist,
  },
  {
    id: "W5",
    rounds: 1,
    title: "Fashion-MNIST 784-256-256-10 ReLU, Adam, batch 128",
    model: "bench/models/w5_deep.nnd",
    sizes: [784, 256, 256, 10],
    hidden: "relu",
    loss: "softmax-ce",
    optimizer: adam(0.001),
    batch: 128,
    steps: 150,
    quick: { steps: 25 },
    data: fashionMnist,
  },
];

/** Rows a `--quick` run keeps of a large data set: enough for its steps, few enough to load fast in every peer. */
const QUICK_ROWS = { train: 8192, test: 2000 };

/** Training rows in a seeded order (the same for every peer), test rows as they are; `quick` keeps the first few thousand of each. */
export function prepared(w: Workload, seed: number, quick = false): Split {
  const { train, test, source } = w.data();
  const ordered = w.id === "W1" ? train : subset(train, shuffled(train.n, seed));
  if (!quick || train.n <= QUICK_ROWS.train) return { train: ordered, test, source };
  const first = (d: RuntimeDataset, n: number) => subset(d, Array.from({ length: Math.min(n, d.n) }, (_, i) => i));
  return { train: first(ordered, QUICK_ROWS.train), test: first(test, QUICK_ROWS.test), source: `${source}; --quick: the first ${QUICK_ROWS.train} shuffled train and ${QUICK_ROWS.test} test rows` };
}
