using FastNN.Intrinsics;
using FastNN.Tests.Threading;

namespace FastNN.Tests.Elementwise;

/// <summary>A long sum against its exact value; alone in the process, as its 40 MB would set off collections in other tests' allocation windows.</summary>
[Collection(ParallelismCollection.Name)]
public class LongSumTests
{
    [Fact]
    public void LongFloatSumsStayWithinTheBlockedBound()
    {
        // Ten million 0.1f: one running float accumulator drifts by percents (8.8 % on the scalar path). Summed in blocks
        // of 4,096 the error is at most about (4096 + n/4096)·ε·Σ|x| on any path (one lane being the worst case).
        const int n = 10_000_000;
        var x = new float[n];
        Array.Fill(x, 0.1f);
        double exact = n * (double)0.1f, bound = (4096 + n / 4096.0 + 2) * Math.ScaleB(1.0, -23) * exact;
        Assert.InRange(Reductions.Sum<float>(x), exact - bound, exact + bound);
        // The figure Reductions' remarks give for this sum on every path: the order depends only on the length and the
        // path, so each path's result is fixed (2.33, 2.34, 2.34 and 2.15·10⁻⁵ on AVX-512, AVX2, 128-bit and scalar).
        Assert.InRange(Math.Abs(Reductions.Sum<float>(x) - exact) / exact, 0, 2.4e-5);
        Assert.InRange(Reductions.SumOfSquares<float>(x), n * (double)(0.1f * 0.1f) * (1 - 2 * bound / exact), n * (double)(0.1f * 0.1f) * (1 + 2 * bound / exact));
    }
}
