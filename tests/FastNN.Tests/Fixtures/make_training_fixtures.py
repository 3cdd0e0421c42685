#!/usr/bin/python3
"""Writes training_fixtures.json: what PyTorch 1.13 computes for the training semantics the other fixtures leave out.

Run once with Debian's python3-torch 1.13 (/usr/bin/python3 make_training_fixtures.py); the output is committed and
read by TrainingFixtureTests. Tests never run Python. Sections:
  schedules   every param group's lr, step by step, under real torch.optim.lr_scheduler objects (two groups)
  optimizers  parameter trajectories (float64) of the SGD/RMSprop/Adam variants optimizer_fixtures.json lacks,
              and SGD over two param groups with their own lr and weight decay under a StepLR
  clipping    clip_grad_norm_ (returned norm and clipped gradients) and clip_grad_value_, float32 and float64
  batchnorm   nn.BatchNorm1d(eps=1e-3, momentum=0.3): three training batches then an evaluation batch (float64)
  huber       F.huber_loss with δ ≠ 1: mean loss and its gradient (float64)
  float32     the same trajectories in float32 for SGD (Nesterov, decay), Adam (AMSGrad, decay), AdamW, RMSprop
              (centered, momentum), from the float64 inputs rounded to float32
  loop        a whole training loop (float64): Linear-Tanh-Linear, MSE plus an L2 penalty on the weights only,
              clip_grad_norm_, SGD with Nesterov momentum and weight decay on the weights only, StepLR stepped per
              epoch, 10 rows in batches of 4, 4, 2 in dataset order, 4 epochs: per-epoch mean objective, final parameters
  loop_step   the same net and rows with nothing between backward and step: AdamW with decay on the weights only and
              a LinearLR warm-up then cosine (SequentialLR) stepped after every batch
"""
import json
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(20261206)
out = {"magic": "FastNN training fixtures", "version": 1, "torch": torch.__version__}


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


# --- schedules: two groups (lr 0.1 and 0.03), the lrs each group trains with at steps 0..T-1 -------------------
def schedule_case(name, make, steps):
    a = nn.Parameter(torch.zeros(1, dtype=torch.float64))
    b = nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([{"params": [a], "lr": 0.1}, {"params": [b], "lr": 0.03}], lr=0.1)
    sched = make(opt)
    rates = []
    for _ in range(steps):
        rates.append([g["lr"] for g in opt.param_groups])
        opt.step()
        sched.step()
    return {"name": name, "group_lr": [0.1, 0.03], "rates": rates}


S = torch.optim.lr_scheduler
out["schedules"] = [
    schedule_case("step", lambda o: S.StepLR(o, step_size=3, gamma=0.5), 12),
    schedule_case("exponential", lambda o: S.ExponentialLR(o, gamma=0.9), 12),
    schedule_case("cosine", lambda o: S.CosineAnnealingLR(o, T_max=6, eta_min=0.0), 20),
    schedule_case("cosine_eta_min", lambda o: S.CosineAnnealingLR(o, T_max=6, eta_min=0.01), 20),
    schedule_case("warmup_cosine", lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.25, total_iters=4),
                                                               S.CosineAnnealingLR(o, T_max=8)], milestones=[4]), 16),
]

# --- optimizer variants --------------------------------------------------------------------------------------
N, STEPS = 10, 12
initial = torch.rand(N, dtype=torch.float64) * 2 - 1
grads = [torch.randn(N, dtype=torch.float64) * 0.5 for _ in range(STEPS)]
variants = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.02, momentum=0.5)),
    ("Adam", dict(lr=0.02, betas=(0.9, 0.99), eps=1e-8)),
    ("AdamW", dict(lr=0.02, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.05, amsgrad=True)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, centered=True)),
]
cases = []
for name, hyper in variants:
    p = nn.Parameter(initial.clone())
    opt = getattr(torch.optim, name)([p], **hyper)
    trajectory = []
    for g in grads:
        p.grad = g.clone()
        opt.step()
        trajectory.append(flat(p))
    h = dict(hyper)
    if "betas" in h:
        h["beta1"], h["beta2"] = h.pop("betas")
    cases.append({"optimizer": name, "hyper": {k: float(v) for k, v in h.items()}, "trajectory": trajectory})

# Two groups: elements 0..5 (lr 0.05, weight decay 0.1) and 6..9 (lr 0.2, no decay), momentum 0.8, StepLR(4, 0.5).
p1, p2 = nn.Parameter(initial[:6].clone()), nn.Parameter(initial[6:].clone())
opt = torch.optim.SGD([{"params": [p1], "lr": 0.05, "weight_decay": 0.1}, {"params": [p2], "lr": 0.2, "weight_decay": 0.0}],
                      lr=0.05, momentum=0.8)
sched = S.StepLR(opt, step_size=4, gamma=0.5)
trajectory = []
for g in grads:
    p1.grad, p2.grad = g[:6].clone(), g[6:].clone()
    opt.step()
    sched.step()
    trajectory.append(flat(p1) + flat(p2))
cases.append({"optimizer": "SGD-groups", "hyper": {"lr": 0.05, "momentum": 0.8}, "trajectory": trajectory})
out["optimizers"] = {"initial": flat(initial), "gradients": [flat(g) for g in grads], "cases": cases}

# --- clipping: three "tensors" of 4, 6 and 3 elements -----------------------------------------------------------
clip = []
raw = [torch.randn(4, dtype=torch.float64) * 2, torch.randn(6, dtype=torch.float64), torch.randn(3, dtype=torch.float64) * 3]
for dtype in (torch.float32, torch.float64):
    for label, scale, how, limit in [("norm_clipped", 1.0, "norm", 1.5), ("norm_unclipped", 1.0, "norm", 100.0),
                                     ("norm_zero_gradient", 0.0, "norm", 1.0), ("norm_max_zero", 1.0, "norm", 0.0),
                                     ("value", 1.0, "value", 0.75)]:
        ps = [nn.Parameter(torch.zeros(len(r), dtype=dtype)) for r in raw]
        for p, r in zip(ps, raw):
            p.grad = (r * scale).to(dtype)
        before = [v for p in ps for v in flat(p.grad)]
        if how == "norm":
            norm = float(torch.nn.utils.clip_grad_norm_(ps, limit))
        else:
            torch.nn.utils.clip_grad_value_(ps, limit)
            norm = None
        clip.append({"name": label, "dtype": str(dtype).replace("torch.", ""), "how": how, "limit": limit,
                     "gradients": before, "norm": norm, "clipped": [v for p in ps for v in flat(p.grad)]})
out["clipping"] = clip

# --- batch norm -----------------------------------------------------------------------------------------------
F_ = 4
bn = nn.BatchNorm1d(F_, eps=1e-3, momentum=0.3).double()
with torch.no_grad():
    bn.weight.uniform_(0.5, 1.5)
    bn.bias.uniform_(-0.5, 0.5)
    bn.running_mean.uniform_(-0.5, 0.5)
    bn.running_var.uniform_(0.5, 2.0)
record = {"features": F_, "eps": 1e-3, "momentum": 0.3, "weight": flat(bn.weight), "bias": flat(bn.bias),
          "running_mean": flat(bn.running_mean), "running_var": flat(bn.running_var), "steps": []}
for batch, training in [(5, True), (3, True), (2, True), (4, False)]:
    bn.train(training)
    x = torch.randn(batch, F_, dtype=torch.float64) * 2 + 1
    y = bn(x)
    record["steps"].append({"batch": batch, "training": training, "input": flat(x), "output": flat(y),
                            "running_mean": flat(bn.running_mean), "running_var": flat(bn.running_var),
                            "num_batches_tracked": int(bn.num_batches_tracked)})
out["batchnorm"] = record

# --- Huber with δ ≠ 1 -------------------------------------------------------------------------------------------
huber = []
prediction = torch.randn(3, 4, dtype=torch.float64) * 2
target = torch.randn(3, 4, dtype=torch.float64)
for delta in (0.5, 2.0):
    p = prediction.clone().requires_grad_(True)
    loss = F.huber_loss(p, target, delta=delta)
    loss.backward()
    huber.append({"delta": delta, "batch": 3, "prediction": flat(prediction), "target": flat(target),
                  "loss": float(loss), "gradient": flat(p.grad)})
out["huber"] = huber

# --- float32 trajectories --------------------------------------------------------------------------------------
single = []
for name, hyper in [("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
                    ("Adam", dict(lr=0.02, betas=(0.8, 0.95), eps=1e-7, weight_decay=0.05, amsgrad=True)),
                    ("AdamW", dict(lr=0.02, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.1)),
                    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.02, momentum=0.5, centered=True))]:
    p = nn.Parameter(initial.float())
    opt = getattr(torch.optim, name)([p], **hyper)
    trajectory = []
    for g in grads:
        p.grad = g.float()
        opt.step()
        trajectory.append(flat(p))
    h = dict(hyper)
    if "betas" in h:
        h["beta1"], h["beta2"] = h.pop("betas")
    single.append({"optimizer": name, "hyper": {k: float(v) for k, v in h.items()}, "trajectory": trajectory})
out["float32"] = single

# --- a whole loop -----------------------------------------------------------------------------------------------
ROWS, IN, HIDDEN, BATCH, EPOCHS, L2, MAX_NORM = 10, 3, 4, 4, 4, 0.02, 0.5
X = torch.randn(ROWS, IN, dtype=torch.float64)
Y = torch.randn(ROWS, 1, dtype=torch.float64)
net = nn.Sequential(nn.Linear(IN, HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, 1)).double()
start = {n: flat(t) for n, t in net.state_dict().items()}
weights = [net[0].weight, net[2].weight]
biases = [net[0].bias, net[2].bias]
opt = torch.optim.SGD([{"params": weights, "weight_decay": 0.01}, {"params": biases, "weight_decay": 0.0}],
                      lr=0.1, momentum=0.9, nesterov=True)
sched = S.StepLR(opt, step_size=2, gamma=0.5)
epoch_losses = []
for epoch in range(EPOCHS):
    total = 0.0
    for first in range(0, ROWS, BATCH):
        xb, yb = X[first:first + BATCH], Y[first:first + BATCH]
        opt.zero_grad()
        objective = F.mse_loss(net(xb), yb) + L2 / 2 * sum((w * w).sum() for w in weights)
        objective.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), MAX_NORM)
        opt.step()
        total += len(xb) * float(objective)
    sched.step()
    epoch_losses.append(total / ROWS)
out["loop"] = {"rows": ROWS, "inputs": IN, "hidden": HIDDEN, "batch": BATCH, "epochs": EPOCHS, "l2": L2,
               "max_norm": MAX_NORM, "features": flat(X), "targets": flat(Y), "initial": start,
               "epoch_losses": epoch_losses, "final": {n: flat(t) for n, t in net.state_dict().items()}}

net = nn.Sequential(nn.Linear(IN, HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, 1)).double()
start = {n: flat(t) for n, t in net.state_dict().items()}
opt = torch.optim.AdamW([{"params": [net[0].weight, net[2].weight], "weight_decay": 0.05},
                         {"params": [net[0].bias, net[2].bias], "weight_decay": 0.0}], lr=0.01, betas=(0.9, 0.99))
sched = S.SequentialLR(opt, [S.LinearLR(opt, start_factor=0.25, total_iters=3), S.CosineAnnealingLR(opt, T_max=9)], milestones=[3])
epoch_losses = []
for epoch in range(EPOCHS):
    total = 0.0
    for first in range(0, ROWS, BATCH):
        xb, yb = X[first:first + BATCH], Y[first:first + BATCH]
        opt.zero_grad()
        loss = F.mse_loss(net(xb), yb)
        loss.backward()
        opt.step()
        sched.step()
        total += len(xb) * float(loss)
    epoch_losses.append(total / ROWS)
out["loop_step"] = {"initial": start, "epoch_losses": epoch_losses, "final": {n: flat(t) for n, t in net.state_dict().items()}}

with open("training_fixtures.json", "w") as f:
    json.dump(out, f, indent=1)
print("wrote training_fixtures.json")
