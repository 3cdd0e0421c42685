using static FastNN.Intrinsics.Gemm;

namespace FastNN.Tests.Gemm;

public class GemmArgumentTests
{
    private static readonly float[] A = new float[6], B = new float[12], C = new float[8];

    // A valid call: C (2×4) = A (2×3) · B (3×4), every stride tight.
    private static void Call(bool ta = false, bool tb = false, int m = 2, int n = 4, int k = 3, int lda = 3, int ldb = 4, int ldc = 4,
        float[]? a = null, float[]? b = null, float[]? c = null) =>
        Multiply(ta, tb, m, n, k, 1f, a ?? A, lda, b ?? B, ldb, 0f, c ?? (float[])C.Clone(), ldc);

    // The shape Call makes, with values: it is accepted and computed (integers, so every path is exact).
    [Fact]
    public void AValidCallComputesTheProduct()
    {
        float[] a = [1, 2, 3, 4, 5, 6], b = [1, 0, -1, 2, 0, 1, 2, -1, 1, 1, 0, 3], c = new float[8];
        Multiply(false, false, 2, 4, 3, 1f, a, 3, b, 4, 0f, c, 4);
        // [1 2 3; 4 5 6]·[1 0 -1 2; 0 1 2 -1; 1 1 0 3], row by column by hand
        Assert.Equal([4, 5, 3, 9, 10, 11, 6, 21], c);
    }

    [Theory]
    [InlineData("m")]
    [InlineData("n")]
    [InlineData("k")]
    public void NegativeDimensionsThrow(string name)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Call(m: name == "m" ? -1 : 2, n: name == "n" ? -1 : 4, k: name == "k" ? -1 : 3));
        Assert.Equal(name, e.ParamName);
    }

    [Fact]
    public void LeadingDimensionSmallerThanTheRowThrows()
    {
        Assert.Equal("lda", Assert.Throws<ArgumentOutOfRangeException>(() => Call(lda: 2)).ParamName);
        Assert.Equal("ldb", Assert.Throws<ArgumentOutOfRangeException>(() => Call(ldb: 3)).ParamName);
        Assert.Equal("ldc", Assert.Throws<ArgumentOutOfRangeException>(() => Call(ldc: 3)).ParamName);
        // Transposed, A is stored 3×2 and B 4×3: lda 3 and ldb 4 are fine, but lda 1 and ldb 2 are not.
        Call(ta: true, tb: true, lda: 2, ldb: 3);
        Assert.Equal("lda", Assert.Throws<ArgumentOutOfRangeException>(() => Call(ta: true, lda: 1)).ParamName);
        Assert.Equal("ldb", Assert.Throws<ArgumentOutOfRangeException>(() => Call(tb: true, ldb: 2)).ParamName);
    }

    [Fact]
    public void SpansShorterThanTheirMatrixThrow()
    {
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => Call(a: new float[5])).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => Call(b: new float[11])).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentException>(() => Call(c: new float[7])).ParamName);
        // A padded stride needs (rows - 1)·ld + cols elements, not rows·ld.
        Call(lda: 5, a: new float[8]);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => Call(lda: 5, a: new float[7])).ParamName);
    }

    [Fact]
    public void COverlappingAOrBThrows()
    {
        float[] shared = new float[40];
        var e = Assert.Throws<ArgumentException>(() =>
            Multiply(false, false, 2, 4, 3, 1f, shared.AsSpan(0, 6), 3, B, 4, 0f, shared.AsSpan(5, 8), 4));
        Assert.Equal("c", e.ParamName);
        e = Assert.Throws<ArgumentException>(() =>
            Multiply(false, false, 2, 4, 3, 1f, A, 3, shared.AsSpan(10, 12), 4, 0f, shared.AsSpan(5, 8), 4));
        Assert.Equal("c", e.ParamName);
        // Adjacent but disjoint slices of one array are fine.
        Multiply(false, false, 2, 4, 3, 1f, shared.AsSpan(0, 6), 3, shared.AsSpan(6, 12), 4, 0f, shared.AsSpan(18, 8), 4);
    }

    // Half meets the generic constraint but has no micro-kernel: a clear NotSupportedException naming the type at the
    // entry, not the runtime's "Specified type is not supported" from inside a kernel, and no block sizes derived for
    // 2-byte elements into the cache slot double's products then read.
    [Fact]
    public void AnElementTypeWithoutKernelsIsRejectedByName()
    {
        var a = new Half[4];
        var c = new Half[4];
        Assert.Contains("not Half", Assert.Throws<NotSupportedException>(() => Multiply(false, false, 2, 2, 2, Half.One, a, 2, a, 2, Half.Zero, c, 2)).Message);
        Assert.Contains("not Half", Assert.Throws<NotSupportedException>(() => Prepack<Half>(true, 2, 2, a, 2)).Message);
        Assert.Contains("not Half", Assert.Throws<NotSupportedException>(() => MaxWorkspaceBytes<Half>()).Message);
    }
}
