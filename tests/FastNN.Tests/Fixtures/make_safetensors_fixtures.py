#!/usr/bin/python3
"""Safetensors interop fixtures between PyTorch 1.13 and FastNN, in both directions.

Run with Debian's python3-torch 1.13 (no safetensors package exists there: the format is written and read here with
plain json and struct, as its specification describes: a little-endian u64 header length, a JSON header giving each
tensor's dtype, shape and data_offsets, then the raw little-endian data).

  /usr/bin/python3 make_safetensors_fixtures.py write   PyTorch -> FastNN: for each case, builds an nn.Sequential with
        random weights and trained BatchNorm statistics, puts it in eval mode and writes safetensors/pytorch/<case>_f32
        and _f64.safetensors (state_dict names, num_batches_tracked as I64, metadata format=pt and FastNN's architecture
        description) and safetensors/pytorch/<case>.json (the architecture, fixed inputs and PyTorch's outputs).
  /usr/bin/python3 make_safetensors_fixtures.py check   FastNN -> PyTorch: reads safetensors/fastnn/<case>_f32 and _f64
        .safetensors (written by FastNN, see below), builds the nn.Sequential its fastnn.architecture
        metadata describes, loads the tensors with load_state_dict(strict=True), checks its metadata and that PyTorch reproduces the outputs FastNN recorded in
        safetensors/fastnn/<case>_<dtype>.json on the same inputs (|a - r| <= tol * (1 + |r|), tol 1e-6 float, 1e-12 double).

The FastNN files come from tests/FastNN.Tests/IO/PyTorchInteropTests.cs: run the tests once with
FASTNN_WRITE_FIXTURES=<this folder>/safetensors/fastnn to (re)write them; the tests afterwards check that FastNN still
writes those exact bytes. The tests never run this script; they read its committed output.
"""
import json
import os
import struct
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
PYTORCH = os.path.join(HERE, "safetensors", "pytorch")
FASTNN = os.path.join(HERE, "safetensors", "fastnn")
DTYPES = {"F32": (torch.float32, "f", 4), "F64": (torch.float64, "d", 8), "I64": (torch.int64, "q", 8)}
TOLERANCE = {"f32": 1e-6, "f64": 1e-12}

# name: (input width, batch, FastNN layer descriptions)
CASES = {
    "mlp_relu": (4, 5, [{"type": "Linear", "out_features": 8}, {"type": "ReLU"}, {"type": "Linear", "out_features": 3}]),
    "tanh_gelu": (5, 4, [{"type": "Linear", "out_features": 6}, {"type": "Tanh"}, {"type": "Linear", "out_features": 6},
                         {"type": "GELU", "approximate": "none"}, {"type": "Linear", "out_features": 2}]),
    "batchnorm_eval": (4, 6, [{"type": "Linear", "out_features": 6}, {"type": "BatchNorm1d"}, {"type": "ReLU"},
                              {"type": "Linear", "out_features": 1}]),
    "layernorm_prelu_dropout": (3, 5, [{"type": "Linear", "out_features": 5}, {"type": "LayerNorm"},
                                       {"type": "PReLU", "num_parameters": 5}, {"type": "Dropout", "p": 0.3},
                                       {"type": "Linear", "out_features": 4}, {"type": "PReLU", "num_parameters": 1}]),
}


def description(case):
    width, batch, layers = CASES[case]
    return {"format": "fastnn.sequential", "version": 1, "input_size": width, "max_batch": batch, "layers": layers}


def build(desc, dtype):
    """The nn.Sequential a FastNN architecture description stands for."""
    width = desc["input_size"]
    modules = []
    for d in desc["layers"]:
        t = d["type"]
        if t == "Linear":
            assert d.get("in_features", width) == width
            modules.append(nn.Linear(width, d["out_features"], bias=d.get("bias", True)))
            width = d["out_features"]
        elif t == "BatchNorm1d":
            assert d.get("num_features", width) == width
            modules.append(nn.BatchNorm1d(width, eps=d.get("eps", 1e-5), momentum=d.get("momentum", 0.1)))
        elif t == "LayerNorm":
            assert d.get("normalized_shape", width) == width
            modules.append(nn.LayerNorm(width, eps=d.get("eps", 1e-5)))
        elif t == "PReLU":
            modules.append(nn.PReLU(d.get("num_parameters", 1), init=d.get("init", 0.25)))
        elif t == "Dropout":
            modules.append(nn.Dropout(d.get("p", 0.5)))
        elif t == "ReLU":
            modules.append(nn.ReLU())
        elif t == "Tanh":
            modules.append(nn.Tanh())
        elif t == "GELU":
            modules.append(nn.GELU(approximate=d.get("approximate", "none")))
        else:
            raise ValueError(t)
    return nn.Sequential(*modules).to(dtype)


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, t in tensors.items():
        kind = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}[t.dtype]
        values = t.detach().contiguous().reshape(-1).tolist()
        blob = struct.pack("<%d%s" % (len(values), DTYPES[kind][1]), *values)
        header[name] = {"dtype": kind, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned, as the safetensors library writes it
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    assert n <= len(raw) - 8, "header length past the end"
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors, end = {}, 0
    for name, entry in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        begin, stop = entry["data_offsets"]
        assert begin == end, "tensors must tile the data section"
        dtype, code, size = DTYPES[entry["dtype"]]
        count = (stop - begin) // size
        assert count * size == stop - begin
        shape = entry["shape"]
        assert count == (torch.Size(shape).numel()), name
        values = struct.unpack("<%d%s" % (count, code), data[begin:stop])
        tensors[name] = torch.tensor(values, dtype=dtype).reshape(shape)
        end = stop
    assert end == len(data), "trailing bytes"
    return tensors, metadata


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def write():
    os.makedirs(PYTORCH, exist_ok=True)
    torch.manual_seed(20261206)
    for case in CASES:
        width, batch, _ = CASES[case]
        model = build(description(case), torch.float64)
        with torch.no_grad():
            for name, p in model.named_parameters():
                owner = model.get_submodule(name.rsplit(".", 1)[0])
                if isinstance(owner, (nn.BatchNorm1d, nn.LayerNorm)) and name.endswith("weight"):
                    p.uniform_(0.5, 1.5)
                elif isinstance(owner, nn.PReLU):
                    p.uniform_(0.05, 0.5)
                else:
                    p.uniform_(-1, 1)
            # Running statistics from a few training batches, so that they and num_batches_tracked are not defaults.
            model.train()
            for _ in range(3):
                model(2 * torch.rand(8, width, dtype=torch.float64) - 1)
        model.eval()
        fixture = {"torch": torch.__version__, "model": description(case), "batch": batch}
        x = 2 * torch.rand(batch, width, dtype=torch.float64) - 1
        for suffix, dtype in (("f32", torch.float32), ("f64", torch.float64)):
            typed = build(description(case), dtype)
            typed.load_state_dict({k: (v.to(dtype) if v.is_floating_point() else v) for k, v in model.state_dict().items()})
            typed.eval()
            xi = x.to(dtype)
            with torch.no_grad():
                y = typed(xi)
            write_safetensors(os.path.join(PYTORCH, f"{case}_{suffix}.safetensors"), typed.state_dict(),
                              {"format": "pt", "fastnn.architecture": json.dumps(description(case), separators=(",", ":"))})
            fixture["input_" + suffix] = flat(xi)
            fixture["output_" + suffix] = flat(y)
        with open(os.path.join(PYTORCH, case + ".json"), "w") as f:
            json.dump(fixture, f)
    print("wrote", len(os.listdir(PYTORCH)), "files to", PYTORCH)


def check():
    checked = 0
    for case in CASES:
        for suffix, dtype in (("f32", torch.float32), ("f64", torch.float64)):
            tensors, metadata = read_safetensors(os.path.join(FASTNN, f"{case}_{suffix}.safetensors"))
            with open(os.path.join(FASTNN, f"{case}_{suffix}.json")) as f:
                recorded = json.load(f)
            assert metadata["format"] == "pt", metadata
            architecture = json.loads(metadata["fastnn.architecture"])
            assert [d["type"] for d in architecture["layers"]] == [d["type"] for d in CASES[case][2]], architecture
            for name, t in tensors.items():
                expected = torch.int64 if name.endswith("num_batches_tracked") else dtype
                assert t.dtype == expected, (name, t.dtype)
            model = build(architecture, dtype)  # the PyTorch model the FastNN file describes
            model.load_state_dict(tensors, strict=True)
            model.eval()
            width, batch, _ = CASES[case]
            x = torch.tensor(recorded["input"], dtype=dtype).reshape(batch, width)
            with torch.no_grad():
                y = model(x).reshape(-1)
            r = torch.tensor(recorded["output"], dtype=dtype)
            error = ((y - r).abs() / (1 + r.abs())).max().item()
            assert error <= TOLERANCE[suffix], f"{case}_{suffix}: PyTorch differs from FastNN by {error:.3e} (tolerance {TOLERANCE[suffix]})"
            print(f"{case}_{suffix}: {len(tensors)} tensors loaded strictly; PyTorch reproduces FastNN's outputs within {error:.2e}")
            checked += 1
    print(f"check passed: {checked} FastNN files (torch {torch.__version__})")


if __name__ == "__main__":
    steps = sys.argv[1:] or ["write", "check"]
    for step in steps:
        {"write": write, "check": check}[step]()
