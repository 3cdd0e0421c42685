#!/usr/bin/python3
"""Writes extremes/losses.json: PyTorch's value and input gradient of every built-in loss at the extremes.

Run once with Debian's python3-torch 1.13:  /usr/bin/python3 make_loss_extreme_fixtures.py
For float32 and float64 separately (each computed by PyTorch in that precision, default mean reduction): logits of
±1e30, ±3e38 and ±inf, NaN, one class, 100 classes with one dominant logit, a batch of one row, BCE targets outside
[0, 1], MSE past float's range, Huber with δ of 1, 0.5, 1e-3, 1e30 and +inf.
Values are written as strings ("inf", "nan", shortest round-trip repr) so that ±inf and NaN survive JSON. The fixture
also holds the exact values (mpmath at 200 bits from the rounded inputs, rounded to the precision; for BCE the limit
at an infinite logit; null where an input is NaN or, for the other losses, infinite), so that a test can tell
PyTorch's own rounding or its NaN at a finite limit from a FastNN error.
The tests never run this script; they read its committed output.
"""
import json
import os

import mpmath as mp
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "extremes", "losses.json")
INF = float("inf")
NAN = float("nan")
mp.mp.prec = 200


def text(v):
    v = float(v)
    return "nan" if v != v else repr(v)


def rounded(v, dtype):
    return text(torch.tensor(float(v), dtype=torch.float64).to(dtype))


def finite(values):
    return all(abs(v) != INF and v == v for v in values)


def exact_cross_entropy(x, labels, batch):
    """Mean of m + log Σ e^(x − m) − x_k over the rows; gradient (softmax − one-hot)/batch."""
    if not finite(x):
        return None, None
    classes = len(x) // batch
    total, gradient = mp.mpf(0), []
    for r in range(batch):
        row = [mp.mpf(v) for v in x[r * classes:(r + 1) * classes]]
        m = max(row)
        s = mp.fsum(mp.exp(v - m) for v in row)
        total += (m - row[labels[r]]) + mp.log(s)
        gradient += [(mp.exp(v - m) / s - (1 if c == labels[r] else 0)) / batch for c, v in enumerate(row)]
    return total / batch, gradient


def exact_bce(x, t):
    """Mean of log(1 + e^x) − x·t, its limit at an infinite logit; gradient (σ(x) − t)/N."""
    if not finite(t) or any(v != v for v in x):
        return None, None
    terms, gradient = [], []
    for v, y in zip(x, t):
        y = mp.mpf(y)
        if abs(v) == INF:  # (1 − t)·x at +∞, −t·x at −∞: ±∞, or 0 where the factor is 0
            factor = 1 - y if v > 0 else y
            terms.append(mp.inf if factor > 0 else -mp.inf if factor < 0 else mp.mpf(0))
            gradient.append(((1 if v > 0 else 0) - y) / len(x))
        else:
            v = mp.mpf(v)
            terms.append(mp.log(1 + mp.exp(v)) - v * y)
            gradient.append((1 / (1 + mp.exp(-v)) - y) / len(x))
    return mp.fsum(terms) / len(x), gradient


def exact_mse(p, t):
    if not finite(p + t):
        return None, None
    d = [mp.mpf(a) - mp.mpf(b) for a, b in zip(p, t)]
    return mp.fsum(v * v for v in d) / len(d), [2 * v / len(d) for v in d]


def exact_huber(p, t, delta):
    if not finite(p + t):
        return None, None
    d = [mp.mpf(a) - mp.mpf(b) for a, b in zip(p, t)]
    delta = mp.mpf(delta) if delta != INF else mp.inf
    terms = [v * v / 2 if abs(v) < delta else delta * (abs(v) - delta / 2) for v in d]
    return mp.fsum(terms) / len(d), [max(-delta, min(delta, v)) / len(d) for v in d]


cases = []


def add(name, loss, prediction, target, batch, delta=1.0):
    for dtype, label in [(torch.float32, "float"), (torch.float64, "double")]:
        x = torch.tensor(prediction, dtype=dtype, requires_grad=True)
        if loss == "cross_entropy":
            y = torch.tensor(target, dtype=torch.long)
            value = F.cross_entropy(x.view(batch, -1), y)
        else:
            y = torch.tensor(target, dtype=dtype)
            value = {"bce_with_logits": lambda: F.binary_cross_entropy_with_logits(x, y), "mse": lambda: F.mse_loss(x, y),
                     "huber": lambda: F.huber_loss(x, y, delta=delta)}[loss]()
        value.backward()
        xs = x.detach().tolist()
        ys = [float(v) for v in y.tolist()]
        # Huber's δ as the kernel uses it, rounded to the precision
        d = float(torch.tensor(delta, dtype=torch.float64).to(dtype))
        exact_value, exact_gradient = {"cross_entropy": lambda: exact_cross_entropy(xs, [int(v) for v in ys], batch),
                                       "bce_with_logits": lambda: exact_bce(xs, ys), "mse": lambda: exact_mse(xs, ys),
                                       "huber": lambda: exact_huber(xs, ys, d)}[loss]()
        cases.append({"name": name, "loss": loss, "delta": text(delta), "dtype": label, "batch": batch,
                      "prediction": [text(v) for v in xs], "target": [text(v) for v in ys],
                      "value": text(value.item()), "gradient": [text(v) for v in x.grad.tolist()],
                      "exact_value": None if exact_value is None else rounded(exact_value, dtype),
                      "exact_gradient": None if exact_gradient is None else [rounded(v, dtype) for v in exact_gradient]})


add("ce ±1e30, label low", "cross_entropy", [1e30, -1e30, 0.0], [1], 1)
add("ce ±1e30, label high", "cross_entropy", [1e30, -1e30, 0.0], [0], 1)
add("ce ±1e30 rows", "cross_entropy", [-1e30, -1e30, 0.0, 1e30, 1e30, 0.0], [2, 0], 2)
add("ce ±3e38", "cross_entropy", [3e38, -3e38], [1], 1)
add("ce all -1e30", "cross_entropy", [-1e30] * 4, [3], 1)
add("ce -inf, label finite", "cross_entropy", [-INF, 0.0, 1.0], [2], 1)
add("ce -inf, label -inf", "cross_entropy", [-INF, 0.0, 1.0], [0], 1)
add("ce +inf", "cross_entropy", [INF, 0.0], [0], 1)
add("ce NaN", "cross_entropy", [NAN, 0.0], [1], 1)
add("ce one class", "cross_entropy", [5.0], [0], 1)
add("ce one class, 3 rows", "cross_entropy", [5.0, 1.0, -2.0], [0, 0, 0], 3)
add("ce tie", "cross_entropy", [0.0, 0.0], [1], 1)
add("ce 100 classes, dominant", "cross_entropy", [16.0] + [0.0] * 99, [0], 1)
for batch in [1, 2]:
    for name, p, t in [("bce ±1e30", [1e30, -1e30, 1e30, -1e30], [1.0, 0.0, 0.0, 1.0]),
                       ("bce ±inf", [INF, -INF, INF, -INF], [1.0, 0.0, 0.0, 1.0]),
                       ("bce ±inf, t ½", [INF, -INF], [0.5, 0.5]),
                       ("bce NaN", [NAN, 1.0], [1.0, NAN]),
                       ("bce targets outside [0, 1]", [2.0, -3.0, 0.5, 0.0], [-0.5, 1.5, 2.0, -1.0]),
                       ("bce ±0", [-0.0, 0.0], [0.25, 0.75]),
                       ("bce saturating", [30.0, -30.0, 100.0, -100.0], [0.3, 0.7, 0.99, 0.01]),
                       ("bce ±1e-30", [1e-30, -1e-30], [0.0, 1.0])]:
        add(f"{name}, batch {batch}", "bce_with_logits", p, t, batch)
for name, p, t in [("mse ±1e20", [1e20, -1e20, 3.0, 4.0], [0.0, 0.0, 1.0, 2.0]),
                   ("mse ±1e30", [1e30, 1.0, 1.0, 1.0], [-1e30, 0.0, 0.0, 0.0]),
                   ("mse inf", [INF, 1.0], [0.0, 1.0]), ("mse inf − inf", [INF, 1.0], [INF, 1.0]),
                   ("mse NaN", [NAN, 1.0], [0.0, 1.0]), ("mse ±1e160", [1e160, 0.0], [-1e160, 0.0])]:
    add(name, "mse", p, t, 2)
add("mse one element", "mse", [3.0], [-1.0], 1)
for delta in [1.0, 0.5, 1e-3, 1e30, INF]:
    for name, p, t in [("±1e20", [1e20, -1e20, 3.0, 4.0], [0.0, 0.0, 1.0, 2.0]),
                       ("at ±δ of 1", [0.5, -0.5, 1.0, -1.0], [0.0, 0.0, 0.0, 0.0]),
                       ("inf, NaN", [INF, -INF, NAN, 2.0], [0.0, 0.0, 0.0, 0.0]),
                       ("±1e30", [1e30, -2e30, 1e-3, -5e-4], [0.0, 1.0, 0.0, 0.0])]:
        add(f"huber δ {delta} {name}", "huber", p, t, 2, delta)

with open(OUT, "w") as f:
    json.dump({"magic": "fastnn-loss-extremes-fixture", "version": 1, "torch": torch.__version__, "cases": cases}, f, indent=0)
    f.write("\n")
