"""PyTorch 1.13 baseline for the layer and loss suite (FastNN's `-- layers` report): one thread, float32, training mode.

Workloads are named "<case>-<pass>-<batch>x<features>", the same names as FastNN's LayerWorkload:
  batchnorm, layernorm, dropout (p = 0.5), residual (y = x + relu(x)), softmax, logsoftmax, prelu (one slope per
  feature), each with pass fwd or bwd; the losses ce (softmax cross-entropy on class indices), mse, bce (with logits)
  and huber (delta 1), with pass "step": the mean loss and its gradient, as FastNN's ILoss.Compute returns both.
Each pass is PyTorch's own aten kernels, called directly (no autograd bookkeeping, which would only make PyTorch
slower): forward in training mode, backward from the forward's saved tensors. Where aten has no kernel of its own the
pass is composed as autograd composes it (BCE-with-logits' gradient, the residual's add, dropout's mask product).

Standalone:  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 benchmarks/pytorch/layers.py > benchmarks/pytorch/layers.txt
             prints the median time of every workload.
--serve:     the FastNN benchmark (`-- layers`) starts this as a child and times it in paired rounds (training_step.py's
             protocol: "calibrate <workload> <ms>", "time <workload> <calls>", "info", "quit").
"""
import argparse

import torch

from common import header, median_ms, serve

CASES = ["batchnorm", "layernorm", "dropout", "residual", "softmax", "logsoftmax", "prelu"]
LOSSES = ["ce", "mse", "bce", "huber"]
SHAPES = [(64, 256), (64, 1024), (256, 256), (256, 1024)]
CE_SHAPES = [(64, 10), (256, 10), (64, 1024), (256, 1024)]
EPS = 1e-5
aten = torch.ops.aten


def names():
    out = [f"{case}-{p}-{b}x{f}" for case in CASES for p in ("fwd", "bwd") for b, f in SHAPES]
    out += [f"{loss}-step-{b}x{f}" for loss in LOSSES for b, f in (CE_SHAPES if loss == "ce" else SHAPES)]
    return out


def make(name):
    case, stage, shape = name.split("-")
    batch, features = (int(v) for v in shape.split("x"))
    torch.manual_seed(0)
    x = torch.randn(batch, features)
    dy = torch.randn(batch, features)
    w = torch.rand(features) + 0.5
    b = torch.randn(features)

    if case == "batchnorm":
        running_mean, running_var = torch.zeros(features), torch.ones(features)
        y, mean, invstd = aten.native_batch_norm(x, w, b, running_mean, running_var, True, 0.1, EPS)
        if stage == "fwd":
            return lambda: aten.native_batch_norm(x, w, b, running_mean, running_var, True, 0.1, EPS)
        return lambda: aten.native_batch_norm_backward(dy, x, w, running_mean, running_var, mean, invstd, True, EPS,
                                                       [True, True, True])
    if case == "layernorm":
        y, mean, rstd = aten.native_layer_norm(x, [features], w, b, EPS)
        if stage == "fwd":
            return lambda: aten.native_layer_norm(x, [features], w, b, EPS)
        return lambda: aten.native_layer_norm_backward(dy, x, [features], mean, rstd, w, b, [True, True, True])
    if case == "dropout":
        # nn.Dropout in training on the CPU: bernoulli_(1 - p) mask, scaled by 1/(1 - p), times x; backward dy * mask.
        mask, y, dx = torch.empty(batch, features), torch.empty(batch, features), torch.empty(batch, features)

        def forward():
            mask.bernoulli_(0.5).div_(0.5)
            torch.mul(x, mask, out=y)

        forward()
        return forward if stage == "fwd" else (lambda: torch.mul(dy, mask, out=dx))
    if case == "residual":
        # y = x + relu(x); dx = dy + dy·[x > 0]
        fx, y, dx = torch.empty(batch, features), torch.empty(batch, features), torch.empty(batch, features)

        def forward():
            torch.clamp_min(x, 0, out=fx)
            torch.add(x, fx, out=y)

        def backward():
            aten.threshold_backward.grad_input(dy, x, 0, grad_input=dx)
            dx.add_(dy)

        return forward if stage == "fwd" else backward
    if case in ("softmax", "logsoftmax"):
        fwd_op = aten._softmax if case == "softmax" else aten._log_softmax
        bwd_op = aten._softmax_backward_data if case == "softmax" else aten._log_softmax_backward_data
        y, dx = torch.empty(batch, features), torch.empty(batch, features)
        fwd_op.out(x, 1, False, out=y)
        if stage == "fwd":
            return lambda: fwd_op.out(x, 1, False, out=y)
        if case == "softmax":
            return lambda: bwd_op.out(dy, y, 1, torch.float32, grad_input=dx)
        return lambda: bwd_op.out(dy, y, 1, torch.float32, out=dx)
    if case == "prelu":
        slopes = torch.full((features,), 0.25)
        if stage == "fwd":
            return lambda: aten.prelu(x, slopes)
        return lambda: aten.prelu_backward(dy, x, slopes)
    grad = torch.empty(batch, features)
    if case == "ce":
        target = torch.randint(0, features, (batch,))
        logp = torch.empty(batch, features)
        one = torch.ones(())

        def step():
            aten._log_softmax.out(x, 1, False, out=logp)
            loss, total = aten.nll_loss_forward(logp, target, None, 1, -100)
            aten.nll_loss_backward.grad_input(one, logp, target, None, 1, -100, total, grad_input=grad)
            aten._log_softmax_backward_data.out(grad, logp, 1, torch.float32, out=grad)
            return loss

        return step
    target = torch.rand(batch, features) if case == "bce" else torch.randn(batch, features)
    one = torch.ones(())
    if case == "mse":
        def step():
            loss = aten.mse_loss(x, target, 1)
            aten.mse_loss_backward.grad_input(one, x, target, 1, grad_input=grad)
            return loss
        return step
    if case == "huber":
        def step():
            loss = aten.huber_loss(x, target, 1, 1.0)
            aten.huber_loss_backward.out(one, x, target, 1, 1.0, grad_input=grad)
            return loss
        return step
    if case == "bce":
        inverse_n = 1.0 / x.numel()

        def step():
            # autograd's formula for binary_cross_entropy_with_logits' input gradient: (σ(x) − t)·grad/N
            loss = aten.binary_cross_entropy_with_logits(x, target, None, None, 1)
            torch.sigmoid(x, out=grad)
            grad.sub_(target).mul_(inverse_n)
            return loss
        return step
    raise ValueError(f"unknown workload {name}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("workloads", nargs="*")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.serve:
        serve(make)
        return
    reps = 300
    header(f"PyTorch layers and losses, float32, {args.threads} thread(s), training mode, median of {reps} calls")
    print(f"{'workload':<26} {'us':>10}")
    for name in args.workloads or names():
        print(f"{name:<26} {median_ms(make(name), reps) * 1e3:>10.2f}")


if __name__ == "__main__":
    main()
