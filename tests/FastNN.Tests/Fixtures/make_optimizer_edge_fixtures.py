#!/usr/bin/python3
"""Writes optimizer_edge_fixtures.json: torch.optim trajectories at hyper-parameter edges, in float32 and float64.

Run once with Debian's python3-torch 1.13 (/usr/bin/python3 make_optimizer_edge_fixtures.py); the output is committed
and read by OptimizerEdgeFixtureTests. Tests never run Python.

Edges: lr 0, betas at 0 and near 1 (0.9999999 rounds to 1 in float32), eps 0, weight decay coupled and decoupled,
AMSGrad, momentum dampening (0.5 and 1), Nesterov, RMSprop alpha 0 and centered, and a resumed Adam/AdamW state at
step 2^24 (where a float32 step counter stops counting: torch 1.13 keeps state['step'] as a tensor, here float64 so
that it counts, as FastNN's long does), and the state after the last step. Gradients hold exact zeros in one element; a last case feeds NaN and +inf.
"""
import json
import torch

N, STEPS = 7, 12
torch.manual_seed(20261207)
initial = (torch.rand(N, dtype=torch.float64) * 2 - 1)
grads = [(torch.randn(N, dtype=torch.float64) * 0.5) for _ in range(STEPS)]
for g in grads:
    g[3] = 0.0  # an element whose gradient is always zero: weight decay and eps act alone there
# Non-finite gradients at step 3 (NaN in element 0, +inf in element 1, -inf in element 2).
bad = [g.clone() for g in grads]
bad[2][0], bad[2][1], bad[2][2] = float("nan"), float("inf"), float("-inf")

cases = [
    ("SGD", dict(lr=0.0, momentum=0.9, weight_decay=0.1), False, None),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.5, weight_decay=0.02), False, None),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=1.0), False, None),
    ("SGD", dict(lr=0.05, momentum=0.5, nesterov=True, weight_decay=0.3), False, None),
    ("SGD", dict(lr=0.05, momentum=0.9), True, None),
    ("RMSprop", dict(lr=0.01, alpha=0.0, eps=1e-8), False, None),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=0.0, momentum=0.5, centered=True, weight_decay=0.1), False, None),
    ("RMSprop", dict(lr=0.01, alpha=0.99, eps=1e-8), True, None),
    ("Adam", dict(lr=0.0, betas=(0.9, 0.999), weight_decay=0.5), False, None),
    ("Adam", dict(lr=0.01, betas=(0.0, 0.0), eps=1e-8), False, None),
    ("Adam", dict(lr=0.01, betas=(0.9999999, 0.9999999), eps=1e-8, amsgrad=True), False, None),
    ("Adam", dict(lr=0.01, betas=(0.9, 0.999), eps=0.0, weight_decay=0.1, amsgrad=True), False, None),
    ("Adam", dict(lr=0.01, betas=(0.9, 0.999), amsgrad=True), True, None),
    ("Adam", dict(lr=0.01, betas=(0.9, 0.9999999), eps=1e-8, weight_decay=0.01), False, 2 ** 24),
    ("AdamW", dict(lr=0.0, betas=(0.9, 0.999), weight_decay=0.5), False, None),
    ("AdamW", dict(lr=0.1, betas=(0.0, 0.0), eps=0.0, weight_decay=2.0), False, None),
    ("AdamW", dict(lr=0.01, betas=(0.9999999, 0.999), weight_decay=0.1, amsgrad=True), False, None),
    ("AdamW", dict(lr=0.01, betas=(0.9, 0.999), weight_decay=0.1), True, None),
    ("AdamW", dict(lr=0.01, betas=(0.99, 0.9999999), eps=1e-8, weight_decay=0.1, amsgrad=True), False, 2 ** 24),
]


def finite_or_name(values):
    """JSON has no NaN or infinities: those are written as the strings "nan", "inf" and "-inf"."""
    return [x if x == x and abs(x) != float("inf") else str(x) for x in values]


def resumed_state(n, dtype, step):
    """A state as after `step` steps: moments from a fixed draw, the step count in float64 (it counts past 2^24)."""
    g = torch.Generator().manual_seed(7)
    m = (torch.randn(n, generator=g, dtype=torch.float64) * 0.1).to(dtype)
    v = (torch.rand(n, generator=g, dtype=torch.float64) * 0.01).to(dtype)
    return m, v


out = {"magic": "FastNN optimizer edge fixtures", "version": 1, "torch": torch.__version__,
       "initial": initial.tolist(), "gradients": [g.tolist() for g in grads],
       "bad_gradients": [finite_or_name(g.tolist()) for g in bad],
       "cases": []}
for dtype, dname in ((torch.float32, "float32"), (torch.float64, "float64")):
    for name, hyper, non_finite, start in cases:
        p = torch.nn.Parameter(initial.clone().to(dtype))
        opt = getattr(torch.optim, name)([p], **hyper)
        entry = {"optimizer": name, "dtype": dname, "non_finite": non_finite}
        if start is not None:
            m, v = resumed_state(N, dtype, start)
            st = opt.state[p]
            st["step"] = torch.tensor(float(start), dtype=torch.float64)
            st["exp_avg"], st["exp_avg_sq"] = m.clone(), v.clone()
            if hyper.get("amsgrad"):
                st["max_exp_avg_sq"] = (v * 1.5).clone()
            entry["start_step"] = start
            entry["exp_avg"], entry["exp_avg_sq"] = m.tolist(), v.tolist()
            if hyper.get("amsgrad"):
                entry["max_exp_avg_sq"] = (v * 1.5).tolist()
        trajectory = []
        for g in (bad if non_finite else grads):
            p.grad = g.clone().to(dtype)
            opt.step()
            trajectory.append(finite_or_name(p.detach().double().tolist()))
        h = {"momentum": 0.0, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0, "eps": 1e-8, "amsgrad": False,
             "alpha": 0.99, "centered": False}
        h.update(hyper)
        if "betas" in h:
            h["beta1"], h["beta2"] = h.pop("betas")
        entry["hyper"] = {k: float(v) for k, v in h.items()}
        entry["trajectory"] = trajectory
        # The state after the last step, under PyTorch's names (FastNN's buffer names are the same).
        entry["final_state"] = {k: finite_or_name(v.double().tolist()) for k, v in opt.state[p].items()
                                if k != "step" and v.numel() == N}
        out["cases"].append(entry)

with open("optimizer_edge_fixtures.json", "w") as f:
    json.dump(out, f, indent=1)
