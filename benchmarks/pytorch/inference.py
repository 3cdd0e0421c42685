"""PyTorch 1.13 baseline for the inference suite: the 784-256-256-10 ReLU MLP of export_mlp.py (the same weights),
evaluation mode under torch.inference_mode(), one thread, batches 1, 4, 16, 64 and 256: median time per call.
One thread for OpenBLAS too, and its SkylakeX kernels on an AVX-512 CPU, set before torch loads (blas_environment.py):
torch.set_num_threads(1) alone left OpenBLAS's pool at every core, for the products from batch 4 up.

Run (under the exclusive CPU lock, like every timing):
    /usr/bin/python3 benchmarks/pytorch/inference.py > benchmarks/pytorch/inference.txt
"""
import blas_environment

blas_environment.pin(1)

import torch  # noqa: E402  (after pin: OpenBLAS reads its environment when torch loads it)

from common import header, median_ms  # noqa: E402
from export_mlp import mlp  # noqa: E402

torch.set_num_threads(1)
model = mlp()
header("PyTorch inference, 784-256-256-10 ReLU MLP, float, 1 thread, median of 2000 calls (500 at batch 256) "
       f"({blas_environment.describe()})")
print(f"{'batch':>5} {'us/call':>10}")
with torch.inference_mode():
    for batch in (1, 4, 16, 64, 256):
        x = torch.rand(batch, 784)
        reps = 500 if batch == 256 else 2000
        print(f"{batch:>5} {median_ms(lambda: model(x), reps, warmup=200) * 1000:>10.2f}")
