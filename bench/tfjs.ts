// TensorFlow.js on the same workloads as bench/step.ts, written the idiomatic
// way (tf.variable, optimizer.minimize inside tf.tidy), one backend per
// process: `tsx bench/tfjs.ts cpu` or `tsx bench/tfjs.ts wasm`. It times a
// whole training step (gradient and SGD update); the generated step is timed
// with the same SGD update for the comparison.

import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

const backend = process.argv[2] ?? "cpu";

interface Workload {
  readonly name: string;
  readonly inputs: number;
  readonly hidden: number;
  readonly outputs: number;
  readonly activation: "tanh" | "relu";
  readonly batch: number;
}

const workloads: Workload[] = [
  { name: "XOR 2-4-1", inputs: 2, hidden: 4, outputs: 1, activation: "tanh", batch: 4 },
  { name: "digits 64-32-10", inputs: 64, hidden: 32, outputs: 10, activation: "relu", batch: 32 },
  { name: "MNIST 784-128-10", inputs: 784, hidden: 128, outputs: 10, activation: "relu", batch: 64 },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

await tf.setBackend(backend);
await tf.ready();
const rows: string[] = [];
for (const w of workloads) {
  const W1 = tf.variable(tf.randomNormal([w.inputs, w.hidden], 0, Math.sqrt(2 / w.inputs)));
  const b1 = tf.variable(tf.zeros([w.hidden]));
  const W2 = tf.variable(tf.randomNormal([w.hidden, w.outputs], 0, Math.sqrt(1 / w.hidden)));
  const b2 = tf.variable(tf.zeros([w.outputs]));
  const x = tf.randomUniform([w.batch, w.inputs]);
  const y = w.outputs === 1 ? tf.randomUniform([w.batch, 1]).round() : tf.oneHot(tf.randomUniform([w.batch], 0, w.outputs, "int32"), w.outputs).toFloat();
  const optimizer = tf.train.sgd(0.01);
  const loss = () => {
    const h = w.activation === "relu" ? tf.relu(x.matMul(W1).add(b1)) : tf.tanh(x.matMul(W1).add(b1));
    const z = h.matMul(W2).add(b2);
    return (w.outputs === 1 ? tf.losses.sigmoidCrossEntropy(y, z) : tf.losses.softmaxCrossEntropy(y, z)) as tf.Scalar;
  };
  const step = () => tf.tidy(() => void optimizer.minimize(loss));
  const steps = Math.max(10, Math.round(2e7 / (w.batch * (w.inputs * w.hidden + w.hidden * w.outputs)) / 4));
  const time = () => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < steps; i++) step();
    return Number(process.hrtime.bigint() - start) / 1e3 / steps;
  };
  for (let i = 0; i < 3; i++) time();
  const times = Array.from({ length: 7 }, time);
  rows.push(`| ${w.name} | ${w.batch} | ${median(times).toFixed(2)} |`);
  for (const v of [W1, b1, W2, b2, x, y]) v.dispose();
}
console.log(`TensorFlow.js ${tf.version.tfjs}, backend ${tf.getBackend()}: µs per training step (median of 7)`);
console.log("| workload | batch | µs per step |");
console.log("| --- | --- | --- |");
for (const r of rows) console.log(r);
