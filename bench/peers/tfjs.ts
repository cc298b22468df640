// TensorFlow.js as a benchmark peer, written the way its guides write it:
// parameters are tf.variables, the data are tensors made once, and each step
// is `tf.tidy(() => optimizer.minimize(loss))` on a slice of them.
// `tsx bench/peers/tfjs.ts JOB.json cpu|wasm`. TF.js trains in float32 only.

import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { paramNames, readData, readInit, readJob, runPeer, type Job, type OptimizerSpec, type Trainer } from "../protocol.js";

const job = readJob();
const backend = process.argv[3] ?? "cpu";
if (backend !== "cpu" && backend !== "wasm") throw new Error(`backend must be cpu or wasm, not '${backend}'`);
const data = readData(job.data);
const init = readInit(job.init);

/** The training rows in float32, made once for every trainer. */
const train32 = { x: Float32Array.from(data.trainX), y: Float32Array.from(data.trainY) };

/** Rows predicted per forward pass, so a large test set is not one huge tensor. */
const predictChunk = 1024;

function optimizerFor(o: OptimizerSpec): tf.Optimizer {
  switch (o.kind) {
    case "sgd":
      return tf.train.sgd(o.lr);
    case "momentum":
      // accum = μ accum + g from zeros, w -= lr accum: PyTorch's heavy ball, v = g on the first step.
      return tf.train.momentum(o.lr, o.momentum ?? 0.9);
    case "adam":
      // TF.js defaults eps to its backend epsilon (1e-7 in float32); PyTorch's 1e-8 is given explicitly.
      return tf.train.adam(o.lr, o.beta1 ?? 0.9, o.beta2 ?? 0.999, o.eps ?? 1e-8);
  }
}

function makeTrainer(job: Job): Trainer {
  const { inputs, outputs } = data.header;
  const layers = job.sizes.length - 1;
  // The init file has W_l as out × in (W @ x); TF.js multiplies rows, x @ W, so W is stored in × out.
  // (tidy frees the tensors the variables are made from, and keeps the variables.)
  const [Ws, bs] = [[] as tf.Variable[], [] as tf.Variable[]];
  tf.tidy(() =>
    paramNames(job.sizes).forEach((name, i) => {
      const l = i >> 1;
      const values = Float32Array.from(init[name]!);
      if (i % 2 === 1) bs.push(tf.variable(tf.tensor1d(values), true, name));
      else Ws.push(tf.variable(tf.tensor2d(values, [job.sizes[l + 1]!, job.sizes[l]!]).transpose(), true, name));
    }),
  );
  // Each step's minibatch becomes a tensor of its own (as tf.data would hand it over): slicing it
  // out of one 60,000-row tensor costs the wasm backend more than the step itself.
  const [trainX, trainY] = [train32.x, train32.y];
  const act = job.hidden === "relu" ? tf.relu : tf.tanh;
  const forward = (x: tf.Tensor2D): tf.Tensor2D => {
    let h = x;
    for (let l = 0; l < layers; l++) {
      const z = h.matMul(Ws[l]!).add(bs[l]!) as tf.Tensor2D;
      h = l < layers - 1 ? act(z) : z;
    }
    return h;
  };
  // Both losses default to SUM_BY_NONZERO_WEIGHTS, which without weights is the sum over the
  // per-example losses ([n, 1] for sigmoid, [n] for softmax) divided by their count: the batch mean.
  const lossOf = job.loss === "sigmoid-bce" ? tf.losses.sigmoidCrossEntropy : tf.losses.softmaxCrossEntropy;
  const optimizer = optimizerFor(job.optimizer);
  return {
    dispose() {
      for (const v of [...Ws, ...bs]) v.dispose();
      optimizer.dispose();
    },
    step(start, n) {
      tf.tidy(() => {
        const x = tf.tensor2d(trainX.subarray(start * inputs, (start + n) * inputs), [n, inputs]);
        const y = tf.tensor2d(trainY.subarray(start * outputs, (start + n) * outputs), [n, outputs]);
        optimizer.minimize(() => lossOf(y, forward(x)) as tf.Scalar);
      });
    },
    predict(x, n, out) {
      for (let at = 0; at < n; at += predictChunk) {
        const rows = Math.min(predictChunk, n - at);
        const chunk = Float32Array.from(x.subarray(at * inputs, (at + rows) * inputs));
        const logits = tf.tidy(() => forward(tf.tensor2d(chunk, [rows, inputs])).dataSync());
        out.set(logits, at * outputs);
      }
    },
  };
}

await tf.setBackend(backend);
await tf.ready();
await runPeer(`TensorFlow.js ${backend}`, job, data, () => makeTrainer(job), `TensorFlow.js ${tf.version.tfjs}, float32`);
