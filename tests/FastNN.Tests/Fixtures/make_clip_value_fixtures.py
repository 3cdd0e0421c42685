#!/usr/bin/python3
"""Writes clip_value_fixtures.json: whole training loops with clip_grad_value_, as PyTorch 1.13 runs them.

Run once with Debian's python3-torch 1.13 (/usr/bin/python3 make_clip_value_fixtures.py); the output is committed and
read by GradientValueClippingTests. Tests never run Python. Each loop (float64): Linear(3, 4)-Tanh-Linear(4, 1), MSE
plus an L2 penalty (lambda/2 * sum w^2) on the weights only, backward, then the clipping, then SGD with momentum; 10
rows in dataset order in batches of 4, 4 and 2; 4 epochs; per-epoch mean objective and final parameters.
  value        clip_grad_value_(0.05)
  value_norm   clip_grad_value_(0.05), then clip_grad_norm_(0.08): the trainer's order when both are set
"""
import json

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(20261207)
ROWS, IN, HIDDEN, BATCH, EPOCHS, L2, LR, MOMENTUM = 10, 3, 4, 4, 4, 0.02, 0.1, 0.9
X = torch.randn(ROWS, IN, dtype=torch.float64)
Y = 3 * torch.randn(ROWS, 1, dtype=torch.float64)   # large enough targets that the clamp bites
out = {"magic": "FastNN clip-value fixtures", "version": 1, "torch": torch.__version__,
       "rows": ROWS, "inputs": IN, "hidden": HIDDEN, "batch": BATCH, "epochs": EPOCHS, "l2": L2, "lr": LR,
       "momentum": MOMENTUM, "features": X.reshape(-1).tolist(), "targets": Y.reshape(-1).tolist(), "loops": []}


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


for name, max_value, max_norm in [("value", 0.05, None), ("value_norm", 0.05, 0.08)]:
    net = nn.Sequential(nn.Linear(IN, HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, 1)).double()
    start = {n: flat(t) for n, t in net.state_dict().items()}
    weights = [net[0].weight, net[2].weight]
    opt = torch.optim.SGD(net.parameters(), lr=LR, momentum=MOMENTUM)
    epoch_losses, clamped = [], 0
    for epoch in range(EPOCHS):
        total = 0.0
        for first in range(0, ROWS, BATCH):
            xb, yb = X[first:first + BATCH], Y[first:first + BATCH]
            opt.zero_grad()
            objective = F.mse_loss(net(xb), yb) + L2 / 2 * sum((w * w).sum() for w in weights)
            objective.backward()
            clamped += sum(int((p.grad.abs() > max_value).sum()) for p in net.parameters())
            torch.nn.utils.clip_grad_value_(net.parameters(), max_value)
            if max_norm is not None:
                torch.nn.utils.clip_grad_norm_(net.parameters(), max_norm)
            opt.step()
            total += len(xb) * float(objective)
        epoch_losses.append(total / ROWS)
    out["loops"].append({"name": name, "max_value": max_value, "max_norm": max_norm, "clamped": clamped, "initial": start,
                         "epoch_losses": epoch_losses, "final": {n: flat(t) for n, t in net.state_dict().items()}})

with open("clip_value_fixtures.json", "w") as f:
    json.dump(out, f, indent=1)
print("wrote clip_value_fixtures.json")
