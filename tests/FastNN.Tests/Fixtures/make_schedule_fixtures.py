#!/usr/bin/python3
"""Writes schedule_fixtures.json: the rate of every param group, step by step, under torch.optim.lr_scheduler objects,
for an optimizer whose groups have rates of their own (three groups: the optimizer's lr 0.1, and 0.03 and 0.004 of
their own; 0.004 lies below the cosine cases' eta_min, so that group rises to it).

Run once with Debian's python3-torch 1.13 (/usr/bin/python3 make_schedule_fixtures.py); the output is committed and
read by ScheduleGroupFixtureTests. Tests never run Python. The schedulers are stepped as a training loop steps them
(scheduler.step() without an epoch: PyTorch's recursive get_lr, not its closed form), and the rates are read from
param_groups before each optimizer step, as the optimizer uses them.
"""
import json

import torch
import torch.nn as nn

BASE_LR = 0.1
GROUP_LR = [None, 0.03, 0.004]   # None: the optimizer's lr
S = torch.optim.lr_scheduler


def case(name, make, steps, settings):
    params = [nn.Parameter(torch.zeros(1, dtype=torch.float64)) for _ in GROUP_LR]
    groups = [{"params": [p]} if lr is None else {"params": [p], "lr": lr} for p, lr in zip(params, GROUP_LR)]
    opt = torch.optim.SGD(groups, lr=BASE_LR)
    sched = make(opt)
    rates = []
    for _ in range(steps):
        rates.append([g["lr"] for g in opt.param_groups])
        opt.step()
        sched.step()
    return {"name": name, "settings": settings, "rates": rates}


out = {"magic": "FastNN schedule fixtures", "version": 1, "torch": torch.__version__,
       "base_lr": BASE_LR, "group_lr": GROUP_LR, "cases": [
    case("cosine_eta_min", lambda o: S.CosineAnnealingLR(o, T_max=6, eta_min=0.01), 26,
         {"T_max": 6, "eta_min": 0.01}),
    case("cosine", lambda o: S.CosineAnnealingLR(o, T_max=5), 12, {"T_max": 5, "eta_min": 0.0}),
    case("step", lambda o: S.StepLR(o, step_size=3, gamma=0.5), 12, {"step_size": 3, "gamma": 0.5}),
    case("exponential", lambda o: S.ExponentialLR(o, gamma=0.9), 12, {"gamma": 0.9}),
    case("inverse_time", lambda o: S.LambdaLR(o, lambda t: 1 / (1 + 0.5 * (t // 2))), 12,
         {"lambda": "1 / (1 + 0.5 * (t // 2))"}),
    case("constant", lambda o: S.LambdaLR(o, lambda t: 1.0), 4, {"lambda": "1"}),
    case("warmup_cosine_eta_min",
         lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.25, total_iters=4),
                                      S.CosineAnnealingLR(o, T_max=8, eta_min=0.01)], milestones=[4]), 22,
         {"start_factor": 0.25, "total_iters": 4, "T_max": 8, "eta_min": 0.01}),
    # Many steps and the boundaries: eleven cosine periods, T_max = 1, a long exponential decay, a one-step warm-up in
    # front of StepLR and a warm-up in front of ExponentialLR (the wrapped schedule restarts its clock at the milestone).
    case("cosine_many_periods", lambda o: S.CosineAnnealingLR(o, T_max=7, eta_min=0.01), 160,
         {"T_max": 7, "eta_min": 0.01}),
    case("cosine_t_max_1", lambda o: S.CosineAnnealingLR(o, T_max=1), 8, {"T_max": 1, "eta_min": 0.0}),
    case("exponential_long", lambda o: S.ExponentialLR(o, gamma=0.98), 300, {"gamma": 0.98}),
    case("warmup_one_step",
         lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.5, total_iters=1), S.StepLR(o, step_size=3, gamma=0.5)],
                                  milestones=[1]), 12,
         {"start_factor": 0.5, "total_iters": 1, "step_size": 3, "gamma": 0.5}),
    case("warmup_exponential",
         lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.2, total_iters=5), S.ExponentialLR(o, gamma=0.9)],
                                  milestones=[5]), 30,
         {"start_factor": 0.2, "total_iters": 5, "gamma": 0.9}),
]}

with open("schedule_fixtures.json", "w") as f:
    json.dump(out, f, indent=1)
