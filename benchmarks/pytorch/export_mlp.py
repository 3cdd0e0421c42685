"""Exports the inference suite's networks once: ReLU MLPs with PyTorch 1.13's seeded nn.Linear initialization
(torch.manual_seed(0) before each), each as an ONNX file (torch.onnx.export) for ONNX Runtime and as a FastNN model
file of the same weights (safetensors: state-dict names 0.weight, 0.bias, 2.weight, ..., float32, little-endian; in
__metadata__ the keys ModelFile.Load reads: format "pt", fastnn.version "1", fastnn.architecture), so both run the
same network and FastNN loads it with ModelFile.Load / Predictor<float>.Load.

    784-256-256-10  the issue's network: 1.08 MB of float weights, just over a 1 MiB L2
    256-256-256-10  0.54 MB: inside the L2 of every CPU the project runs on (1-2 MiB per core)
    512-512-512-10  2.12 MB: twice a 1 MiB L2, streamed from L3 at batch 1

Run once (the outputs are committed; nothing in the build or the tests runs Python):
    /usr/bin/python3 benchmarks/pytorch/export_mlp.py
"""
import json
import os
import struct

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "FastNN.Benchmarks", "Inference")
SIZES = [(784, 256, 256, 10), (256, 256, 256, 10), (512, 512, 512, 10)]


def name(sizes):
    return "mlp-" + "-".join(str(s) for s in sizes)


def mlp(sizes=SIZES[0]):
    """Linear, ReLU, ..., Linear: PyTorch's default initialization after torch.manual_seed(0), evaluation mode."""
    torch.manual_seed(0)
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
        layers.append(torch.nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers).eval()


def architecture(sizes):
    """The model's description as Sequential.ToJson writes it (fastnn.architecture)."""
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
        layers.append({"type": "Linear", "in_features": fan_in, "out_features": fan_out, "bias": True})
        if i < len(sizes) - 2:
            layers.append({"type": "ReLU"})
    return {"format": "fastnn.sequential", "version": 1, "input_size": sizes[0], "max_batch": 256, "layers": layers}


def write_safetensors(path, tensors, metadata):
    """The safetensors layout: 8-byte little-endian header length, a JSON header, then the raw tensors in order."""
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for key, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[key] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
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
    for sizes in SIZES:
        model, stem = mlp(sizes), name(sizes)
        torch.onnx.export(model, torch.zeros(1, sizes[0]), os.path.join(OUT, stem + ".onnx"), input_names=["x"],
                          output_names=["y"], dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, opset_version=13)
        write_safetensors(os.path.join(OUT, stem + ".safetensors"), model.state_dict(), {
            "format": "pt",
            "fastnn.version": "1",
            "fastnn.architecture": json.dumps(architecture(sizes), separators=(",", ":")),
            "exported_by": "benchmarks/pytorch/export_mlp.py, torch " + torch.__version__,
        })
        print("wrote", stem + ".onnx and", stem + ".safetensors to", os.path.normpath(OUT))
