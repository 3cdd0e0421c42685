"""Exports the inference suite's network once: a 784-256-256-10 ReLU MLP with PyTorch 1.13's seeded nn.Linear
initialization, as an ONNX file (torch.onnx.export) for ONNX Runtime and as a safetensors file of the same weights
for FastNN (state-dict names 0.weight, 0.bias, 2.weight, ..., float32, little-endian), so both run the same network.

Run once (the outputs are committed; nothing in the build or the tests runs Python):
    /usr/bin/python3 benchmarks/pytorch/export_mlp.py
"""
import json
import os
import struct

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "FastNN.Benchmarks", "Inference")
NAME = "mlp-784-256-256-10"


def mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 10)).eval()


def write_safetensors(path, tensors, metadata):
    """The safetensors layout: 8-byte little-endian header length, a JSON header, then the raw tensors in order."""
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


if __name__ == "__main__":
    model = mlp()
    torch.onnx.export(model, torch.zeros(1, 784), os.path.join(OUT, NAME + ".onnx"), input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, opset_version=13)
    architecture = {"format": "fastnn.sequential", "version": 1, "input_size": 784, "max_batch": 256, "layers": [
        {"type": "Linear", "in_features": 784, "out_features": 256, "bias": True}, {"type": "ReLU"},
        {"type": "Linear", "in_features": 256, "out_features": 256, "bias": True}, {"type": "ReLU"},
        {"type": "Linear", "in_features": 256, "out_features": 10, "bias": True}]}
    write_safetensors(os.path.join(OUT, NAME + ".safetensors"), model.state_dict(),
                      {"exported_by": "benchmarks/pytorch/export_mlp.py, torch " + torch.__version__,
                       "architecture": json.dumps(architecture, separators=(",", ":"))})
    print("wrote", NAME + ".onnx and", NAME + ".safetensors to", os.path.normpath(OUT))
