"""The OpenBLAS environment of a PyTorch baseline, which must be set before torch loads.

Debian's torch runs its matrix products on OpenBLAS's pthread build (torch reports BLAS_INFO=generic; libblas.so.3 is
OpenBLAS), which reads its thread count and its kernel set from the environment once, when it loads:
torch.set_num_threads(1) leaves its pool at every core (openblas_get_num_threads() reads 2 after it on the 2-core VM
here), and on an AVX-512 CPU its own detection can fall back to Prescott's SSE3 kernels (see the C# benchmarks'
Baselines/OpenBlas.cs). The C# reports set these variables for their PyTorch children (Baselines/PyTorchProcess.cs); a
script that runs on its own sets them with pin() before its first `import torch`.
"""
import os

VARIABLES = ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE"]


def cpu_has_avx512():
    """Whether the CPU has AVX-512 Foundation (Linux's /proc/cpuinfo flags; False where it cannot be read)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            return any(line.startswith("flags") and " avx512f" in line for line in f)
    except OSError:
        return False


def pin(threads):
    """OMP_NUM_THREADS and OPENBLAS_NUM_THREADS to `threads`, and on a CPU with AVX-512 OPENBLAS_CORETYPE to SkylakeX
    (overriding inherited values, as the C# benchmarks do for their own OpenBLAS). Call before torch is imported."""
    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ["OPENBLAS_NUM_THREADS"] = str(threads)
    if cpu_has_avx512():
        os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"


def describe():
    """The three variables as this process has them, for a header: "OMP_NUM_THREADS=1, ...", unset ones so named."""
    return ", ".join(f"{name}={os.environ.get(name, 'unset')}" for name in VARIABLES)
