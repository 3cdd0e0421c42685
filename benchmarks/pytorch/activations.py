"""PyTorch 1.13 baseline for the activation suite: forward and backward kernels over 1M floats, one thread.

Run: /usr/bin/python3 benchmarks/pytorch/activations.py > benchmarks/pytorch/activations.txt
Forward uses the out= form and backward the aten backward kernel with grad_input=, so neither allocates and
the figures are PyTorch's kernels, not its autograd bookkeeping (which would only make PyTorch slower).
Backward kernels take the saved output for sigmoid/tanh and the saved input otherwise, as FastNN's do.
"""
import torch
import torch.nn.functional as F

from common import header, median_ms

N = 1 << 20
REPS = 300

torch.set_num_threads(1)
torch.manual_seed(0)
x = torch.randn(N) * 3
dy = torch.randn(N)
y = torch.empty(N)
dx = torch.empty(N)
aten = torch.ops.aten

cases = {
    # name: (forward into y, backward into dx)
    "Sigmoid": (lambda: torch.sigmoid(x, out=y),
                lambda: aten.sigmoid_backward.grad_input(dy, y, grad_input=dx)),
    "Tanh": (lambda: torch.tanh(x, out=y),
             lambda: aten.tanh_backward.grad_input(dy, y, grad_input=dx)),
    "Relu": (lambda: torch.clamp_min(x, 0, out=y),
             lambda: aten.threshold_backward.grad_input(dy, x, 0, grad_input=dx)),
    "LeakyRelu": (lambda: aten.leaky_relu.out(x, 0.01, out=y),
                  lambda: aten.leaky_relu_backward.grad_input(dy, x, 0.01, False, grad_input=dx)),
    "Elu": (lambda: aten.elu.out(x, 1.0, 1.0, 1.0, out=y),
            lambda: aten.elu_backward.grad_input(dy, 1.0, 1.0, 1.0, False, x, grad_input=dx)),
    "Gelu": (lambda: aten.gelu.out(x, approximate="none", out=y),
             lambda: aten.gelu_backward.grad_input(dy, x, approximate="none", grad_input=dx)),
    "GeluTanh": (lambda: aten.gelu.out(x, approximate="tanh", out=y),
                 lambda: aten.gelu_backward.grad_input(dy, x, approximate="tanh", grad_input=dx)),
    "Silu": (lambda: aten.silu.out(x, out=y),
             lambda: aten.silu_backward.grad_input(dy, x, grad_input=dx)),
    "Softplus": (lambda: aten.softplus.out(x, 1.0, 20.0, out=y),
                 lambda: aten.softplus_backward.grad_input(dy, x, 1.0, 20.0, grad_input=dx)),
}

header(f"PyTorch activations, {N} floats, 1 thread, median of {REPS}")
print(f"{'op':<10} {'forward ms':>11} {'backward ms':>12} {'fwd+bwd ms':>11}")
for name, (forward, backward) in cases.items():
    forward()
    f = median_ms(forward, REPS)
    b = median_ms(backward, REPS)
    print(f"{name:<10} {f:>11.4f} {b:>12.4f} {f + b:>11.4f}")
