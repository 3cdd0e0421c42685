#!/usr/bin/python3
"""Writes layer_sequence_fixtures.json: PyTorch 1.13 (float64) over several passes of one model, switching between
training and evaluation and changing the batch, with non-default hyper-parameters (BatchNorm1d eps and momentum,
LayerNorm eps, LeakyReLU/ELU/Softplus/PReLU settings) that make_layer_fixtures.py's cases leave at PyTorch's defaults.

Run once with Debian's python3-torch 1.13:  /usr/bin/python3 make_layer_sequence_fixtures.py
Each case: FastNN's JSON model description, the initial parameters and state, then per pass its mode, batch, input x
and output gradient dy, and what PyTorch computes: the output, the input gradient, each parameter's gradient of that
pass alone (zeroed before it) and the state after it (running statistics carry from pass to pass).
The tests never run this script; they read its committed output.
"""
import json
import os

import torch
import torch.nn as nn

from torch_layers import build, flat

torch.manual_seed(20261207)
torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layer_sequence_fixtures.json")


def case(name, layers, input_size, passes, input_scale=2.0):
    model, _ = build(layers, input_size)
    with torch.no_grad():
        for n, p in model.named_parameters():
            owner = model.get_submodule(n.rsplit(".", 1)[0])
            if isinstance(owner, (nn.BatchNorm1d, nn.LayerNorm)) and n.endswith("weight"):
                p.uniform_(0.5, 1.5)
            elif not isinstance(owner, nn.PReLU):
                p.uniform_(-1, 1)
        for n, b in model.named_buffers():
            if n.endswith("running_mean"):
                b.uniform_(-0.5, 0.5)
            elif n.endswith("running_var"):
                b.uniform_(0.5, 2.0)
    parameters = {n: flat(p) for n, p in model.named_parameters()}
    state = {n: flat(b) for n, b in model.named_buffers()}
    steps = []
    for training, batch in passes:
        model.train(training)
        x = (input_scale * (torch.rand(batch, input_size) - 0.5)).requires_grad_(True)
        for p in model.parameters():
            p.grad = None
        y = model(x)
        dy = torch.rand_like(y) - 0.5
        y.backward(dy)
        steps.append({
            "training": training, "batch": batch, "input": flat(x), "output_grad": flat(dy),
            "output": flat(y), "input_grad": flat(x.grad),
            "parameter_grads": {n: flat(p.grad) for n, p in model.named_parameters()},
            "state_after": {n: flat(b) for n, b in model.named_buffers()},
        })
    description = {"format": "fastnn.sequential", "version": 1, "input_size": input_size,
                   "max_batch": max(b for _, b in passes), "layers": layers}
    return {"name": name, "model": description, "parameters": parameters, "state": state, "passes": steps}


def bn(eps, momentum):
    return {"type": "BatchNorm1d", "eps": eps, "momentum": momentum}


def linear(n):
    return {"type": "Linear", "out_features": n}


cases = [
    case("batchnorm_train_eval_sequence", [bn(1e-3, 0.3)], 3, [(True, 2), (True, 5), (False, 1), (True, 3), (False, 4)]),
    case("batchnorm_momentum_0", [bn(0.5, 0.0)], 3, [(True, 4), (False, 2)]),
    case("batchnorm_momentum_1", [bn(1e-5, 1.0)], 3, [(True, 4), (False, 2)]),
    case("linear_batchnorm_relu_linear", [linear(4), bn(1e-5, 0.2), {"type": "ReLU"}, linear(2)], 3, [(True, 6), (False, 3), (True, 2)]),
    case("residual_nested_batchnorm", [{"type": "Residual", "body": [linear(3), {"type": "Residual", "body": [
        bn(1e-4, 0.6), {"type": "Tanh"}, {"type": "Linear", "out_features": 2, "bias": False}]}]}], 3, [(True, 4), (False, 2), (True, 3)]),
    case("concat_batchnorm", [{"type": "Concat", "body": [bn(1e-5, 0.5), linear(2)]}, linear(2)], 3, [(True, 4), (False, 3)]),
    case("activation_settings", [linear(6), {"type": "LayerNorm", "eps": 0.1}, {"type": "LeakyReLU", "negative_slope": -0.5}, linear(6),
        {"type": "ELU", "alpha": 2.5}, linear(6), {"type": "Softplus", "beta": 3.0, "threshold": -1.0},
        {"type": "PReLU", "num_parameters": 6, "init": 0.1}, {"type": "GELU", "approximate": "tanh"}], 4, [(True, 5), (False, 3)], input_scale=6.0),
]
with open(OUT, "w") as f:
    json.dump({"magic": "fastnn-layer-sequence-fixture", "version": 1, "torch": torch.__version__, "cases": cases}, f)
