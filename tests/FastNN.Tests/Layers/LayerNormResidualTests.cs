using System.Numerics;
using System.Runtime.CompilerServices;
using FastNN.Intrinsics;
using FastNN.Layers;
using FastNN.Models;
using FastNN.Tests.Gradients;

namespace FastNN.Tests.Layers;

/// <summary>
/// Review of Arithmetic.Add, Elementwise.Sweep, the two-pass LayerNormBackward and Residual's backward: IEEE special
/// values and signed zeros through every part of Add (aligning head, widest vectors, narrower widths, single elements),
/// every partial overlap refused, LayerNorm backward against a double reference with dγ/dβ accumulated over two calls,
/// and Residual's dx overwritten (not accumulated) inside Sequential, with and without a projection.
/// </summary>
public class LayerNormResidualTests
{
    [Fact]
    public void FloatAddKeepsIeeeSpecialValuesAndSignedZeros() => Specials<float>();

    [Fact]
    public void DoubleAddKeepsIeeeSpecialValuesAndSignedZeros() => Specials<double>();

    private static void Specials<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] values = [T.NaN, T.PositiveInfinity, T.NegativeInfinity, T.NegativeZero, T.Zero, T.One, -T.One, T.CreateSaturating(double.MaxValue), -T.CreateSaturating(double.MaxValue), T.Epsilon, -T.Epsilon];
        // Every ordered pair, so each special meets each other special in each lane position as the start moves.
        T[] xs = [.. values.SelectMany(a => values.Select(_ => a))], ys = [.. values.SelectMany(_ => values)];
        int line = 64 / Unsafe.SizeOf<T>();
        for (int offset = 0; offset < line; offset++)
        {
            // Short spans from the first pair on, then every suffix, so that each pair also lands in each part of the kernel.
            int[] lengths = [0, 1, 2, 3, line - 1, line, line + 1, 2 * line + 5];
            foreach ((int start, int n) in lengths.Select(n => (0, n)).Concat(Enumerable.Range(0, xs.Length).Select(s => (s, xs.Length - s))))
            {
                var buffer = new T[offset + n];
                Span<T> d = buffer.AsSpan(offset, n);
                ReadOnlySpan<T> x = xs.AsSpan(start, n), y = ys.AsSpan(start, n);
                Arithmetic.Add(x, y, d);
                for (int i = 0; i < n; i++)
                {
                    // The IEEE sum, from double (exact for two T's, then rounded once; the sign of a zero sum follows the rule:
                    // −0 only for −0 + −0 under round to nearest).
                    double a = double.CreateTruncating(x[i]), b = double.CreateTruncating(y[i]);
                    T expected = T.CreateTruncating(a + b);
                    if (a == 0 && b == 0)
                        expected = double.IsNegative(a) && double.IsNegative(b) ? T.NegativeZero : T.Zero;
                    string where = $"{typeof(T).Name} offset {offset} n {n} i {i}: {x[i]} + {y[i]} gave {d[i]}";
                    if (T.IsNaN(expected))
                        Assert.True(T.IsNaN(d[i]), where);
                    else
                        Assert.True(expected.Equals(d[i]) && T.IsNegative(expected) == T.IsNegative(d[i]), where);
                }
            }
        }
    }

    [Fact]
    public void AddRefusesEveryPartialOverlapAndAcceptsEmptyAndSingle()
    {
        const int N = 40;
        float[] buffer = new float[2 * N], other = new float[N];
        for (int shift = 1; shift < N; shift++)
        {
            Assert.Throws<ArgumentException>("destination", () => Arithmetic.Add<float>(buffer.AsSpan(0, N), other, buffer.AsSpan(shift, N)));
            Assert.Throws<ArgumentException>("destination", () => Arithmetic.Add<float>(other, buffer.AsSpan(shift, N), buffer.AsSpan(0, N)));
        }
        Assert.Throws<ArgumentException>("y", () => Arithmetic.Add<double>(new double[3], new double[4], new double[3]));
        Assert.Throws<ArgumentException>("destination", () => Arithmetic.Add<double>(new double[0], new double[0], new double[1]));
        Arithmetic.Add<double>([], [], []);
        double[] one = [1.5];
        Arithmetic.Add<double>(one, one, one);
        Assert.Equal(3.0, one[0]);
    }

    [Fact]
    public void FloatLayerNormBackwardAccumulatesOverTwoCalls() => Backward<float>(1e-4);

    [Fact]
    public void DoubleLayerNormBackwardAccumulatesOverTwoCalls() => Backward<double>(1e-11);

    private static void Backward<T>(double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(21);
        foreach ((int rows, int f) in new[] { (1, 1), (3, 1), (1, 7), (2, 15), (1, 16), (2, 17), (1, 31), (2, 33), (2, 65) })
        {
            T[] x = Elementwise.TestData.Finite<T>(rng, rows * f, 2), gamma = Elementwise.TestData.Finite<T>(rng, f, 1.5), beta = new T[f];
            T[] mean = new T[rows], rstd = new T[rows];
            Normalization.LayerNormForward<T>(new T[rows * f], mean, rstd, x, gamma, beta, rows, f, T.CreateTruncating(1e-5));
            // dγ and dβ start at arbitrary values and live at an odd offset of larger buffers.
            T[] dgammaBuffer = Elementwise.TestData.Finite<T>(rng, f + 3, 1), dbetaBuffer = Elementwise.TestData.Finite<T>(rng, f + 1, 1);
            double[] expectedDGamma = [.. dgammaBuffer.Skip(3).Select(double.CreateTruncating)];
            double[] expectedDBeta = [.. dbetaBuffer.Skip(1).Select(double.CreateTruncating)];
            for (int call = 0; call < 2; call++)
            {
                T[] dy = Elementwise.TestData.Finite<T>(rng, rows * f, 1);
                var dx = new T[rows * f + 1];
                dx[^1] = T.CreateTruncating(7);
                Normalization.LayerNormBackward(call == 0 ? dx.AsSpan(0, rows * f) : [], dgammaBuffer.AsSpan(3), dbetaBuffer.AsSpan(1), dy, x, mean, rstd, gamma, rows, f);
                Assert.Equal(T.CreateTruncating(7), dx[^1]);
                for (int r = 0; r < rows; r++)
                {
                    double m = double.CreateTruncating(mean[r]), s = double.CreateTruncating(rstd[r]);
                    double sumDxHat = 0, sumDxHatXHat = 0;
                    for (int c = 0; c < f; c++)
                    {
                        double xHat = (double.CreateTruncating(x[r * f + c]) - m) * s, g = double.CreateTruncating(dy[r * f + c]);
                        expectedDGamma[c] += g * xHat;
                        expectedDBeta[c] += g;
                        sumDxHat += g * double.CreateTruncating(gamma[c]);
                        sumDxHatXHat += g * double.CreateTruncating(gamma[c]) * xHat;
                    }
                    if (call != 0)
                        continue;
                    for (int c = 0; c < f; c++)
                    {
                        double xHat = (double.CreateTruncating(x[r * f + c]) - m) * s;
                        double dxHat = double.CreateTruncating(dy[r * f + c]) * double.CreateTruncating(gamma[c]);
                        double expected = s * (dxHat - sumDxHat / f - xHat * sumDxHatXHat / f);
                        Assert.True(Math.Abs(expected - double.CreateTruncating(dx[r * f + c])) <= tolerance * (1 + s * Math.Abs(dxHat) * 4 * f),
                            $"{typeof(T).Name} rows {rows} f {f} dx[{r},{c}] = {dx[r * f + c]}, expected {expected}");
                    }
                }
                for (int c = 0; c < f; c++)
                {
                    Assert.True(Math.Abs(expectedDGamma[c] - double.CreateTruncating(dgammaBuffer[3 + c])) <= tolerance * (1 + rows * 4),
                        $"{typeof(T).Name} rows {rows} f {f} call {call} dgamma[{c}] = {dgammaBuffer[3 + c]}, expected {expectedDGamma[c]}");
                    Assert.True(Math.Abs(expectedDBeta[c] - double.CreateTruncating(dbetaBuffer[1 + c])) <= tolerance * (1 + rows),
                        $"{typeof(T).Name} rows {rows} f {f} call {call} dbeta[{c}] = {dbetaBuffer[1 + c]}, expected {expectedDBeta[c]}");
                }
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ResidualInputGradientIsOverwrittenNotAccumulated(bool projection)
    {
        // Residual second in the chain writes into a reused gradient buffer: a second backward pass must give the same dx
        // (its stale contents must not leak in), and the parameter gradients must double.
        const int Batch = 3, N = 5;
        var random = new Random(8);
        var residual = projection
            ? new Residual<double>(new Dense<double>(N, N + 2), new LayerNorm<double>(N + 2))
            : new Residual<double>(new Dense<double>(N, 4), new LayerNorm<double>(4), new Dense<double>(4, N));
        var model = new Sequential<double>([new Dense<double>(N, N), residual, new Dense<double>(residual.OutputSize, 2)], Batch, seed: 3);
        double[] x = Layers.TestData.Uniform(random, Batch * N), dy = Layers.TestData.Uniform(random, Batch * 2);
        model.Forward(x, Batch);
        model.Backward(dy, Batch);
        double[] dx1 = model.InputGradient(Batch).ToArray(), g1 = model.Gradients.ToArray();
        model.Forward(x, Batch);
        model.Backward(dy, Batch);
        Assert.Equal(dx1, model.InputGradient(Batch).ToArray());
        // Accumulating adds to a running sum (a GEMM with β = 1): one rounding of the sum apart from 2·g, no more.
        double[] g2 = model.Gradients.ToArray();
        for (int i = 0; i < g1.Length; i++)
            Assert.True(Math.Abs(g2[i] - 2 * g1[i]) <= 1e-13 * (1 + Math.Abs(g1[i])), $"gradient {i}: {g2[i]} after two passes, {g1[i]} after one");
    }

    [Fact]
    public void ResidualAroundLayerNormOfOneFeatureAtBatchOneMatchesFiniteDifferences()
    {
        var random = new Random(4);
        Checks.Passes(Layers.TestData.Model(random, 1, new Residual<double>(new LayerNorm<double>(1))), random, 1);
        Checks.Passes(Layers.TestData.Model(random, 1, new Dense<double>(2, 1), new Residual<double>(new LayerNorm<double>(1), new Dense<double>(1, 3))), random, 1);
    }
}
