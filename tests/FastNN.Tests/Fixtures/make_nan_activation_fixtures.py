#!/usr/bin/python3
"""Writes nan_activation_fixtures.json: what PyTorch 1.13 gives each activation at a NaN input, forward and backward.

Run once with Debian's python3-torch 1.13 (/usr/bin/python3 make_nan_activation_fixtures.py); the output is committed
and read by Elementwise/NaNActivationTests. Tests never run Python. For float32 and float64, a row of 64 NaN inputs
(long enough for PyTorch's vectorized kernels, whose choice at NaN is the one taken: ELU's scalar loop sends NaN down
its positive branch, its vector loop down the negative one) with an output gradient of 0.75: the output and the input
gradient, autograd's, as a network's backward pass would get them. Values are strings ("nan", shortest repr) so NaN
survives JSON.
"""
import json
import os

import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nan_activation_fixtures.json")
N, DY = 64, 0.75

LAYERS = [
    ("relu", nn.ReLU()),
    ("leaky_relu", nn.LeakyReLU(0.01)),
    ("elu", nn.ELU(0.7)),
    ("sigmoid", nn.Sigmoid()),
    ("tanh", nn.Tanh()),
    ("gelu", nn.GELU()),
    ("gelu_tanh", nn.GELU(approximate="tanh")),
    ("silu", nn.SiLU()),
    ("softplus", nn.Softplus(1.0, 20.0)),
]


def text(v):
    return repr(float(v))


out = {"magic": "FastNN NaN activation fixtures", "version": 1, "torch": torch.__version__, "dy": DY, "cases": []}
for dtype_name, dtype in (("float32", torch.float32), ("float64", torch.float64)):
    for name, layer in LAYERS:
        x = torch.full((N,), float("nan"), dtype=dtype, requires_grad=True)
        y = layer(x)
        y.backward(torch.full((N,), DY, dtype=dtype))
        ys, dxs = {text(v) for v in y.detach().tolist()}, {text(v) for v in x.grad.tolist()}
        assert len(ys) == 1 and len(dxs) == 1, (name, ys, dxs)  # the same for every element
        out["cases"].append({"dtype": dtype_name, "activation": name, "y": ys.pop(), "dx": dxs.pop()})

with open(OUT, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
