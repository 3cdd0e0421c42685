#!/usr/bin/python3
"""Writes init_fixtures.json: what PyTorch 1.13's torch.nn.init computes for gains, fans, bounds and standard deviations.

Run once with Debian's python3-torch 1.13 (/usr/bin/python3 make_init_fixtures.py); the output is committed and read
by InitFixtureTests. Tests never run Python. Sections:
  gains  torch.nn.init.calculate_gain(nonlinearity, param) for every nonlinearity FastNN names
  cases  one weight shape [out, in, receptive field...] per case and an initializer: torch's own fans
         (_calculate_fan_in_and_fan_out, _calculate_correct_fan) and the bound (uniform) or standard deviation (normal)
         the initializer draws with, by the formulas of torch/nn/init.py; for nn.Linear's default also the bias bound
         (reset_parameters: 1/sqrt(fan_in) of the weight). Each case also records the sample standard deviation of
         torch's own draw into a tensor of that shape, as a check that the formulas are the ones torch runs.
"""
import json
import math

import torch
import torch.nn.init as init

torch.manual_seed(20261206)
out = {"magic": "FastNN init fixtures", "version": 1, "torch": torch.__version__}

out["gains"] = [
    {"nonlinearity": n, "param": p, "gain": init.calculate_gain(n, p)}
    for n, p in [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
                 ("leaky_relu", 0.2), ("leaky_relu", 0.25)]
]


def case(name, shape, scheme, nonlinearity, param=None, mode="fan_in"):
    w = torch.empty(*shape, dtype=torch.float64)
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(w)
    gain = init.calculate_gain(nonlinearity, param)
    c = {"name": name, "shape": list(shape), "scheme": scheme, "nonlinearity": nonlinearity,
         "param": param, "mode": mode, "fan_in": fan_in, "fan_out": fan_out}
    if scheme == "xavier_uniform":
        c["bound"] = gain * math.sqrt(2.0 / float(fan_in + fan_out)) * math.sqrt(3.0)
        init.xavier_uniform_(w, gain)
    elif scheme == "xavier_normal":
        c["std"] = gain * math.sqrt(2.0 / float(fan_in + fan_out))
        init.xavier_normal_(w, gain)
    elif scheme == "kaiming_uniform":
        fan = init._calculate_correct_fan(w, mode)
        c["bound"] = math.sqrt(3.0) * gain / math.sqrt(fan)
        init.kaiming_uniform_(w, a=param or 0, mode=mode, nonlinearity=nonlinearity)
    elif scheme == "kaiming_normal":
        fan = init._calculate_correct_fan(w, mode)
        c["std"] = gain / math.sqrt(fan)
        init.kaiming_normal_(w, a=param or 0, mode=mode, nonlinearity=nonlinearity)
    elif scheme == "linear_default":
        # nn.Linear.reset_parameters: kaiming_uniform_(weight, a=sqrt(5)), bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        g = init.calculate_gain("leaky_relu", math.sqrt(5))
        c["bound"] = math.sqrt(3.0) * g / math.sqrt(fan_in)
        c["bias_bound"] = 1 / math.sqrt(fan_in)
        init.kaiming_uniform_(w, a=math.sqrt(5))
    c["torch_sample_std"] = float(w.std())
    return c


out["cases"] = [
    case("xavier_uniform_2d_tanh", (300, 200), "xavier_uniform", "tanh"),
    case("xavier_uniform_3d", (64, 32, 5), "xavier_uniform", "linear"),
    case("xavier_normal_4d_tanh", (16, 8, 3, 3), "xavier_normal", "tanh"),
    case("kaiming_uniform_3d_fan_out_leaky", (40, 20, 5), "kaiming_uniform", "leaky_relu", 0.1, "fan_out"),
    case("kaiming_uniform_3d_fan_in_relu", (40, 20, 5), "kaiming_uniform", "relu"),
    case("kaiming_normal_2d_fan_out_relu", (300, 200), "kaiming_normal", "relu", None, "fan_out"),
    case("kaiming_normal_4d_fan_out_relu", (16, 8, 3, 3), "kaiming_normal", "relu", None, "fan_out"),
    case("linear_default_2d", (300, 200), "linear_default", "leaky_relu", math.sqrt(5)),
    case("linear_default_3d", (40, 20, 5), "linear_default", "leaky_relu", math.sqrt(5)),
]

with open("init_fixtures.json", "w") as f:
    json.dump(out, f, indent=1)
