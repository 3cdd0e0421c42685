"""Makes the sample's two small model files and what the sample must print for a few rows of each, once, with
PyTorch 1.13 (the outputs are committed; nothing in the build, the tests or CI runs Python):

    breast_cancer.safetensors   30-16-1 ReLU MLP, binary (0 = malignant, 1 = benign), trained on data/breast_cancer.csv
    diabetes.safetensors        10-16-1 ReLU MLP, regression of disease progression, trained on data/diabetes.csv

Each file is a FastNN model file: tensors by state-dict name (float32) and, in __metadata__, the architecture, the task,
the class labels, the input standardization (mean and population standard deviation of the training rows), for the
regression the target standardization, and the column names, under the keys ModelFile.Load reads. The expected output
(*.expected.csv) is computed here in float64 from the same float32 weights: x' = (x - mean) / scale, the network, then
(1 - sigmoid(z), sigmoid(z)) and the more probable label, or z * target_scale + target_mean.

    /usr/bin/python3 samples/PredictCsv/models/make_models.py
"""
import csv
import json
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "..", "data")
ROWS = 5  # rows of each data set given to the sample in CI (*.rows.csv)


def read(name):
    with open(os.path.join(DATA, name)) as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:], torch.tensor([[float(v) for v in r] for r in rows[1:]], dtype=torch.float64)


def architecture(sizes):
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
        layers.append({"type": "Linear", "in_features": fan_in, "out_features": fan_out, "bias": True})
        if i < len(sizes) - 2:
            layers.append({"type": "ReLU"})
    return {"format": "fastnn.sequential", "version": 1, "input_size": sizes[0], "max_batch": 64, "layers": layers}


def write(path, model, metadata):
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for key, t in model.state_dict().items():
        data = t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[key] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def train(x, y, loss, hidden=16, epochs=300):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(x.shape[1], hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1)).double()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss(model(x).squeeze(1), y).backward()
        optimizer.step()
    return model.float()


def standardization(x):
    mean, scale = x.mean(0), x.std(0, unbiased=False)
    return mean, torch.where(scale > 0, scale, torch.ones_like(scale))


def number(v):
    return repr(float(v))


def main():
    # Binary classification.
    header, text, table = read("breast_cancer.csv")
    x, y = table[:, :-1], table[:, -1]
    mean, scale = standardization(x)
    model = train((x - mean) / scale, y, torch.nn.BCEWithLogitsLoss())
    labels = ["malignant", "benign"]
    write(os.path.join(HERE, "breast_cancer.safetensors"), model, {
        "format": "pt", "fastnn.version": "1",
        "fastnn.architecture": json.dumps(architecture([30, 16, 1]), separators=(",", ":")),
        "fastnn.task": "BinaryClassification",
        "fastnn.class_labels": json.dumps(labels),
        "fastnn.feature_names": json.dumps(header[:-1]),
        "fastnn.target_name": header[-1],
        "fastnn.input_standardization": json.dumps({"mean": mean.tolist(), "scale": scale.tolist()}),
    })
    rows = [0, 19, 100, 200, 300][:ROWS]
    write_rows("breast_cancer", header[:-1], [text[r][:-1] for r in rows])
    z = model.double()((x[rows].float().double() - mean) / scale).squeeze(1)
    p = torch.sigmoid(z)
    with open(os.path.join(HERE, "breast_cancer.expected.csv"), "w") as f:
        f.write("prediction,p(malignant),p(benign)\n")
        for pi in p.tolist():
            f.write(f"{labels[1] if pi > 1 - pi else labels[0]},{number(1 - pi)},{number(pi)}\n")

    # Regression, target standardized for training.
    header, text, table = read("diabetes.csv")
    x, y = table[:, :-1], table[:, -1]
    mean, scale = standardization(x)
    y_mean, y_scale = y.mean(), y.std(unbiased=False)
    model = train((x - mean) / scale, (y - y_mean) / y_scale, torch.nn.MSELoss())
    write(os.path.join(HERE, "diabetes.safetensors"), model, {
        "format": "pt", "fastnn.version": "1",
        "fastnn.architecture": json.dumps(architecture([10, 16, 1]), separators=(",", ":")),
        "fastnn.task": "Regression",
        "fastnn.feature_names": json.dumps(header[:-1]),
        "fastnn.target_name": header[-1],
        "fastnn.input_standardization": json.dumps({"mean": mean.tolist(), "scale": scale.tolist()}),
        "fastnn.target_standardization": json.dumps({"mean": [y_mean.item()], "scale": [y_scale.item()]}),
    })
    rows = [0, 1, 2, 3, 4][:ROWS]
    write_rows("diabetes", header[:-1], [text[r][:-1] for r in rows])
    z = model.double()((x[rows].float().double() - mean) / scale).squeeze(1)
    with open(os.path.join(HERE, "diabetes.expected.csv"), "w") as f:
        f.write(header[-1] + "\n")
        for v in (z * y_scale + y_mean).tolist():
            f.write(number(v) + "\n")
    print("wrote breast_cancer.* and diabetes.* to", HERE)


def write_rows(name, columns, rows):
    """A header naming the features (the sample checks it against the model's), then the rows' features as the data set writes them."""
    with open(os.path.join(HERE, name + ".rows.csv"), "w") as f:
        f.write(",".join(columns) + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")


if __name__ == "__main__":
    main()
