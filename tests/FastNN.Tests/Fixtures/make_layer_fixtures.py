#!/usr/bin/python3
"""Writes the PyTorch-parity fixtures for FastNN's layers, losses and a 3-layer network.

Run once with Debian's python3-torch 1.13:  /usr/bin/python3 make_layer_fixtures.py
Each case is one JSON file in layers/: FastNN's JSON model description, the input, every parameter and state tensor
(flat, row-major, by nn.Sequential state-dict name), the loss and its target, and what PyTorch computes in float64:
the output, the loss, the input gradient, every parameter gradient and the state after the forward pass.
The tests never run this script; they read its committed output.
"""
import json
import os

import torch
import torch.nn as nn

from torch_layers import build, flat
import torch.nn.functional as F

torch.manual_seed(20261130)
torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layers")


def randomize(model):
    with torch.no_grad():
        for name, p in model.named_parameters():
            owner = model.get_submodule(name.rsplit(".", 1)[0])
            if isinstance(owner, (nn.BatchNorm1d, nn.LayerNorm)) and name.endswith("weight"):
                p.uniform_(0.5, 1.5)
            elif isinstance(owner, nn.PReLU):
                p.uniform_(0.05, 0.5)
            else:
                p.uniform_(-1, 1)
        for name, b in model.named_buffers():
            if name.endswith("running_mean"):
                b.uniform_(-0.5, 0.5)
            elif name.endswith("running_var"):
                b.uniform_(0.5, 2.0)
            elif name.endswith("num_batches_tracked"):
                b.fill_(3)


def case(name, layers, input_size, batch, loss, training=True, input_scale=1.0, target_scale=1.0, input_offset=0.0):
    description = {"format": "fastnn.sequential", "version": 1, "input_size": input_size, "max_batch": batch, "layers": layers}
    model, width = build(layers, input_size)
    randomize(model)
    model.train(training)
    x = (input_offset + input_scale * (2 * torch.rand(batch, input_size) - 1)).requires_grad_(True)
    if loss == "cross_entropy":
        target = torch.randint(0, width, (batch,))
    elif loss == "bce_with_logits":
        target = torch.rand(batch, width)
    else:
        target = target_scale * (2 * torch.rand(batch, width) - 1)
    parameters = {n: flat(p) for n, p in model.named_parameters()}
    state = {n: flat(b) for n, b in model.named_buffers()}
    y = model(x)
    value = {
        "mse": lambda: F.mse_loss(y, target),
        "bce_with_logits": lambda: F.binary_cross_entropy_with_logits(y, target),
        "cross_entropy": lambda: F.cross_entropy(y, target),
        "huber": lambda: F.huber_loss(y, target, delta=1.0),
    }[loss]()
    value.backward()
    fixture = {
        "magic": "fastnn-layer-fixture", "version": 1, "torch": torch.__version__, "name": name,
        "model": description, "training": training, "batch": batch,
        "input": flat(x), "parameters": parameters, "state": state,
        "loss": loss, "target": [float(v) for v in target.reshape(-1).tolist()],
        "output": flat(y), "loss_value": float(value), "input_grad": flat(x.grad),
        "parameter_grads": {n: flat(p.grad) for n, p in model.named_parameters()},
        "state_after": {n: flat(b) for n, b in model.named_buffers()},
    }
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(fixture, f)


def linear(n):
    return {"type": "Linear", "out_features": n}


os.makedirs(OUT, exist_ok=True)
case("linear", [linear(4)], 5, 3, "mse")
case("linear_nobias", [{"type": "Linear", "out_features": 4, "bias": False}], 5, 3, "mse")
for name, activation in [
    ("relu", {"type": "ReLU"}), ("sigmoid", {"type": "Sigmoid"}), ("tanh", {"type": "Tanh"}),
    ("leaky_relu", {"type": "LeakyReLU", "negative_slope": 0.1}), ("elu", {"type": "ELU", "alpha": 0.7}),
    ("gelu", {"type": "GELU", "approximate": "none"}), ("gelu_tanh", {"type": "GELU", "approximate": "tanh"}),
    ("silu", {"type": "SiLU"}), ("softplus", {"type": "Softplus", "beta": 1.0, "threshold": 20.0}),
    ("softplus_threshold", {"type": "Softplus", "beta": 2.0, "threshold": 1.5}),
    ("prelu_shared", {"type": "PReLU", "num_parameters": 1}), ("prelu_per_feature", {"type": "PReLU", "num_parameters": 6}),
    ("softmax", {"type": "Softmax"}), ("log_softmax", {"type": "LogSoftmax"}),
]:
    case(name, [linear(6), activation], 5, 4, "mse", input_scale=2.0)
case("batchnorm_train", [linear(6), {"type": "BatchNorm1d"}], 5, 4, "mse")
case("batchnorm_eval", [linear(6), {"type": "BatchNorm1d"}], 5, 4, "mse", training=False)
case("layernorm", [linear(6), {"type": "LayerNorm"}], 5, 4, "mse")
case("dropout_eval", [linear(6), {"type": "Dropout", "p": 0.5}], 5, 4, "mse", training=False)
case("residual", [{"type": "Residual", "body": [linear(7), {"type": "Tanh"}, linear(5)]}], 5, 3, "mse")
case("residual_projection", [{"type": "Residual", "body": [linear(7), {"type": "ReLU"}, linear(6)]}], 5, 3, "mse")
case("concat", [{"type": "Concat", "body": [linear(3), {"type": "SiLU"}]}, linear(4)], 5, 3, "mse")
case("loss_mse", [linear(3)], 6, 4, "mse")
case("loss_bce_with_logits", [linear(3)], 6, 4, "bce_with_logits", input_scale=3.0)
case("loss_cross_entropy", [linear(5)], 6, 4, "cross_entropy", input_scale=3.0)
case("loss_huber", [linear(3)], 6, 4, "huber", input_scale=2.0, target_scale=3.0)
case("mlp3", [linear(16), {"type": "Tanh"}, linear(16), {"type": "ReLU"}, linear(4)], 8, 5, "cross_entropy")
case("every_layer", [
    linear(8), {"type": "BatchNorm1d"}, {"type": "ReLU"},
    {"type": "Residual", "body": [linear(8), {"type": "LayerNorm"}, {"type": "GELU"}]},
    {"type": "Concat", "body": [linear(4), {"type": "SiLU"}]},
    linear(6), {"type": "PReLU", "num_parameters": 6}, {"type": "ELU"}, {"type": "Dropout", "p": 0.0},
    linear(5), {"type": "LeakyReLU"}, {"type": "Softplus"}, {"type": "Tanh"}, {"type": "Sigmoid"}, linear(3)],
    6, 4, "cross_entropy")
# Edge configurations (appended, so that the cases above keep their random draws): normalization of wide and
# one-feature rows and of rows far from 0 with a tiny spread (a one-pass variance would cancel), dropout p = 0 in
# training, Linear with one input or one output, a residual inside a residual.
case("layernorm_wide", [{"type": "LayerNorm"}], 300, 2, "mse")
case("layernorm_one_feature", [{"type": "LayerNorm"}], 1, 3, "mse")
case("layernorm_offset", [{"type": "LayerNorm"}], 8, 3, "mse", input_offset=1000.0, input_scale=1e-2)
case("batchnorm_offset", [{"type": "BatchNorm1d"}], 4, 5, "mse", input_offset=1000.0, input_scale=1e-2)
case("dropout_p0_train", [linear(6), {"type": "Dropout", "p": 0.0}], 5, 4, "mse")
case("linear_one_input", [linear(5)], 1, 4, "mse")
case("linear_one_output", [linear(1)], 5, 4, "mse")
case("residual_nested", [{"type": "Residual", "body": [linear(5), {"type": "Tanh"},
                                                       {"type": "Residual", "body": [linear(5), {"type": "ReLU"}]}]}], 5, 3, "mse")
# BatchNorm1d evaluating one row (allowed, unlike training) and training on the fewest rows (2: unbiased variance
# over n − 1 = 1); Softmax and LogSoftmax over a single feature (1 and 0, zero input gradient).
case("batchnorm_eval_one_row", [linear(3), {"type": "BatchNorm1d"}], 4, 1, "mse", training=False)
case("batchnorm_two_rows", [linear(3), {"type": "BatchNorm1d"}], 4, 2, "mse")
case("softmax_one_feature", [linear(1), {"type": "Softmax"}], 3, 4, "mse")
case("log_softmax_one_feature", [linear(1), {"type": "LogSoftmax"}], 3, 4, "mse")
print("wrote", len(os.listdir(OUT)), "fixtures to", OUT)
