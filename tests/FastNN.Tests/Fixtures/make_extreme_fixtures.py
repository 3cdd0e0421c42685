#!/usr/bin/python3
"""Writes extremes/activations.json: PyTorch's forward and backward of every activation layer at the extremes.

Run once with Debian's python3-torch 1.13:  /usr/bin/python3 make_extreme_fixtures.py
For float32 and float64 separately (each computed by PyTorch in that precision), one row of inputs holding ±0, subnormals,
tiny, moderate, saturating and huge values and ±inf; the output and the input gradient for an output gradient of
ones (elementwise layers) or a fixed gradient row (Softmax, LogSoftmax, whose rows hold ±1e30 and -inf entries;
Dropout in training with p = 0 and p = 1, whose rows hold ±inf and NaN).
Values are written as strings ("inf", "-0.0", shortest round-trip repr) so ±inf, NaN and -0 survive JSON.
For the elementwise layers the fixture also holds the exact values (mpmath at 200 bits, rounded to the precision; null
for ±inf inputs), so that a test can tell PyTorch's own rounding (1 + erf(x/√2) at x = -10, exp(x) − 1 near 0, 1/(1 + e^100)
in float) from a FastNN error.
The tests never run this script; they read its committed output.
"""
import json
import os

import mpmath as mp
import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "extremes", "activations.json")
INF = float("inf")

ELEMENTWISE = [
    0.0, -0.0, 5e-324, -5e-324, 1e-310, -1e-310, 1e-45, -1e-45, 1e-39, -1e-39, 1e-30, -1e-30, 1e-8, -1e-8,
    0.5, -0.5, 3.0, -3.0, 10.0, -10.0, 20.0, -20.0, 30.0, -30.0, 88.0, -88.0, 100.0, -100.0, 710.0, -710.0,
    1e30, -1e30, 3e38, -3e38, 1e300, -1e300, INF, -INF,
]

LAYERS = [
    ("Sigmoid", {}, nn.Sigmoid()),
    ("Tanh", {}, nn.Tanh()),
    ("GELU", {"approximate": "none"}, nn.GELU()),
    ("GELU", {"approximate": "tanh"}, nn.GELU(approximate="tanh")),
    ("SiLU", {}, nn.SiLU()),
    ("ELU", {"alpha": 1.0}, nn.ELU(1.0)),
    ("ELU", {"alpha": 0.5}, nn.ELU(0.5)),
    ("Softplus", {"beta": 1.0, "threshold": 20.0}, nn.Softplus(1.0, 20.0)),
    ("Softplus", {"beta": 2.0, "threshold": 5.0}, nn.Softplus(2.0, 5.0)),
    ("Softplus", {"beta": 0.5, "threshold": 1.0}, nn.Softplus(0.5, 1.0)),
    ("LeakyReLU", {"negative_slope": 0.01}, nn.LeakyReLU(0.01)),
    ("LeakyReLU", {"negative_slope": 3.0}, nn.LeakyReLU(3.0)),
    ("ReLU", {}, nn.ReLU()),
]

mp.mp.prec = 200
K = mp.sqrt(2 / mp.pi)


def sigmoid(x):
    return 1 / (1 + mp.exp(-x))


def exact(kind, settings, x):
    """(f(x), f'(x)) in mpmath, with PyTorch's choices at the kinks (the x <= 0 branch at 0)."""
    # 1 − σ(x) is written σ(−x) and 1 + tanh(u) as 2σ(2u): 200 bits would cancel to 0 at x = 710 or u = −300.
    if kind == "Sigmoid":
        return sigmoid(x), sigmoid(x) * sigmoid(-x)
    if kind == "Tanh":
        return mp.tanh(x), 1 / mp.cosh(x) ** 2
    if kind == "GELU" and settings["approximate"] == "none":
        # beyond |x| = 1000, Φ is 0 or 1 and x·φ(x) 0 far below any subnormal (mpmath's erfc overflows there)
        if abs(x) > 1000:
            return (x, mp.mpf(1)) if x > 0 else (mp.mpf(0), mp.mpf(0))
        phi = mp.erfc(-x / mp.sqrt(2)) / 2
        return x * phi, phi + x * mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)
    if kind == "GELU":
        u = K * (x + mp.mpf(0.044715) * x ** 3)
        s = sigmoid(2 * u)  # (1 + tanh u)/2; sech² u = 4·σ(2u)·σ(−2u)
        return x * s, s + x * 2 * s * sigmoid(-2 * u) * K * (1 + 3 * mp.mpf(0.044715) * x * x)
    if kind == "SiLU":
        s = sigmoid(x)
        return x * s, s * (1 + x * sigmoid(-x))
    if kind == "ELU":
        a = mp.mpf(settings["alpha"])
        return (x, mp.mpf(1)) if x > 0 else (a * mp.expm1(x), a * mp.exp(x))
    if kind == "Softplus":
        b, t = mp.mpf(settings["beta"]), mp.mpf(settings["threshold"])
        return (x, mp.mpf(1)) if b * x > t else (mp.log1p(mp.exp(b * x)) / b, sigmoid(b * x))
    if kind == "LeakyReLU":
        a = mp.mpf(settings["negative_slope"])
        return (x, mp.mpf(1)) if x > 0 else (a * x, a)
    if kind == "ReLU":
        return (x, mp.mpf(1)) if x > 0 else (mp.mpf(0), mp.mpf(0))
    raise ValueError(kind)


def rounded(v, dtype):
    return text(torch.tensor(float(v), dtype=torch.float64).to(dtype))


ROWS = [  # Softmax / LogSoftmax rows, 4 wide
    [1e30, 0.0, -1e30, 1.0],
    [-1e30, -1e30, -1e30, -1e30],
    [1e30, 1e30, 0.0, -1.0],
    [-INF, 0.0, 1.0, 2.0],
    [-INF, -INF, 5.0, -INF],
    [3e38, -3e38, 0.0, 1e-45],
    [100.0, 0.0, -100.0, 50.0],
    [1000.0, 1000.0, 999.0, -INF],
    [-INF, -INF, -INF, -INF],
    [INF, 0.0, 1.0, 2.0],
    [float("nan"), 0.0, 1.0, 2.0],
]
ROW_GRAD = [0.5, -1.0, 2.0, 0.25]


def text(v):
    v = float(v)
    return "nan" if v != v else repr(v)


def run(module, x, dy):
    x = x.clone().requires_grad_(True)
    y = module(x)
    y.backward(dy)
    return [text(v) for v in y.detach().reshape(-1).tolist()], [text(v) for v in x.grad.reshape(-1).tolist()]


cases = []
for dtype, name in [(torch.float32, "float"), (torch.float64, "double")]:
    x = torch.tensor([ELEMENTWISE], dtype=dtype)
    for kind, settings, module in LAYERS:
        y, dx = run(module, x, torch.ones_like(x))
        values = [exact(kind, settings, mp.mpf(v)) if abs(v) != INF else None for v in x.reshape(-1).tolist()]
        cases.append({"type": kind, **settings, "dtype": name, "batch": 1,
                      "input": [text(v) for v in x.reshape(-1).tolist()], "output": y, "output_grad": None, "input_grad": dx,
                      "exact_output": [None if e is None else rounded(e[0], dtype) for e in values],
                      "exact_input_grad": [None if e is None else rounded(e[1], dtype) for e in values]})
    rows = torch.tensor(ROWS, dtype=dtype)
    dy = torch.tensor([ROW_GRAD] * len(ROWS), dtype=dtype)
    for kind, module in [("Softmax", nn.Softmax(dim=1)), ("LogSoftmax", nn.LogSoftmax(dim=1))]:
        y, dx = run(module, rows, dy)
        cases.append({"type": kind, "dtype": name, "batch": len(ROWS), "input": [text(v) for v in rows.reshape(-1).tolist()],
                      "output": y, "output_grad": [text(v) for v in dy.reshape(-1).tolist()], "input_grad": dx,
                      "exact_output": None, "exact_input_grad": None})

    # PReLU (slopes 0.25, PyTorch's and FastNN's default), per channel over the row and its negation and shared over
    # the moderate inputs: the input gradient and the slope gradient Σ x·dy over x ≤ 0 (x = 0 takes the slope branch)
    full = torch.tensor([ELEMENTWISE], dtype=dtype)
    moderate = torch.tensor([[v for v in ELEMENTWISE if abs(v) <= 100]], dtype=dtype)
    for x, k in [(torch.cat([full, -full]), full.shape[1]), (torch.cat([moderate, -moderate]), 1)]:
        module = nn.PReLU(k).to(dtype)
        y, dx = run(module, x, torch.ones_like(x))
        cases.append({"type": "PReLU", "num_parameters": k, "dtype": name, "batch": 2, "input": [text(v) for v in x.reshape(-1).tolist()],
                      "output": y, "output_grad": None, "input_grad": dx, "exact_output": None, "exact_input_grad": None,
                      "parameter_grad": [text(v) for v in module.weight.grad.reshape(-1).tolist()]})

    # Dropout in training at p = 0 (the identity) and p = 1 (x·0 and dy·0: NaN from ±inf, as PyTorch)
    x = torch.tensor([[1.0, INF, float("nan"), -2.0, -0.0, 1e-45, -INF, 3e38]], dtype=dtype)
    dy = torch.tensor([[1.0, INF, 2.0, 3.0, -1.0, 0.5, 4.0, -INF]], dtype=dtype)
    for p in [0.0, 1.0]:
        module = nn.Dropout(p)
        module.train()
        y, dx = run(module, x, dy)
        cases.append({"type": "Dropout", "p": p, "dtype": name, "batch": 1, "input": [text(v) for v in x.reshape(-1).tolist()],
                      "output": y, "output_grad": [text(v) for v in dy.reshape(-1).tolist()], "input_grad": dx,
                      "exact_output": None, "exact_input_grad": None})

with open(OUT, "w") as f:
    json.dump({"magic": "fastnn-extremes-fixture", "version": 1, "torch": torch.__version__, "cases": cases}, f, indent=0)
    f.write("\n")
