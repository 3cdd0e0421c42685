"""Timing helpers shared by the PyTorch baseline scripts (run with Debian's /usr/bin/python3, torch 1.13)."""
import platform
import sys
import statistics
import subprocess
import time

import torch

import blas_environment


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


def seconds_per_call(fn, calls):
    start = time.perf_counter_ns()
    for _ in range(calls):
        fn()
    return (time.perf_counter_ns() - start) / 1e9 / calls


def serve(make):
    """The --serve protocol of the C# paired reports (see training_step.py's docstring); make(name) builds a workload."""
    made = {}
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            break
        if words[0] == "info":
            print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {blas_environment.describe()}", flush=True)
            continue
        fn = made.get(words[1])
        if fn is None:
            fn = made[words[1]] = make(words[1])
        if words[0] == "calibrate":
            # Warm up for two slices (at least 3 calls), then count the calls of one slice.
            slice_ms = float(words[2])
            start, calls = time.perf_counter(), 0
            while (time.perf_counter() - start) * 1e3 < 2 * slice_ms or calls < 3:
                fn()
                calls += 1
            start, calls = time.perf_counter(), 0
            while (time.perf_counter() - start) * 1e3 < slice_ms or calls < 1:
                fn()
                calls += 1
            elapsed_ms = (time.perf_counter() - start) * 1e3
            print(max(1, int(calls * slice_ms / elapsed_ms)), flush=True)
        elif words[0] == "time":
            fn()  # untimed: the slice's caches are refilled before the clock starts, as on the C# side
            print(repr(seconds_per_call(fn, int(words[2]))), flush=True)
        else:
            raise ValueError(f"unknown command {line!r}")
