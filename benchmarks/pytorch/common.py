"""Timing helpers shared by the PyTorch baseline scripts (run with Debian's /usr/bin/python3, torch 1.13)."""
import platform
import statistics
import subprocess
import time

import torch


def median_ms(fn, reps, warmup=20):
    """Median wall time of fn() in milliseconds over `reps` calls, after `warmup` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1e6


def header(title):
    model = subprocess.run("lscpu | grep 'Model name'", shell=True, capture_output=True, text=True).stdout.strip()
    print(f"# {title}")
    print(f"# {model.split(':', 1)[-1].strip()}, torch {torch.__version__}, python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    capability = [l.strip() for l in torch.__config__.show().splitlines() if "CPU capability" in l]
    print(f"# {capability[0] if capability else 'CPU capability usage: not reported'}")
