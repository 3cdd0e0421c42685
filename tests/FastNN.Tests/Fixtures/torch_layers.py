"""FastNN's model descriptions as PyTorch 1.13 modules, for the fixture scripts beside this file (not a test dependency)."""
import torch
import torch.nn as nn


class Residual(nn.Module):
    """y = x + f(x), or y = x Pᵀ + f(x) when f changes the width (FastNN's Residual)."""

    def __init__(self, body, in_features):
        super().__init__()
        self.body = body
        out_features = self.body(torch.zeros(2, in_features)).shape[1]
        self.projection = nn.Linear(in_features, out_features, bias=False) if out_features != in_features else None

    def forward(self, x):
        return (x if self.projection is None else self.projection(x)) + self.body(x)


class Concat(nn.Module):
    """y = [x, f(x)] (FastNN's Concat)."""

    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        return torch.cat([x, self.body(x)], dim=1)


def build(layers, width):
    """The nn.Sequential a FastNN layer list describes, and its output width; a setting left out takes PyTorch's default."""
    modules = []
    for d in layers:
        t = d["type"]
        if t == "Linear":
            m = nn.Linear(width, d["out_features"], bias=d.get("bias", True))
            width = d["out_features"]
        elif t == "BatchNorm1d":
            m = nn.BatchNorm1d(width, eps=d.get("eps", 1e-5), momentum=d.get("momentum", 0.1))
        elif t == "LayerNorm":
            m = nn.LayerNorm(width, eps=d.get("eps", 1e-5))
        elif t == "Dropout":
            m = nn.Dropout(d.get("p", 0.5))
        elif t == "Residual":
            body, _ = build(d["body"], width)
            m = Residual(body, width)
            width = m.body(torch.zeros(2, width)).shape[1]
        elif t == "Concat":
            body, body_width = build(d["body"], width)
            m = Concat(body)
            width += body_width
        elif t == "ReLU":
            m = nn.ReLU()
        elif t == "Sigmoid":
            m = nn.Sigmoid()
        elif t == "Tanh":
            m = nn.Tanh()
        elif t == "LeakyReLU":
            m = nn.LeakyReLU(d.get("negative_slope", 0.01))
        elif t == "ELU":
            m = nn.ELU(d.get("alpha", 1.0))
        elif t == "GELU":
            m = nn.GELU(approximate=d.get("approximate", "none"))
        elif t == "SiLU":
            m = nn.SiLU()
        elif t == "Softplus":
            m = nn.Softplus(d.get("beta", 1.0), d.get("threshold", 20.0))
        elif t == "PReLU":
            m = nn.PReLU(d.get("num_parameters", 1), init=d.get("init", 0.25))
        elif t == "Softmax":
            m = nn.Softmax(dim=1)
        elif t == "LogSoftmax":
            m = nn.LogSoftmax(dim=1)
        else:
            raise ValueError(t)
        modules.append(m)
    return nn.Sequential(*modules), width


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]
