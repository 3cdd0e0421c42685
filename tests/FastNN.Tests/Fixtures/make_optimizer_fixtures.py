#!/usr/bin/python3
"""Writes optimizer_fixtures.json: parameter trajectories of torch.optim optimizers in float64.

Run once with Debian's python3-torch 1.13 (/usr/bin/python3 make_optimizer_fixtures.py); the output is committed
and read by OptimizerFixtureTests. Tests never run Python.
"""
import json
import torch

torch.manual_seed(20261130)
N, STEPS = 12, 20
initial = (torch.rand(N, dtype=torch.float64) * 2 - 1)
grads = [(torch.randn(N, dtype=torch.float64) * 0.5) for _ in range(STEPS)]

cases = [
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.0, nesterov=True, weight_decay=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.95, eps=1e-6, weight_decay=0.02, momentum=0.8, centered=True)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.95), eps=1e-7, weight_decay=0.05, amsgrad=True)),
    ("AdamW", dict(lr=0.02, betas=(0.85, 0.99), eps=1e-8, weight_decay=0.1, amsgrad=False)),
]

out = {"magic": "FastNN optimizer fixtures", "version": 1, "torch": torch.__version__, "dtype": "float64",
       "initial": initial.tolist(), "gradients": [g.tolist() for g in grads], "cases": []}
for name, hyper in cases:
    p = torch.nn.Parameter(initial.clone())
    opt = getattr(torch.optim, name)([p], **hyper)
    trajectory = []
    for g in grads:
        p.grad = g.clone()
        opt.step()
        trajectory.append(p.detach().clone().tolist())
    h = dict(hyper)
    if "betas" in h:
        h["beta1"], h["beta2"] = h.pop("betas")
    h = {k: float(v) for k, v in h.items()}
    out["cases"].append({"optimizer": name, "hyper": h, "trajectory": trajectory})

with open("optimizer_fixtures.json", "w") as f:
    json.dump(out, f, indent=1)
