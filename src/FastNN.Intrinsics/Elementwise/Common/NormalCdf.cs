using System.Numerics;
using System.Runtime.CompilerServices;

namespace FastNN.Intrinsics;

/// <summary>
/// The standard normal CDF Φ(x) = (1 + erf(x/√2))/2 and density φ(x) = exp(−x²/2)/√(2π), for the exact GELU.
/// </summary>
/// <remarks>
/// <para>There is no vector erf in .NET, so Φ is evaluated directly (which also avoids the cancellation of
/// 1 + erf(x/√2) for negative x, where PyTorch's float GELU returns 0):</para>
/// <code>
/// float:               Φ(−|x|) = 1/2 · exp(−x²/2) · G(t),  t = 3/(3 + |x|),  Φ(|x|) = 1 − Φ(−|x|)
/// double, |x| &lt; 0.75:  Φ(x) = 1/2 + x·P(x²)
/// double, |x| ≥ 0.75:  the float form with a longer G
/// </code>
/// <para>P and G are fits made by tools/fit_normal_cdf.py (mpmath, weighted least squares on Chebyshev nodes); for
/// float one G of degree 9 covers all of t ∈ (0, 1] (G(1) = 1 at x = 0), so the float kernel has no second piece
/// and no blend. Maximum relative error of Φ, including rounding in the target precision, measured over the normal
/// range (|x| &lt; 14 for float and &lt; 39 for double, where Φ underflows to 0; it is subnormal from −12.95 and −37.5): 3.3 ε for float in the script
/// (numpy, unfused Horner, numpy's exp), 3.2 ε for double; float GELU measured against a double reference over 4M
/// points: 3.6 ε with FMA, 3.7 ε without (the previous two-piece float form: 3.6 ε and 4.0 ε). exp(−x²/2) is taken
/// from an exact two-part split of the argument, since rounding x² alone would cost x²·ε: for float
/// exp(h)·(1 + l) with h + l = (−|x|/2)·|x| exactly (one FMA), for double exp(−h/2)·(1 − l/2) with h + l = x²
/// exactly (Dekker's split, which needs no FMA).</para>
/// </remarks>
internal static class NormalCdf
{
    /// <summary>Φ(x), and φ(x) in <paramref name="density"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Compute<T, TWidth, TVector>(TVector x, out TVector density)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TWidth : IVectorWidth<T, TVector> where TVector : struct =>
        typeof(T) == typeof(float) ? ComputeFloat<T, TWidth, TVector>(x, out density) : ComputeDouble<T, TWidth, TVector>(x, out density);

    /// <summary>The single-piece float form: small enough (about 40 vector operations) to inline into the driver's loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector ComputeFloat<T, TWidth, TVector>(TVector x, out TVector density)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        // Beyond 16 the tail underflows to 0 anyway; clamping keeps x² finite.
        TVector cut = TWidth.Constant(16);
        TVector ax = TWidth.Abs(x);
        ax = TWidth.Select(TWidth.LessThan(ax, cut), ax, cut);
        // −x²/2 = h + l exactly (h rounded, l by one FMA; −|x|/2 is exact), and exp(−x²/2) = exp(h)·(1 + l) since |l| ≤ ulp(h)/2.
        TVector minusHalfAx = TWidth.Multiply(ax, TWidth.Constant(-0.5));
        TVector h = TWidth.Multiply(minusHalfAx, ax);
        TVector l = TWidth.FusedMultiplyAdd(minusHalfAx, ax, TWidth.Negate(h));
        TVector e = TWidth.ExpNonPositive(h);
        density = TWidth.Multiply(TWidth.MultiplyAdd(l, e, e), TWidth.Constant(0.398942280401432677939946059934));
        // Φ(−|x|) = e^h·(G/2)·(1 + l), the correction folded into one rounding.
        TVector t = TWidth.Divide(TWidth.Constant(3), TWidth.Add(TWidth.Constant(3), ax));
        TVector halfG = HalfTailFloat<T, TWidth, TVector>(t);
        TVector lower = TWidth.Multiply(e, TWidth.MultiplyAdd(l, halfG, halfG));
        return TWidth.Select(TWidth.LessThan(x, TWidth.Constant(0)), lower, TWidth.Subtract(TWidth.Constant(1), lower));
    }

    /// <summary>The two-piece double form, as a call: inlined, its 35 Horner steps would exhaust the driver's inlining budget.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static TVector ComputeDouble<T, TWidth, TVector>(TVector x, out TVector density)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector half = TWidth.Constant(0.5);
        // Beyond the cut-off the tail underflows to 0 anyway; clamping keeps Dekker's split from overflowing.
        TVector cut = TWidth.Constant(40);
        TVector ax = TWidth.Abs(x);
        ax = TWidth.Select(TWidth.LessThan(ax, cut), ax, cut);

        // x² = h + l exactly: split ax = a1 + a2 into halves of the significand (Dekker), then l = (a1² − h) + 2·a1·a2 + a2².
        TVector c = TWidth.Multiply(ax, TWidth.Constant(134217729));
        TVector a1 = TWidth.Subtract(c, TWidth.Subtract(c, ax));
        TVector a2 = TWidth.Subtract(ax, a1);
        TVector h = TWidth.Multiply(ax, ax);
        TVector l = TWidth.Add(TWidth.Add(TWidth.Subtract(TWidth.Multiply(a1, a1), h), TWidth.Multiply(TWidth.Add(a1, a1), a2)), TWidth.Multiply(a2, a2));
        // exp(−x²/2) = exp(−h/2)·exp(−l/2), and |l| ≤ ulp(h)/2 so exp(−l/2) = 1 − l/2 to working precision.
        TVector gauss = TWidth.Multiply(TWidth.Exp(TWidth.Multiply(h, TWidth.Constant(-0.5))), TWidth.MultiplyAdd(l, TWidth.Constant(-0.5), TWidth.Constant(1)));
        density = TWidth.Multiply(gauss, TWidth.Constant(0.398942280401432677939946059934));

        TVector central = TWidth.MultiplyAdd(x, CentralDouble<T, TWidth, TVector>(h), half);

        TVector t = TWidth.Divide(TWidth.Constant(3), TWidth.Add(TWidth.Constant(3), ax));
        TVector lower = TWidth.Multiply(TWidth.Multiply(half, gauss), TailDouble<T, TWidth, TVector>(t));       // Φ(−|x|)
        TVector tail = TWidth.Select(TWidth.LessThan(x, TWidth.Constant(0)), lower, TWidth.Subtract(TWidth.Constant(1), lower));
        return TWidth.Select(TWidth.LessThan(TWidth.Abs(x), TWidth.Constant(0.75)), central, tail);
    }

    /// <summary>P(w) for double (degree 10).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector CentralDouble<T, TWidth, TVector>(TVector w)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector p = TWidth.Constant(4.4972036389074397077e-12);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, -1.1220648176066588152e-10);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, 2.2729273075267733035e-9);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, -4.1226392853321937924e-8);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, 6.6596926704968991717e-7);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, -9.4446562431430846415e-6);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, 1.1543468761417991626e-4);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, -1.1873282154803151041e-3);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, 9.9735570100358119053e-3);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, -6.6490380066905446252e-2);
        p = Polynomial.Step<T, TWidth, TVector>(p, w, 3.9894228040143267794e-1);
        return p;
    }

    /// <summary>
    /// G(t)/2 for float (degree 9, all of t ∈ (0, 1]; the fitted coefficients halved, which is exact), by pairs in t
    /// then Horner in t²: one more FMA than Horner but 5 deep instead of 9, which the latency-bound loop needs more.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector HalfTailFloat<T, TWidth, TVector>(TVector t)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector t2 = TWidth.Multiply(t, t);
        TVector p = Pair(t, -2.7583950345748942803e-2, 1.5373479022129503159e-1);
        p = TWidth.MultiplyAdd(p, t2, Pair(t, -3.2319590136105712332e-1, 2.8170737099135317718e-1));
        p = TWidth.MultiplyAdd(p, t2, Pair(t, -1.0021323703445624523e-1, 1.4224803531961126871e-1));
        p = TWidth.MultiplyAdd(p, t2, Pair(t, 1.0563417746565504718e-1, 1.3483901385294304747e-1));
        p = TWidth.MultiplyAdd(p, t2, Pair(t, 1.3282395169565764784e-1, 5.746245216994980406e-6));
        return p;

        // c1·t + c0
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static TVector Pair(TVector t, double c1, double c0) => Polynomial.Step<T, TWidth, TVector>(TWidth.Constant(c1), t, c0);
    }

    /// <summary>G(t) for double (degree 24).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector TailDouble<T, TWidth, TVector>(TVector t)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector p = TWidth.Constant(-2.4436115952953842249e-2);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, 1.7220891088387691679e-1);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, -3.7496775553782837377e-1);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, -4.9622307373140052826e-1);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, 5.0116524916307497341);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, -1.4793831581519218446e+1);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, 2.6745428022836722252e+1);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, -3.3763943754226390205e+1);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, 3.131721484394666199e+1);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, -2.201615050342733724e+1);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, 1.2146802210580526413e+1);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, -5.4677346005557276976);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, 1.9839654640310986845);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, -5.3863341839354026764e-1);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, 1.6291510383722352196e-1);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, -4.8931866926007728532e-2);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, -4.3619429969958392956e-2);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, -3.5618528426418931254e-2);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, 1.9763169632721966822e-2);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, 9.8499138106068150694e-2);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, 1.7730800340801364228e-1);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, 2.3641022522567594549e-1);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, 2.6596152075039703198e-1);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, 2.6596152025804583917e-1);
        p = Polynomial.Step<T, TWidth, TVector>(p, t, 8.8047099267839170979e-14);
        return p;
    }
}
