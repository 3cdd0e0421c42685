"""Fits the polynomials of FastNN's normal CDF Φ (used by the exact GELU) and prints them as C# constants.

Run once with /usr/bin/python3 (numpy + mpmath); the output is pasted into
src/FastNN.Intrinsics/Elementwise/NormalCdf.cs. Nothing at build or test time needs this script.

Form (x ≥ 0 after taking |x|):
  |x| <  A:  Φ(x) = 1/2 + x·P(x²)
  |x| >= A:  Φ(-|x|) = 1/2 · exp(-x²/2) · G(t),  t = C / (C + |x|)
A = 0.75 for double; for float A = 0: one G of degree 9 covers the whole range t in (0, 1] (x = 0 is t = 1, G = 1),
which saves the central polynomial and the blend in the float kernel.
P and G are least-squares fits on Chebyshev nodes in mpmath (60 digits) weighted for relative error;
the printed maximum errors are measured by evaluating the rounded coefficients with Horner in the
target precision (numpy float64 / float32) against mpmath.
"""
import mpmath as mp
import numpy as np

mp.mp.dps = 60
A = mp.mpf("0.75")
C = mp.mpf(3)


def phi_minus(x):          # Φ(-x)
    return mp.erfc(x / mp.sqrt(2)) / 2


def g_of_t(t):             # G(t) = 2 Φ(-x) exp(x²/2) with x = C (1 - t) / t
    if t == 1:
        return mp.mpf(1)
    x = C * (1 - t) / t
    return mp.erfc(x / mp.sqrt(2)) * mp.exp(x * x / 2)


def p_of_w(w):             # P(w) = (Φ(x) - 1/2) / x with w = x²
    if w == 0:
        return 1 / mp.sqrt(2 * mp.pi)
    x = mp.sqrt(w)
    return (mp.erf(x / mp.sqrt(2)) / 2) / x


def fit(f, lo, hi, degree, nodes=400):
    ts = [lo + (hi - lo) * (1 + mp.cos(mp.pi * (k + mp.mpf(1) / 2) / nodes)) / 2 for k in range(nodes)]
    ys = [f(t) for t in ts]
    a = mp.matrix(nodes, degree + 1)
    b = mp.matrix(nodes, 1)
    for i, (t, y) in enumerate(zip(ts, ys)):
        for j in range(degree + 1):
            a[i, j] = t ** j / y
        b[i] = 1
    q, r = mp.qr(a)
    c = mp.lu_solve(r[: degree + 1, : degree + 1], (q.T * b)[: degree + 1, 0])
    return [c[j] for j in range(degree + 1)]


def horner(coefs, t, dtype):
    acc = dtype(coefs[-1])
    for c in reversed(coefs[:-1]):
        acc = acc * t + dtype(c)
    return acc


def phi_eval(x, p, g, dtype, a):
    x = dtype(x)
    ax = abs(x)
    if ax < dtype(a):
        return dtype(0.5) + x * horner(p, x * x, dtype)
    t = dtype(C) / (dtype(C) + ax)
    # exp(-x²/2) with x² split into hi + lo (hi = x·x rounded, lo its exact error, an FMA in the kernel)
    hi = x * x
    lo = dtype(mp.mpf(float(x)) ** 2 - mp.mpf(float(hi)))
    e = np.exp(-hi / dtype(2)) * (dtype(1) - lo / dtype(2))
    q = dtype(0.5) * e * horner(g, t, dtype)
    return q if x < 0 else dtype(1) - q


def report(name, dtype, xmax, pdeg, gdeg, a=A):
    tmin = C / (C + xmax)
    p = fit(p_of_w, mp.mpf(0), a * a, pdeg) if a > 0 else []
    g = fit(g_of_t, tmin, C / (C + a), gdeg)
    worst = 0.0
    with np.errstate(all="ignore"):
        for x in np.concatenate([np.linspace(-float(xmax), float(xmax), 6001), np.linspace(-1, 1, 1001)]):
            xr = dtype(x)
            exact = mp.mpf(float(xr))
            ref = phi_minus(-exact)
            got = phi_eval(xr, p, g, dtype, a)
            if ref < mp.mpf(float(np.finfo(dtype).tiny)):
                continue
            worst = max(worst, float(abs((mp.mpf(float(got)) - ref) / ref)))
    eps = float(np.finfo(dtype).eps)
    pieces = f"P degree {pdeg}, G degree {gdeg}" if a > 0 else f"G degree {gdeg} alone"
    print(f"// {name}: {pieces}, |x| < {float(xmax)}: max relative error {worst:.3g} = {worst / eps:.2f} eps")
    print(f"// P ({name})")
    for c in p:
        print(f"    {mp.nstr(c, 20, min_fixed=-1, max_fixed=-1)},")
    print(f"// G ({name})")
    for c in g:
        print(f"    {mp.nstr(c, 20, min_fixed=-1, max_fixed=-1)},")


if __name__ == "__main__":
    import sys
    which = sys.argv[1] if len(sys.argv) > 1 else "both"
    if which in ("float", "both"):
        report("float", np.float32, mp.mpf(14), 0, int(sys.argv[2]) if len(sys.argv) > 2 else 9, mp.mpf(0))
    if which in ("double", "both"):
        report("double", np.float64, mp.mpf(39), int(sys.argv[3]) if len(sys.argv) > 3 else 9, int(sys.argv[4]) if len(sys.argv) > 4 else 22)


def tanh_report(name, dtype, degree, bound=mp.mpf("0.55")):
    """tanh(x) = x + x·w·T(w), w = x², for |x| < 0.55 (above it the kernel uses 1 − 2/(e^{2|x|} + 1))."""
    t = fit(lambda w: (mp.tanh(mp.sqrt(w)) / mp.sqrt(w) - 1) / w if w > 0 else mp.mpf(-1) / 3, mp.mpf(0), bound * bound, degree)
    worst = 0.0
    for x in np.linspace(1e-6, float(bound), 4001):
        xr = dtype(x)
        got = xr + xr * (xr * xr) * horner(t, xr * xr, dtype)
        ref = mp.tanh(mp.mpf(float(xr)))
        worst = max(worst, float(abs((mp.mpf(float(got)) - ref) / ref)))
    eps = float(np.finfo(dtype).eps)
    print(f"// tanh {name}: T degree {degree}, |x| < {float(bound)}: max relative error {worst:.3g} = {worst / eps:.2f} eps")
    for c in t:
        print(f"    {mp.nstr(c, 20, min_fixed=-1, max_fixed=-1)},")
