"""PyTorch 1.13 baseline for the optimizer suite: one step() on a single float32 tensor of 1M and 10M parameters.

Run: /usr/bin/python3 benchmarks/pytorch/optimizers.py > benchmarks/pytorch/optimizers.txt
Hyper-parameters match the C# suite: SGD lr 0.01 momentum 0.9; RMSprop, Adam and AdamW at their defaults
(AdamW weight_decay 0.01). torch 1.13 has no fused CPU optimizers; foreach is left at its default.
"""
import torch

from common import header, median_ms

SIZES = [1 << 20, 10 << 20]  # the C# suite's 1M and 10M: 1,048,576 and 10,485,760
THREADS = [1, 2]

makers = {
    "Sgd": lambda p: torch.optim.SGD([p], lr=0.01, momentum=0.9),
    "RmsProp": lambda p: torch.optim.RMSprop([p]),
    "Adam": lambda p: torch.optim.Adam([p]),
    "AdamW": lambda p: torch.optim.AdamW([p]),
}

header("PyTorch optimizer step, float32, median")
print(f"{'optimizer':<9} {'params':>10} {'threads':>7} {'step ms':>9} {'reps':>5}")
for threads in THREADS:
    torch.set_num_threads(threads)
    for n in SIZES:
        reps = 200 if n < (4 << 20) else 20
        for name, make in makers.items():
            torch.manual_seed(0)
            p = torch.nn.Parameter(torch.randn(n) * 0.1)
            p.grad = torch.randn(n) * 0.01
            opt = make(p)
            ms = median_ms(opt.step, reps, warmup=3)
            print(f"{name:<9} {n:>10} {threads:>7} {ms:>9.3f} {reps:>5}")
