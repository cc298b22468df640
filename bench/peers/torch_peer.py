"""PyTorch as a benchmark peer: bench/protocol.ts's protocol, in Python.

    /usr/bin/python3 bench/peers/torch_peer.py JOB.json f32|f64

The model is written the way PyTorch's tutorials write it (nn.Sequential of
nn.Linear, F.*_with_logits / F.cross_entropy, torch.optim), on one thread so
that it is compared with the single-threaded peers. The minibatch order, the
warm-up and segment timing, the load measure, the accuracy and the gradient
check follow protocol.ts's runPeer, batches, loadMeter, accuracyOf and
centralDifferences; keep them in step with it.
"""

import json
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

SAMPLES = 24  # entries per parameter checked by central differences, as in protocol.ts
GRADCHECK_ROWS = 16  # rows of the first minibatch the check runs on, as in protocol.ts
PREDICT_CHUNK = 1024


def read_data(path, dtype):
    with open(f"{path}.json") as f:
        header = json.load(f)
    with open(f"{path}.f64", "rb") as f:
        # frombuffer reads native order; the file is little-endian, as every machine we run on.
        flat = torch.frombuffer(bytearray(f.read()), dtype=torch.float64)
    n_train, n_test, inputs, outputs = (header[k] for k in ("nTrain", "nTest", "inputs", "outputs"))
    parts, at = [], 0
    for rows, cols in ((n_train, inputs), (n_train, outputs), (n_test, inputs), (n_test, outputs)):
        parts.append(flat[at : at + rows * cols].view(rows, cols).to(dtype))
        at += rows * cols
    return header, parts


def make_model(job, init, dtype):
    sizes, layers = job["sizes"], []
    for l in range(len(sizes) - 1):
        linear = nn.Linear(sizes[l], sizes[l + 1], dtype=dtype)
        with torch.no_grad():  # nn.Linear's weight is out x in, like the init file's W_l
            linear.weight.copy_(torch.tensor(init[f"W{l + 1}"], dtype=dtype).view(sizes[l + 1], sizes[l]))
            linear.bias.copy_(torch.tensor(init[f"b{l + 1}"], dtype=dtype))
        layers.append(linear)
        if l < len(sizes) - 2:
            layers.append(nn.Tanh() if job["hidden"] == "tanh" else nn.ReLU())
    return nn.Sequential(*layers)


def make_optimizer(spec, params):
    if spec["kind"] == "sgd":
        return torch.optim.SGD(params, lr=spec["lr"])
    if spec["kind"] == "momentum":
        return torch.optim.SGD(params, lr=spec["lr"], momentum=spec.get("momentum", 0.9))
    return torch.optim.Adam(params, lr=spec["lr"], betas=(spec.get("beta1", 0.9), spec.get("beta2", 0.999)), eps=spec.get("eps", 1e-8))


def batches(n_train, batch, steps):
    start = 0
    for _ in range(steps):
        n = min(batch, n_train - start)
        yield start, n
        start += n
        if start >= n_train:
            start = 0


def load_meter():
    """Other processes' share of all cores' time since the last call, as protocol.ts's loadMeter."""
    tick = os.sysconf("SC_CLK_TCK")
    cores = os.cpu_count() or 1

    def busy():
        try:
            with open("/proc/stat") as f:
                fields = [int(v) for v in f.readline().split()[1:9]]
            return (sum(fields) - fields[3] - fields[4]) / tick  # all but idle and iowait
        except OSError:
            return None

    last = [time.perf_counter(), busy(), time.process_time()]

    def measure():
        now = [time.perf_counter(), busy(), time.process_time()]
        wall, machine, own = (a - b if a is not None and b is not None else None for a, b in zip(now, last))
        last[:] = now
        if machine is None:
            return min(1.0, os.getloadavg()[0] / cores)
        return min(1.0, max(0.0, (machine - own) / (wall * cores)))

    return measure


def accuracy_of(logits, y):
    if y.shape[1] == 1:
        return ((logits[:, 0] > 0) == (y[:, 0] > 0.5)).double().mean().item()
    return (logits.argmax(1) == y.argmax(1)).double().mean().item()


def gradcheck(model, loss_on, n):
    """Largest relative difference of autograd's gradient from central differences on rows [0, n)."""
    model.zero_grad()
    loss_on(0, n).backward()
    worst = 0.0
    with torch.no_grad():
        here = loss_on(0, n).item()
        for i, p in enumerate(model.parameters()):
            flat, grad = p.view(-1), p.grad.view(-1)
            step = max(1, len(flat) // SAMPLES)
            for j in range((7 * i) % step, len(flat), step):
                keep = flat[j].item()
                h = 1e-5 * max(1.0, abs(keep))
                flat[j] = keep + h
                up = loss_on(0, n).item()
                flat[j] = keep - h
                down = loss_on(0, n).item()
                flat[j] = keep
                # A step across a kink (a ReLU input within h of 0): the one-sided slopes disagree, skip it.
                right, left = (up - here) / h, (here - down) / h
                if abs(right - left) > 1e-8 + 1e-3 * max(abs(right), abs(left)):
                    continue
                fd, g = (up - down) / (2 * h), grad[j].item()
                worst = max(worst, abs(fd - g) / max(1e-6, abs(fd), abs(g)))
    model.zero_grad()
    return worst


def main():
    if len(sys.argv) < 3 or sys.argv[2] not in ("f32", "f64"):
        sys.exit("usage: torch_peer.py JOB.json f32|f64")
    with open(sys.argv[1]) as f:
        job = json.load(f)
    precision = sys.argv[2]
    dtype = torch.float64 if precision == "f64" else torch.float32
    torch.set_num_threads(1)
    header, (train_x, train_y, test_x, test_y) = read_data(job["data"], dtype)
    with open(job["init"]) as f:
        init = json.load(f)
    labels = train_y.argmax(1)  # class indices: F.cross_entropy's usual target, made once

    def trainer():
        model = make_model(job, init, dtype)
        optimizer = make_optimizer(job["optimizer"], model.parameters())
        if job["loss"] == "sigmoid-bce":
            loss_on = lambda s, n: F.binary_cross_entropy_with_logits(model(train_x[s : s + n]), train_y[s : s + n])
        else:
            loss_on = lambda s, n: F.cross_entropy(model(train_x[s : s + n]), labels[s : s + n])

        def step(s, n):
            optimizer.zero_grad()
            loss_on(s, n).backward()
            optimizer.step()

        return model, loss_on, step

    n_train = header["nTrain"]
    plan = list(batches(n_train, job["batch"], job["steps"]))
    # Warm-up by throwaway models, then one long run timed from the inside or
    # short runs repeated from the same weights: protocol.ts's runPeer.
    warm_start, warm_steps = time.perf_counter(), 0
    while time.perf_counter() - warm_start < job["warmupSeconds"]:
        _, _, warm_step = trainer()
        for s, n in plan:
            if time.perf_counter() - warm_start >= job["warmupSeconds"]:
                break
            warm_step(s, n)
            warm_steps += 1
    run_seconds = (time.perf_counter() - warm_start) / max(1, warm_steps) * len(plan)
    model, loss_on, step = trainer()
    checked = gradcheck(model, loss_on, min(GRADCHECK_ROWS, job["batch"], n_train)) if precision == "f64" else None

    def timed(step, chunk):
        start = time.perf_counter()
        for s, n in chunk:
            step(s, n)
        return sum(n for _, n in chunk), time.perf_counter() - start

    segments, load = [], load_meter()
    if run_seconds >= job["segments"] * job["minSegmentSeconds"]:
        per_segment = (job["steps"] - job["warmup"]) // job["segments"]
        timed_from = job["steps"] - per_segment * job["segments"]
        timed(step, plan[:timed_from])
        for k in range(job["segments"]):
            load()
            examples, seconds = timed(step, plan[timed_from + k * per_segment : timed_from + (k + 1) * per_segment])
            segments.append({"steps": per_segment, "examples": examples, "seconds": seconds, "otherLoad": load()})
    else:
        runs = -(-job["minSegmentSeconds"] // run_seconds)
        for k in range(job["segments"]):
            examples = seconds = 0
            load()
            for _ in range(int(runs)):
                model, loss_on, step = trainer()
                e, t = timed(step, plan)
                examples, seconds = examples + e, seconds + t
            segments.append({"steps": int(runs) * len(plan), "examples": examples, "seconds": seconds, "otherLoad": load()})

    eval_x, eval_y = (train_x, train_y) if job["workload"] == "W1" else (test_x, test_y)
    with torch.no_grad():
        logits = torch.cat([model(eval_x[a : a + PREDICT_CHUNK]) for a in range(0, len(eval_x), PREDICT_CHUNK)])
    version = torch.__version__
    result = {"peer": f"PyTorch {'.'.join(version.split('.')[:2])} {precision}", "workload": job["workload"], "segments": segments, "accuracy": accuracy_of(logits, eval_y)}
    if checked is not None:
        result["gradcheck"] = checked
    result["note"] = f"PyTorch {version}, {'float64' if precision == 'f64' else 'float32'}, 1 thread"
    print(json.dumps(result, separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()
