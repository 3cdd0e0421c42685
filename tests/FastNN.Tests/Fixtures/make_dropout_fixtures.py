#!/usr/bin/python3
"""Writes dropout_fixtures.json: the factor PyTorch 1.13's F.dropout scales kept elements by, in float32 and float64.

Run once with Debian's python3-torch 1.13 (/usr/bin/python3 make_dropout_fixtures.py); the output is committed and read
by DropoutTests. Tests never run Python. Masks are not comparable (another generator), the kept value is: for each p,
the value of a kept element of dropout(ones) in training. PyTorch computes it in the tensor's type as 1 / (1 - p) with
1 - p rounded to that type first (noise.div_(1 - p)), which for float32 is not always float32(1 / (1 - p)).
"""
import json

import torch
import torch.nn.functional as F

torch.manual_seed(20261206)
ps = [0.05, 0.1, 0.15, 0.2, 0.3, 0.35, 0.45, 0.55, 0.65, 0.7, 0.85, 0.9, 0.95, 0.99]
out = {"magic": "FastNN dropout fixtures", "version": 1, "torch": torch.__version__, "cases": []}
for p in ps:
    case = {"p": p}
    for name, dtype in [("float32", torch.float32), ("float64", torch.float64)]:
        y = F.dropout(torch.ones(4096, dtype=dtype), p, training=True)
        kept = y[y != 0]
        assert len(kept) > 0 and bool((kept == kept[0]).all())
        case[name] = float(kept[0])
    out["cases"].append(case)
with open("dropout_fixtures.json", "w") as f:
    json.dump(out, f, indent=1)
