"""PyTorch 1.13 baseline for the training-step workloads of issue 15 (Debian's python3-torch, CPU, float32).

Workloads (the same ones FastNN's `-- step` report and TrainingStepBenchmarks time):
  mlp64, mlp256  784-256-256-10 ReLU MLP, CrossEntropyLoss, AdamW (defaults but lr, see LR), batch 64 / 256:
                 zero_grad, forward, loss, backward, step; the input does not require grad
  deep64         20 x (Linear(256, 256) + Sigmoid), then Linear(256, 10); CrossEntropyLoss, AdamW, batch 64
  fit            one epoch of data/digits.csv.gz (1797 rows, 64 features) through a 64-64-10 ReLU MLP with AdamW,
                 batch 32, in the usual DataLoader(TensorDataset, shuffle=True) loop

Threads: set OMP_NUM_THREADS and OPENBLAS_NUM_THREADS before starting (Debian's torch uses OpenBLAS's pthread
build, which sizes its pool when it loads) and --threads N (torch.set_num_threads). On a CPU with AVX-512 set
OPENBLAS_CORETYPE=SkylakeX, as the C# benchmarks do for their own OpenBLAS baseline.

Standalone:  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=SkylakeX \\
                 /usr/bin/python3 benchmarks/pytorch/training_step.py --threads 1
             prints the median time of each workload.
--serve:     the FastNN benchmark (`-- step`) starts this as a child and times it in paired rounds beside FastNN:
             it reads lines "calibrate <workload> <ms>" (warm up for twice ms, answer the calls that fill ms) and
             "time <workload> <calls>" (one untimed call, then answer seconds per call over that many back-to-back calls),
             "info" and "quit".
"""
import argparse
import gzip
import os

import torch
from torch import nn

import blas_environment
from common import header, median_ms, serve

WORKLOADS = ["mlp64", "mlp256", "deep64", "fit"]
# AdamW's lr in every workload, as in FastNN's StepWorkload.LearningRate: 0, so every step does the same arithmetic on
# the same values. At 1e-3 a fixed batch is memorized within a few hundred steps, the first moments of dead units decay
# into subnormal floats and stick there, and the optimizer's pass slows down about 3x on the CPUs seen here.
LR = 0.0
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "digits.csv.gz")


def mlp_step(batch):
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
    return classifier_step(model, torch.rand(batch, 784), torch.randint(0, 10, (batch,)))


def deep_step(batch):
    torch.manual_seed(1)
    layers = []
    for _ in range(20):
        layers += [nn.Linear(256, 256), nn.Sigmoid()]
    model = nn.Sequential(*layers, nn.Linear(256, 10))
    return classifier_step(model, torch.rand(batch, 256), torch.randint(0, 10, (batch,)))


def classifier_step(model, x, y):
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.AdamW(model.parameters(), lr=LR)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def fit_epoch():
    with gzip.open(DATA, "rt") as f:
        next(f)
        rows = [[float(v) for v in line.split(",")] for line in f if line.strip()]
    data = torch.tensor(rows, dtype=torch.float32)
    x, y = data[:, :-1].contiguous(), data[:, -1].long()
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.AdamW(model.parameters(), lr=LR)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=32, shuffle=True)

    def epoch():
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()

    return epoch


def make(name):
    if name == "mlp64":
        return mlp_step(64)
    if name == "mlp256":
        return mlp_step(256)
    if name == "deep64":
        return deep_step(64)
    if name == "fit":
        return fit_epoch()
    raise ValueError(f"unknown workload {name}; expected one of {WORKLOADS}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("workloads", nargs="*", default=WORKLOADS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.serve:
        serve(make)
        return
    header(f"PyTorch training step, float32, {args.threads} thread(s), median ({blas_environment.describe()})")
    print(f"{'workload':<8} {'ms':>9} {'reps':>5}")
    for name in args.workloads:
        fn = make(name)
        reps = 20 if name == "fit" else 200
        print(f"{name:<8} {median_ms(fn, reps, warmup=5 if name == 'fit' else 20):>9.3f} {reps:>5}")


if __name__ == "__main__":
    main()
