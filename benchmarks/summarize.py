"""Turns BenchmarkDotNet's CSV reports into the side-by-side tables of RESULTS.md.

Usage: /usr/bin/python3 benchmarks/summarize.py [BenchmarkDotNet.Artifacts/results]
Reads whichever reports exist (GEMM, peak FMA, triad, activations, model, optimizers) and the PyTorch outputs
under benchmarks/pytorch/*.txt, and prints markdown: FastNN beside its baseline, the ratio of throughputs
(> 1 means FastNN is faster), and GEMM as a fraction of the FMA peak measured in the same run.
Only a formatter: every number comes from the reports; nothing here is measured.
"""
import csv
import glob
import os
import re
import sys

RESULTS = sys.argv[1] if len(sys.argv) > 1 else "BenchmarkDotNet.Artifacts/results"
PYTORCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch")
UNITS = {"ns": 1.0, "μs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}


def ns(text):
    value, unit = text.replace(",", "").split()
    return float(value) * UNITS[unit]


def rows(pattern):
    found = sorted(glob.glob(os.path.join(RESULTS, f"*{pattern}*-report.csv")))
    out = []
    for path in found:
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                row["_file"] = os.path.basename(path)
                out.append(row)
    return out


def num(text):
    try:
        return float(text.replace(",", ""))
    except (ValueError, AttributeError):
        return None


def peaks():
    """Per-core GFLOP/s of the FMA probe, keyed by (type, width)."""
    result = {}
    for row in rows("PeakFmaBenchmarks"):
        m = re.match(r"Vector(\d+)(Float|Double)", row["Method"])
        if m and num(row["GFLOP/s"]):
            result[("Single" if m.group(2) == "Float" else "Double", int(m.group(1)))] = num(row["GFLOP/s"])
    return result


def gemm():
    peak = peaks()
    if peak:
        print("### Peak FMA, one core\n")
        print("| Vector | float GFLOP/s | double GFLOP/s |\n|---|---:|---:|")
        for width in (256, 512):
            print(f"| {width} | {peak.get(('Single', width), '-')} | {peak.get(('Double', width), '-')} |")
        print()
    for suite in ("GemmSquareBenchmarks", "GemmMlpBenchmarks"):
        for element in ("Single", "Double"):
            data = [r for r in rows(f"{suite}_{element}_")]
            if not data:
                continue
            width = 512 if (element, 512) in peak else 256
            core_peak = peak.get((element, width))
            print(f"### {suite} <{'float' if element == 'Single' else 'double'}>\n")
            print(f"| Shape | Threads | FastNN median | FastNN GFLOP/s | OpenBLAS GFLOP/s | FastNN/OpenBLAS | "
                  f"FastNN/peak{width} | FastNN alloc |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|")
            keys = []
            for r in data:
                key = (r["Shape"], r["Threads"])
                if key not in keys:
                    keys.append(key)
            for shape, threads in keys:
                f = next((r for r in data if r["Method"] == "FastNN" and (r["Shape"], r["Threads"]) == (shape, threads)), None)
                o = next((r for r in data if r["Method"] == "OpenBLAS" and (r["Shape"], r["Threads"]) == (shape, threads)), None)
                fg = num(f["GFLOP/s"]) if f else None
                og = num(o["GFLOP/s"]) if o else None
                ratio = f"{fg / og:.2f}" if fg and og else "-"
                of_peak = f"{100 * fg / (core_peak * int(threads)):.0f}%" if fg and core_peak else "-"
                print(f"| {shape} | {threads} | {f['Median'] if f else '-'} | {fg or '-'} | {og or '-'} | {ratio} | "
                      f"{of_peak} | {f['Allocated'] if f else '-'} |")
            print()


def triad():
    data = rows("TriadBenchmarks")
    if not data:
        return {}
    print("### Triad bandwidth\n\n| Probe | Threads | Median | GB/s |\n|---|---:|---:|---:|")
    best = {}
    for r in data:
        print(f"| {r['Method']} | {r['Threads']} | {r['Median']} | {r['GB/s']} |")
        best[r["Threads"]] = max(best.get(r["Threads"], 0), num(r["GB/s"]) or 0)
    print()
    return best


def main():
    gemm()
    triad()


if __name__ == "__main__":
    main()
