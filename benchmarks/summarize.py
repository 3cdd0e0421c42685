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
                  f"FastNN/peak{width} | FastNN alloc (thread / process) |")
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
                      f"{of_peak} | {(f.get('Alloc/op (thread)', '-') + ' / ' + f['Allocated']) if f else '-'} |")
            print()


def triad():
    data = rows("TriadBenchmarks")
    if not data:
        return {}
    print("### Triad bandwidth\n\n| Probe | Elements | Threads | Median | GB/s |\n|---|---:|---:|---:|---:|")
    best = {}
    for r in data:
        length = r.get("Length", str(16 << 20))
        print(f"| {r['Method']} | {length} | {r['Threads']} | {r['Median']} | {r['GB/s']} |")
        key = (length, r["Threads"])
        best[key] = max(best.get(key, 0), num(r["GB/s"]) or 0)
    print()
    return best


def pytorch_table(name):
    """Rows of a PyTorch script's output (benchmarks/pytorch/<name>.txt), comments skipped, split on spaces."""
    path = os.path.join(PYTORCH, f"{name}.txt")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        lines = [l.split() for l in f if l.strip() and not l.startswith("#")]
    return lines[1:]  # the first line is the header


def ms(text):
    return ns(text) / 1e6


def activations():
    data = rows("ActivationBenchmarks")
    if not data:
        return
    torch = {r[0]: (float(r[1]), float(r[2])) for r in pytorch_table("activations")}

    def median(category, method):
        r = next((r for r in data if r["Categories"] == category and r["Method"].strip("'") == method), None)
        return ms(r["Median"]) if r else None

    def ratio(a, b):
        return f"{b / a:.2f}" if a and b else "-"

    def fmt(x):
        return f"{x:.3f}" if x else "-"

    print("### Activations, 1M floats, 1 thread (medians in ms; speed ratios: > 1 means FastNN is faster)\n")
    print("| Op | FastNN fwd | TP fwd | FastNN/TP | PyTorch fwd | FastNN/PyTorch | FastNN bwd | TP x3 bwd | "
          "FastNN/TP x3 | PyTorch bwd | FastNN/PyTorch | fwd+bwd FastNN/PyTorch |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    ops = []
    for r in data:
        op = r["Categories"].replace(" backward", "")
        if op not in ops:
            ops.append(op)
    for op in ops:
        f, t = median(op, "FastNN"), median(op, "TensorPrimitives")
        fb, tb = median(op + " backward", "FastNN"), median(op + " backward", "TensorPrimitives x3")
        pf, pb = torch.get(op, (None, None))
        both = ratio(f + fb, pf + pb) if f and fb and pf and pb else "-"
        print(f"| {op} | {fmt(f)} | {fmt(t)} | {ratio(f, t)} | {fmt(pf)} | {ratio(f, pf)} | {fmt(fb)} | {fmt(tb)} | "
              f"{ratio(fb, tb)} | {fmt(pb)} | {ratio(fb, pb)} | {both} |")
    print()


def optimizers(triad_best):
    data = rows("OptimizerBenchmarks")
    if not data:
        return
    torch = {(r[0], r[1], r[2]): float(r[3]) for r in pytorch_table("optimizers")}
    print("### Optimizer step, float (medians in ms; speed ratios: > 1 means FastNN is faster)\n")
    print("| Optimizer | Params | Threads | FastNN | FastNN GB/s | of triad | Loop | FastNN/Loop | PyTorch | "
          "FastNN/PyTorch | Alloc/op (thread) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in data:
        if r["Method"] != "FastNN":
            continue
        key = (r["Categories"], r["Parameters"], r["Threads"])
        loop = next((x for x in data if x["Method"] == "Loop" and (x["Categories"], x["Parameters"], x["Threads"]) == key), None)
        f = ms(r["Median"])
        l = ms(loop["Median"]) if loop else None
        p = torch.get(key)
        gbs = num(r["GB/s"])
        # 1M parameters with their state stay in L3: compare with the in-cache triad; 10M with the one beyond every cache.
        triad = triad_best.get((str(1 << 20) if int(r["Parameters"]) <= 1 << 20 else str(16 << 20), r["Threads"]))
        print(f"| {key[0]} | {key[1]} | {key[2]} | {f:.3f} | {gbs} | "
              f"{f'{100 * gbs / triad:.0f}%' if gbs and triad else '-'} | {f'{l:.3f}' if l else '-'} | "
              f"{f'{l / f:.1f}' if l else '-'} | {p if p else '-'} | {f'{p / f:.1f}' if p else '-'} | "
              f"{r.get('Alloc/op (thread)', '-')} |")
    print()


def model():
    data = rows("ModelBenchmarks")
    if not data:
        return
    print("### Model, 784-256-256-10 ReLU, float\n")
    print("| Method | Batch | Threads | Median | GFLOP/s | Alloc/op (thread) | Allocated (process) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in data:
        print(f"| {r['Method']} | {r['Batch']} | {r['Threads']} | {r['Median']} | {r['GFLOP/s']} | "
              f"{r.get('Alloc/op (thread)', '-')} | {r['Allocated']} |")
    print()


def main():
    gemm()
    best = triad()
    activations()
    optimizers(best)
    model()


if __name__ == "__main__":
    main()
