#!/usr/bin/python3
"""Model files laid out as the safetensors library writes them, for FastNN's LoadWeights (PyTorch 1.13).

  /usr/bin/python3 make_safetensors_library_fixtures.py   writes safetensors/library/residual_norms_f32.safetensors,
        _f64.safetensors and residual_norms.json (the FastNN description of the model, fixed inputs, PyTorch's outputs).

Debian's python3-torch has no safetensors package, so the layout of `safetensors.torch.save_file(model.state_dict(),
path, metadata)` is written here by hand from the library's specification and its Rust writer (`prepare`, `serialize`):
  - the tensors are sorted by dtype, widest first (the library's Dtype order puts I64 before F64 before F32), then by
    name as text, so num_batches_tracked comes first and "10.weight" before "2.weight"; the data follows that order;
  - the header is compact JSON (serde_json: no spaces), `__metadata__` first when there is metadata (transformers'
    `save_pretrained` gives {"format": "pt"}), absent when there is none; then each tensor in data order;
  - a 0-dim tensor (num_batches_tracked) has shape []; the header is padded with spaces to a multiple of 8 bytes.
The f32 file carries {"format": "pt"}, the f64 file no metadata. Neither has FastNN's architecture: the model is built
from the description and the file loaded into it with ModelFile.LoadWeights, as load_state_dict(strict=True) would.

The model: a PyTorch module per FastNN layer, a Residual block being a module with attributes `body` (an nn.Sequential)
and, when the body changes the width, `projection` (nn.Linear without bias), y = x (or projection(x)) + body(x).
"""
import json
import os
import struct

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "safetensors", "library")
WIDTH, BATCH = 4, 6
# The library's Dtype enum order (safetensors/src/tensor.rs), of the dtypes used here; sorted descending.
DTYPE_ORDER = {"F32": 0, "F64": 1, "I64": 2}
CODES = {torch.float32: ("F32", "f"), torch.float64: ("F64", "d"), torch.int64: ("I64", "q")}

LAYERS = [
    {"type": "Linear", "out_features": 8},
    {"type": "BatchNorm1d"},
    {"type": "ReLU"},
    {"type": "Residual", "body": [{"type": "Linear", "out_features": 8}, {"type": "LayerNorm"}, {"type": "Tanh"}]},
    {"type": "Residual", "body": [{"type": "Linear", "out_features": 5}, {"type": "BatchNorm1d"}]},
    {"type": "LayerNorm"},
    {"type": "PReLU", "num_parameters": 5},
    {"type": "Dropout", "p": 0.2},
    {"type": "Linear", "out_features": 6},
    {"type": "GELU", "approximate": "none"},
    {"type": "BatchNorm1d"},
    {"type": "Linear", "out_features": 3},
]


class Residual(nn.Module):
    def __init__(self, body, width_in, width_out):
        super().__init__()
        self.body = body
        if width_in != width_out:
            self.projection = nn.Linear(width_in, width_out, bias=False)
        else:
            self.projection = None

    def forward(self, x):
        return (x if self.projection is None else self.projection(x)) + self.body(x)


def build(layers, width):
    modules = []
    for d in layers:
        t = d["type"]
        if t == "Linear":
            modules.append(nn.Linear(width, d["out_features"]))
            width = d["out_features"]
        elif t == "BatchNorm1d":
            modules.append(nn.BatchNorm1d(width))
        elif t == "LayerNorm":
            modules.append(nn.LayerNorm(width))
        elif t == "PReLU":
            modules.append(nn.PReLU(d["num_parameters"]))
        elif t == "Dropout":
            modules.append(nn.Dropout(d["p"]))
        elif t == "Residual":
            body, out = build(d["body"], width)
            modules.append(Residual(body, width, out))
            width = out
        else:
            modules.append({"ReLU": nn.ReLU(), "Tanh": nn.Tanh(), "GELU": nn.GELU()}[t])
    return nn.Sequential(*modules), width


def save_file(path, tensors, metadata):
    """As safetensors.torch.save_file(tensors, path, metadata) lays the file out."""
    entries = sorted(tensors.items(), key=lambda kv: (-DTYPE_ORDER[CODES[kv[1].dtype][0]], kv[0]))
    header, blobs, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, t in entries:
        kind, code = CODES[t.dtype]
        values = t.detach().contiguous().reshape(-1).tolist()
        blob = struct.pack("<%d%s" % (len(values), code), *values)
        header[name] = {"dtype": kind, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(20261208)
    model, _ = build(LAYERS, WIDTH)
    model = model.to(torch.float64)
    with torch.no_grad():
        for name, p in model.named_parameters():
            owner = model.get_submodule(name.rsplit(".", 1)[0])
            if isinstance(owner, (nn.BatchNorm1d, nn.LayerNorm)) and name.endswith("weight"):
                p.uniform_(0.5, 1.5)
            elif isinstance(owner, nn.PReLU):
                p.uniform_(0.05, 0.5)
            else:
                p.uniform_(-1, 1)
        model.train()
        for _ in range(3):  # running statistics and num_batches_tracked away from their defaults
            model(2 * torch.rand(8, WIDTH, dtype=torch.float64) - 1)
    model.eval()
    description = {"format": "fastnn.sequential", "version": 1, "input_size": WIDTH, "max_batch": BATCH, "layers": LAYERS}
    fixture = {"torch": torch.__version__, "model": description, "batch": BATCH}
    x = 2 * torch.rand(BATCH, WIDTH, dtype=torch.float64) - 1
    for suffix, dtype, metadata in (("f32", torch.float32, {"format": "pt"}), ("f64", torch.float64, None)):
        typed = build(LAYERS, WIDTH)[0].to(dtype)
        typed.load_state_dict({k: (v.to(dtype) if v.is_floating_point() else v) for k, v in model.state_dict().items()})
        typed.eval()
        with torch.no_grad():
            y = typed(x.to(dtype))
        save_file(os.path.join(OUT, f"residual_norms_{suffix}.safetensors"), typed.state_dict(), metadata)
        fixture["input_" + suffix] = [float(v) for v in x.to(dtype).reshape(-1).tolist()]
        fixture["output_" + suffix] = [float(v) for v in y.reshape(-1).tolist()]
    with open(os.path.join(OUT, "residual_norms.json"), "w") as f:
        json.dump(fixture, f)
    print("wrote", sorted(os.listdir(OUT)))


if __name__ == "__main__":
    main()
