#!/usr/bin/python3
"""A short PyTorch 1.13 training run that `fastnn train` must reproduce step for step (PyTorchRunTests).

Run once with Debian's python3-torch 1.13 from this folder: /usr/bin/python3 make_pytorch_run.py
It writes, next to itself:
  pytorch_run.csv             10 rows, 3 features, a class label 0-2 (the training data, in file order)
  pytorch_run_init.safetensors the initial weights of nn.Sequential(Linear(3, 5), ReLU(), Linear(5, 3)), seed 0
                               (safetensors written with plain json and struct: u64 header length, JSON header, data)
  pytorch_run.json            the weights after 2 epochs of SGD (lr 0.1, momentum 0.9) on CrossEntropyLoss, batches
                               of 4 in file order with the last partial batch kept (DataLoader, shuffle=False), and the
                               mean training loss of each epoch
The tests never run this script; they read its committed output.
"""
import json
import os
import struct

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))

FEATURES = [
    [0.5, -1.2, 0.3], [1.5, 0.2, -0.7], [-0.4, 0.9, 1.1], [0.0, -0.3, 0.8], [2.1, 1.0, -1.5],
    [-1.3, -0.8, 0.4], [0.7, 0.6, 0.2], [-0.2, 1.7, -0.9], [1.1, -1.9, 1.3], [-0.6, 0.1, -0.1],
]
LABELS = [0, 1, 2, 0, 1, 2, 1, 0, 2, 1]


def write_safetensors(path, tensors):
    header, offset = {}, 0
    for name, t in tensors.items():
        n = t.numel() * 4
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + n]}
        offset += n
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for t in tensors.values():
            f.write(struct.pack("<%df" % t.numel(), *t.flatten().tolist()))


def main():
    with open(os.path.join(HERE, "pytorch_run.csv"), "w") as f:
        f.write("a,b,c,label\n")
        for x, y in zip(FEATURES, LABELS):
            f.write(",".join(repr(v) for v in x) + ",%d\n" % y)

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 3))
    write_safetensors(os.path.join(HERE, "pytorch_run_init.safetensors"),
                      {k: v.detach().clone() for k, v in model.state_dict().items()})

    data = torch.utils.data.TensorDataset(torch.tensor(FEATURES), torch.tensor(LABELS))
    loader = torch.utils.data.DataLoader(data, batch_size=4, shuffle=False)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(2):
        total, rows = 0.0, 0
        for x, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
            rows += len(y)
        losses.append(total / rows)
    with open(os.path.join(HERE, "pytorch_run.json"), "w") as f:
        json.dump({"torch": torch.__version__, "epoch_losses": losses,
                   "weights": {k: v.flatten().tolist() for k, v in model.state_dict().items()}}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
