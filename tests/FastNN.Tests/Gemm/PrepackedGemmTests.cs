using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Tests.Gemm;

/// <summary>
/// Gemm.MultiplyPrepacked against a triple loop in double: C = f(A·op(B) + bias) on the panel-rows kernel and the packed
/// GEMM (each shape on both, forced), with ragged panels, several depth blocks and every activation the kernel fuses.
/// </summary>
public class PrepackedGemmTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        // m: the row tiles of the panel kernel (1, 2, 3 = 2 + 1, 4) and the packed GEMM (5 up, whole and partial MC blocks);
        // k: 1, odd, and past KCMax (1280 on the wide paths, 384 on the others: several depth blocks);
        // n: one column, below a vector, ragged panels, whole panels, several panel groups.
        { 1, 1, 1 }, { 1, 7, 10 }, { 1, 300, 33 }, { 1, 1500, 130 }, { 2, 33, 17 }, { 3, 64, 64 }, { 4, 129, 9 },
        { 4, 700, 40 }, { 5, 20, 31 }, { 9, 300, 100 }, { 17, 1500, 33 }, { 100, 50, 10 }, { 130, 400, 70 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesTheReferenceFloat(int m, int k, int n) => Check<float>(m, k, n, transposeB: true, bias: true);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesTheReferenceDouble(int m, int k, int n) => Check<double>(m, k, n, transposeB: false, bias: true);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(40)]
    public void WithoutBias(int m) => Check<float>(m, 90, 50, transposeB: true, bias: false);

    private static void Check<T>(int m, int k, int n, bool transposeB, bool bias) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(m * 1000 + k * 7 + n);
        int lda = k + 3, ldc = n + 2, ldb = transposeB ? k : n;
        T[] a = GemmAssert.Random(rng, m, k, lda, T.CreateChecked(99));
        T[] b = GemmAssert.Random(rng, transposeB ? n : k, transposeB ? k : n, ldb, T.Zero);
        T[] bs = bias ? GemmAssert.Random(rng, 1, n, n, T.Zero) : [];
        PrepackedMatrix<T> packed = Intrinsics.Gemm.Prepack(transposeB, k, n, b, ldb);
        var c = new T[m * ldc];
        (double[] expected, double[] magnitude) = ReferenceGemm.Multiply(false, transposeB, m, n, k, T.One, a, lda, b, ldb, T.Zero, c, ldc);
        double u = GemmAssert.UnitRoundoff<T>();
        // The panel-rows kernel for every row (cut-off above m), then the packed GEMM for every row (cut-off 0), then the default.
        foreach (int cutoff in new[] { int.MaxValue, 0, Intrinsics.Gemm.PanelRowsMaxRows })
        {
            c.AsSpan().Fill(T.NaN);
            T[] original = (T[])c.Clone();
            Intrinsics.Gemm.MultiplyPrepackedWithCutoff(m, a, lda, packed, bs, Activation.Identity, c, ldc, new T[packed.WorkspaceLength], cutoff);
            string kernel = m <= cutoff ? "panel rows" : "packed GEMM";
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < ldc; j++)
                {
                    T actual = c[i * ldc + j];
                    if (j >= n)
                    {
                        Assert.True(GemmAssert.BitEquals(actual, original[i * ldc + j]), $"{kernel}: C[{i},{j}] outside the matrix was written");
                        continue;
                    }
                    double b0 = bias ? double.CreateChecked(bs[j]) : 0;
                    double want = expected[i * n + j] + b0, tolerance = GemmAssert.Bound(k, u, magnitude[i * n + j] + Math.Abs(b0), roundings: 5);
                    Assert.True(Math.Abs(double.CreateChecked(actual) - want) <= tolerance,
                        $"{kernel}: C[{i},{j}] = {actual}, expected {want} ± {tolerance} (m={m} k={k} n={n}, path {Isa.Path})");
                }
            }
        }
    }

    [Theory]
    [InlineData(ActivationKind.Relu)]
    [InlineData(ActivationKind.LeakyRelu)]
    [InlineData(ActivationKind.Elu)]
    [InlineData(ActivationKind.Gelu)]
    [InlineData(ActivationKind.GeluTanh)]
    [InlineData(ActivationKind.Silu)]
    [InlineData(ActivationKind.Sigmoid)]
    [InlineData(ActivationKind.Tanh)]
    [InlineData(ActivationKind.Softplus)]
    public void FusesTheActivation(ActivationKind kind)
    {
        // f(z + bias) against the unfused product followed by Rows.AddBiasActivation, on both kernels.
        Activation activation = kind switch
        {
            ActivationKind.LeakyRelu => Activation.LeakyRelu(0.2),
            ActivationKind.Elu => Activation.Elu(0.7),
            ActivationKind.Softplus => Activation.Softplus(2, 3),
            ActivationKind.Gelu => Activation.Gelu,
            ActivationKind.GeluTanh => Activation.GeluTanh,
            ActivationKind.Silu => Activation.Silu,
            ActivationKind.Sigmoid => Activation.Sigmoid,
            ActivationKind.Tanh => Activation.Tanh,
            _ => Activation.Relu,
        };
        var rng = new Random((int)kind);
        foreach (int m in new[] { 1, 3, 30 })
        {
            const int k = 40, n = 37;
            double[] a = GemmAssert.Random(rng, m, k, k, 0.0), w = GemmAssert.Random(rng, n, k, k, 0.0), bias = GemmAssert.Random(rng, 1, n, n, 0.0);
            PrepackedMatrix<double> packed = Intrinsics.Gemm.Prepack<double>(true, k, n, w, k);
            var c = new double[m * n];
            Intrinsics.Gemm.MultiplyPrepacked<double>(m, a, k, packed, bias, activation, c, n, new double[packed.WorkspaceLength]);
            var expected = new double[m * n];
            Intrinsics.Gemm.Multiply(false, true, m, n, k, 1.0, a, k, w, k, 0.0, expected, n);
            Rows.AddBiasActivation<double>(expected, bias, m, n, activation);
            for (int i = 0; i < c.Length; i++)
                Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-13 * (1 + Math.Abs(expected[i])), $"{kind} m={m} [{i}]: {c[i]} against {expected[i]}");
        }
    }

    [Theory]
    [InlineData(40)]
    [InlineData(1500)]
    public void ARowDoesNotDependOnTheRowsAroundIt(int k)
    {
        // Every element gets the same arithmetic on the panel kernel and on the packed GEMM, whatever rows are around it:
        // calls of 1 to 17 rows on either kernel (forced) and on the default choice, against one call of 37 on the GEMM.
        const int m = 37, n = 45;
        var rng = new Random(k);
        float[] a = GemmAssert.Random(rng, m, k, k, 0f), w = GemmAssert.Random(rng, n, k, k, 0f), bias = GemmAssert.Random(rng, 1, n, n, 0f);
        PrepackedMatrix<float> packed = Intrinsics.Gemm.Prepack<float>(true, k, n, w, k);
        var workspace = new float[packed.WorkspaceLength];
        var whole = new float[m * n];
        Intrinsics.Gemm.MultiplyPrepackedWithCutoff<float>(m, a, k, packed, bias, Activation.Gelu, whole, n, workspace, 0);
        foreach (int cutoff in new[] { int.MaxValue, 0, Intrinsics.Gemm.PanelRowsMaxRows })
        {
            foreach (int rows in new[] { 1, 2, 3, 4, 5, 8, 17 })
            {
                var part = new float[m * n];
                for (int i = 0; i < m; i += rows)
                {
                    int r = Math.Min(rows, m - i);
                    Intrinsics.Gemm.MultiplyPrepackedWithCutoff<float>(r, a.AsSpan(i * k, r * k), k, packed, bias, Activation.Gelu, part.AsSpan(i * n, r * n), n, workspace, cutoff);
                }
                for (int i = 0; i < whole.Length; i++)
                    Assert.True(GemmAssert.BitEquals(whole[i], part[i]), $"calls of {rows} rows, cut-off {cutoff}: C[{i / n},{i % n}] = {part[i]}, {whole[i]} in one call of {m} on the GEMM (path {Isa.Path})");
            }
        }
    }

    [Fact]
    public void EitherPanelOrderGivesTheSameBits()
    {
        // The panel-rows kernel goes over the panels left to right and right to left on alternate calls: four calls in
        // a row (both orders twice) give the GEMM's bits. 221 columns: 7 panels of 32 (a group of 4, of 2 and of 1)
        // on AVX-512 float, more and narrower panels on the other paths, ragged at the end.
        const int k = 300, n = 221;
        var rng = new Random(8);
        foreach (int m in new[] { 1, 2, 4 })
        {
            float[] a = GemmAssert.Random(rng, m, k, k, 0f), w = GemmAssert.Random(rng, n, k, k, 0f), bias = GemmAssert.Random(rng, 1, n, n, 0f);
            PrepackedMatrix<float> packed = Intrinsics.Gemm.Prepack<float>(true, k, n, w, k);
            var workspace = new float[packed.WorkspaceLength];
            var gemm = new float[m * n];
            Intrinsics.Gemm.MultiplyPrepackedWithCutoff<float>(m, a, k, packed, bias, Activation.Relu, gemm, n, workspace, 0);
            for (int call = 0; call < 4; call++)
            {
                var c = new float[m * n];
                Intrinsics.Gemm.MultiplyPrepackedWithCutoff<float>(m, a, k, packed, bias, Activation.Relu, c, n, workspace, int.MaxValue);
                for (int i = 0; i < c.Length; i++)
                    Assert.True(GemmAssert.BitEquals(gemm[i], c[i]), $"m={m}, call {call}: C[{i / n},{i % n}] = {c[i]}, {gemm[i]} on the GEMM (path {Isa.Path})");
            }
        }
    }

    [Fact]
    public void RejectsBadArguments()
    {
        float[] w = new float[6 * 4];
        PrepackedMatrix<float> packed = Intrinsics.Gemm.Prepack<float>(true, 4, 6, w, 4);
        float[] a = new float[2 * 4], c = new float[2 * 6], ws = new float[packed.WorkspaceLength];
        Assert.Throws<ArgumentOutOfRangeException>("ldb", () => Intrinsics.Gemm.Prepack<float>(true, 4, 6, w, 3));
        Assert.Throws<ArgumentException>("b", () => Intrinsics.Gemm.Prepack<float>(true, 4, 6, w.AsSpan(1), 4));
        Assert.Throws<ArgumentOutOfRangeException>("m", () => Intrinsics.Gemm.MultiplyPrepacked<float>(-1, a, 4, packed, [], Activation.Relu, c, 6, ws));
        Assert.Throws<ArgumentOutOfRangeException>("lda", () => Intrinsics.Gemm.MultiplyPrepacked<float>(2, a, 3, packed, [], Activation.Relu, c, 6, ws));
        Assert.Throws<ArgumentException>("a", () => Intrinsics.Gemm.MultiplyPrepacked<float>(3, a, 4, packed, [], Activation.Relu, new float[18], 6, ws));
        Assert.Throws<ArgumentException>("c", () => Intrinsics.Gemm.MultiplyPrepacked<float>(2, a, 4, packed, [], Activation.Relu, c.AsSpan(1), 6, ws));
        Assert.Throws<ArgumentException>("bias", () => Intrinsics.Gemm.MultiplyPrepacked<float>(2, a, 4, packed, new float[5], Activation.Relu, c, 6, ws));
        Assert.Throws<ArgumentException>("c", () => Intrinsics.Gemm.MultiplyPrepacked<float>(1, c, 4, packed, [], Activation.Relu, c.AsSpan(2), 6, ws));
        Assert.Throws<ArgumentNullException>("b", () => Intrinsics.Gemm.MultiplyPrepacked<float>(2, a, 4, null!, [], Activation.Relu, c, 6, ws));
        if (packed.WorkspaceLength > 0)
            Assert.Throws<ArgumentException>("workspace", () => Intrinsics.Gemm.MultiplyPrepacked<float>(2, a, 4, packed, [], Activation.Relu, c, 6, []));
    }

    [Fact]
    public void ABThatWouldPackPastOneArrayIsRefusedNamingB()
    {
        // One column k deep packs into k panel rows NR wide: past Array.MaxLength / NR rows (67 million on AVX-512 float,
        // a B of 268 MB) more than one array holds. Before: an OverflowException naming nothing (the packed length's
        // checked cast), or just below it the runtime's "Array dimensions exceeded supported range".
        int nr = BlockSizes.Tile(Isa.Path, sizeof(float)).NR;
        foreach (int k in new[] { Array.MaxLength / nr + 1, int.MaxValue / nr })
        {
            // Never read: the refusal comes before any packing, so its pages are never touched (2 GiB reserved on the scalar path).
            float[] b = GC.AllocateUninitializedArray<float>(k);
            var e = Assert.Throws<ArgumentException>("b", () => Intrinsics.Gemm.Prepack<float>(false, k, 1, b, 1));
            Assert.Contains($"B ({k}x1) packed into panels of {nr} columns takes {(long)k * nr} elements", e.Message);
            Assert.Throws<ArgumentException>("b", () => Intrinsics.Gemm.Prepack<float>(true, k, 1, b, k));
        }
    }

    [Theory]
    [MemberData(nameof(FastNN.Tests.Elementwise.RowsTests.OutOfFloatRange), MemberType = typeof(FastNN.Tests.Elementwise.RowsTests))]
    public void RefusesAnActivationParameterOutOfRangeInT(string name)
    {
        // Before: converted to float as 0 or +∞ and applied (softplus with β = 0: +∞ everywhere), where
        // Activations.Softplus/LeakyRelu/Elu<float> refuse the same parameter.
        Activation activation = FastNN.Tests.Elementwise.RowsTests.OutOfFloatRangeActivation(name);
        PrepackedMatrix<float> packed = Intrinsics.Gemm.Prepack<float>(false, 1, 2, [1f, 1f], 2);
        float[] c = new float[2], ws = new float[packed.WorkspaceLength];
        Assert.Throws<ArgumentOutOfRangeException>("activation", () => Intrinsics.Gemm.MultiplyPrepacked<float>(1, [-1f], 1, packed, [0f, 1f], activation, c, 2, ws));
        Assert.Throws<ArgumentOutOfRangeException>("activation", () => Intrinsics.Gemm.MultiplyPrepacked<float>(0, [], 1, packed, [], activation, [], 2, ws));
        Assert.Equal([0f, 0f], c);
    }

    [Fact]
    public void AWorkspaceSharingMemoryWithACOrTheBiasIsRejectedOnEveryPath()
    {
        // Before: accepted, and where the path packs A into the workspace (AVX-512 double, scalar) C came out wrong.
        const int m = 16, k = 64, n = 24;
        var random = new Random(3);
        double[] w = Layers.TestData.Uniform(random, n * k, 1);
        PrepackedMatrix<double> packed = Intrinsics.Gemm.Prepack<double>(true, k, n, w, k);
        int length = packed.WorkspaceLength;
        double[] shared = new double[length + m * k + m * n + n];
        Span<double> a = shared.AsSpan(length, m * k), c = shared.AsSpan(length + m * k, m * n), bias = shared.AsSpan(length + m * k + m * n, n);
        Layers.TestData.Uniform(random, m * k, 1).CopyTo(a);
        double[] separateC = new double[m * n], separateA = a.ToArray(), separateBias = new double[n];
        Assert.Throws<ArgumentException>("workspace", () =>
            Intrinsics.Gemm.MultiplyPrepacked<double>(m, separateA, k, packed, [], Activation.Identity, shared.AsSpan(length / 2, m * n), n, shared.AsSpan(0, length + 1)));
        Assert.Throws<ArgumentException>("workspace", () =>
            Intrinsics.Gemm.MultiplyPrepacked<double>(m, shared.AsSpan(length, m * k), k, packed, [], Activation.Identity, separateC, n, shared.AsSpan(0, length + 1)));
        Assert.Throws<ArgumentException>("workspace", () =>
            Intrinsics.Gemm.MultiplyPrepacked<double>(m, separateA, k, packed, shared.AsSpan(0, n), Activation.Identity, separateC, n, shared.AsSpan(0, Math.Max(length, 1))));
        // Adjacent slices of one array are fine, and agree with separate arrays.
        Intrinsics.Gemm.MultiplyPrepacked<double>(m, a, k, packed, bias, Activation.Identity, c, n, shared.AsSpan(0, length));
        Intrinsics.Gemm.MultiplyPrepacked<double>(m, separateA, k, packed, separateBias, Activation.Identity, separateC, n, new double[length]);
        Assert.Equal(separateC, c.ToArray());
    }

    [Fact]
    public void ZeroDepthGivesTheActivationOfTheBias()
    {
        PrepackedMatrix<double> packed = Intrinsics.Gemm.Prepack<double>(false, 0, 3, [], 3);
        var c = new double[2 * 3];
        c.AsSpan().Fill(double.NaN);
        Intrinsics.Gemm.MultiplyPrepacked<double>(2, new double[2], 1, packed, [-1.0, 0.5, 2.0], Activation.Relu, c, 3, new double[packed.WorkspaceLength]);
        Assert.Equal([0, 0.5, 2, 0, 0.5, 2], c);
    }
}
