using System.Numerics;
using FastNN.Intrinsics;
using FsCheck.Xunit;

namespace FastNN.Tests.Elementwise;

/// <summary>The bias add and the fused bias + activation epilogue.</summary>
public class RowsTests
{
    [Property(MaxTest = 30)]
    public void AddBiasAddsTheRowToEveryRow(int seed)
    {
        var rng = new Random(seed);
        int rows = rng.Next(9), cols = TestData.Size(rng, 140);
        float[] y = TestData.Finite<float>(rng, rows * cols, 3);
        float[] bias = TestData.Finite<float>(rng, cols, 3);
        float[] expected = new float[y.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                expected[r * cols + c] = y[r * cols + c] + bias[c];
        Rows.AddBias<float>(y, bias, rows, cols);
        Assert.Equal(expected, y);
    }

    public static TheoryData<string> Fusable => new(["identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "gelu_tanh", "silu", "softplus"]);

    /// <summary>
    /// f(y + b) in one pass equals the bias add followed by the activation on the same row (same path, same bits),
    /// with and without a bias, for float and double.
    /// </summary>
    [Theory]
    [MemberData(nameof(Fusable))]
    public void FusedEqualsBiasThenActivation(string name)
    {
        Fused<float>(name);
        Fused<double>(name);
    }

    private static void Fused<T>(string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Activation activation = name switch
        {
            "identity" => Activation.Identity,
            "sigmoid" => Activation.Sigmoid,
            "tanh" => Activation.Tanh,
            "relu" => Activation.Relu,
            "leaky_relu" => Activation.LeakyRelu(ActivationCases.LeakySlope),
            "elu" => Activation.Elu(ActivationCases.EluAlpha),
            "gelu" => Activation.Gelu,
            "gelu_tanh" => Activation.GeluTanh,
            "silu" => Activation.Silu,
            "softplus" => Activation.Softplus(),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        var rng = new Random(name.Length);
        foreach ((int rows, int cols) in new[] { (1, 1), (3, 7), (4, 33), (2, 100) })
        {
            T[] z = TestData.Values<T>(rng, rows * cols);
            T[] bias = TestData.Finite<T>(rng, cols, 2);
            T[] fused = (T[])z.Clone();
            Rows.AddBiasActivation<T>(fused, bias, rows, cols, activation);
            T[] twoPass = (T[])z.Clone();
            Rows.AddBias<T>(twoPass, bias, rows, cols);
            for (int r = 0; r < rows; r++)
            {
                Span<T> row = twoPass.AsSpan(r * cols, cols);
                if (name != "identity")
                    ActivationCases.Forward<T>(name == "softplus" ? "softplus" : name, row, row);
            }
            Assert.Equal(twoPass, fused);

            T[] noBias = (T[])z.Clone();
            Rows.AddBiasActivation<T>(noBias, [], rows, cols, activation);
            T[] plain = (T[])z.Clone();
            if (name != "identity")
                ActivationCases.Forward<T>(name, plain, plain);
            Assert.Equal(plain, noBias);
        }
    }

    public static TheoryData<string> FromOutput => new(["identity", "relu", "sigmoid", "tanh"]);

    /// <summary>
    /// dz = dy·f′ from the output and the bias gradient summed over the rows, against a reference in double written from
    /// the derivatives (ReLU's is 0 at 0), accumulating and overwriting, with and without a bias gradient, for widths
    /// around every vector width. Bounds in ε of T: ReLU and identity are exact; dy·y(1 − y) and dy·(1 − y²) round three
    /// times (1.5 ε of |dy|·(|y| + y²) and |dy|·(1 + y²), the sizes of the terms the kernel forms); a column sum of
    /// rows + 1 terms adds (rows + 2) ε of the sum of their magnitudes.
    /// </summary>
    [Theory]
    [MemberData(nameof(FromOutput))]
    public void ActivationGradientIsTheDerivativeTimesDyAndItsColumnSums(string name)
    {
        ActivationGradient<float>(name);
        ActivationGradient<double>(name);
    }

    private static void ActivationGradient<T>(string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // f(z), and f′ as a function of the output y with the magnitude its rounding error scales with and that error in ε.
        (Activation activation, Func<double, double> f, Func<double, (double Value, double Scale)> derivative, double ulps) = name switch
        {
            "identity" => (Activation.Identity, (Func<double, double>)(z => z), (Func<double, (double, double)>)(y => (1, 1)), 0.0),
            "relu" => (Activation.Relu, Reference.Relu, y => (y > 0 ? 1 : 0, 1), 0.0),
            "sigmoid" => (Activation.Sigmoid, Reference.Sigmoid, y => (y * (1 - y), Math.Abs(y) + y * y), 1.5),
            "tanh" => (Activation.Tanh, Reference.Tanh, y => (1 - y * y, 1 + y * y), 1.5),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        var rng = new Random(name.Length);
        foreach ((int rows, int cols) in new[] { (1, 1), (3, 7), (5, 16), (4, 33), (2, 100), (0, 4) })
        {
            // Scale 6 puts some sigmoid and tanh outputs in saturation, where f′ is tiny and only a relative bound sees errors.
            T[] z = TestData.Finite<T>(rng, rows * cols, 6);
            if (name == "relu" && z.Length > 0)
                z[0] = T.Zero; // the derivative at 0 is 0, as PyTorch
            T[] y = [.. z.Select(v => T.CreateTruncating(f(double.CreateTruncating(v))))];
            T[] dy = TestData.Finite<T>(rng, rows * cols, 2);
            T[] start = TestData.Finite<T>(rng, cols, 1);
            foreach (bool accumulate in new[] { true, false })
            {
                T[] dz = new T[rows * cols], bias = (T[])start.Clone();
                Rows.ActivationGradient<T>(y, dy, dz, bias, rows, cols, activation, accumulate);
                for (int c = 0; c < cols; c++)
                {
                    double sum = accumulate ? double.CreateTruncating(start[c]) : 0, magnitude = Math.Abs(sum);
                    for (int r = 0; r < rows; r++)
                    {
                        int i = r * cols + c;
                        double g = double.CreateTruncating(dy[i]);
                        (double value, double scale) = derivative(double.CreateTruncating(y[i]));
                        Tolerance.AssertClose(g * value, dz[i], ulps, $"{name}′<{typeof(T).Name}> dz[{r},{c}] of [{rows}, {cols}]", Math.Abs(g) * scale);
                        sum += g * value;
                        magnitude += Math.Abs(g) * scale;
                    }
                    Tolerance.AssertClose(sum, bias[c], rows + 2, $"{name}′<{typeof(T).Name}> bias gradient [{c}] of [{rows}, {cols}], accumulate {accumulate}", magnitude);
                }
                T[] noBias = new T[rows * cols];
                Rows.ActivationGradient<T>(y, dy, noBias, [], rows, cols, activation, accumulate);
                Assert.Equal(dz, noBias);
            }
            // In place on dy.
            T[] inPlace = (T[])dy.Clone(), separate = new T[rows * cols];
            Rows.ActivationGradient<T>(y, dy, separate, [], rows, cols, activation, accumulate: true);
            Rows.ActivationGradient<T>(y, inPlace, inPlace, [], rows, cols, activation, accumulate: true);
            Assert.Equal(separate, inPlace);
        }
    }

    [Fact]
    public void ActivationGradientRejectsBadArguments()
    {
        float[] y = new float[12], dy = new float[12], dz = new float[12], bias = new float[4];
        Assert.Equal("dz", Assert.Throws<ArgumentException>(() => Rows.ActivationGradient<float>(y, dy, new float[11], bias, 3, 4, Activation.Relu, true)).ParamName);
        Assert.Equal("biasGradient", Assert.Throws<ArgumentException>(() => Rows.ActivationGradient<float>(y, dy, dz, new float[3], 3, 4, Activation.Relu, true)).ParamName);
        Assert.Equal("dz", Assert.Throws<ArgumentException>(() => Rows.ActivationGradient<float>(y, dy, y, bias, 3, 4, Activation.Relu, true)).ParamName);
        float[] big = new float[24];
        Assert.Equal("dz", Assert.Throws<ArgumentException>(() => Rows.ActivationGradient<float>(y, big.AsSpan(0, 12), big.AsSpan(4, 12), bias, 3, 4, Activation.Relu, true)).ParamName);
        Assert.Equal("biasGradient", Assert.Throws<ArgumentException>(() => Rows.ActivationGradient<float>(y, dy, big.AsSpan(0, 12), big.AsSpan(8, 4), 3, 4, Activation.Relu, true)).ParamName);
        Assert.Equal("activation", Assert.Throws<ArgumentException>(() => Rows.ActivationGradient<float>(y, dy, dz, bias, 3, 4, Activation.Gelu, true)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Rows.ActivationGradient<float>(y, dy, dz, bias, -1, 4, Activation.Relu, true));
    }

    /// <summary>Parameters that are fine in double but leave float's range: the Activations kernels refuse them in T.</summary>
    public static TheoryData<string> OutOfFloatRange => ["softplus beta 1e-50", "softplus beta 1e39", "leaky slope 1e39", "elu alpha 1e39"];

    internal static Activation OutOfFloatRangeActivation(string name) => name switch
    {
        "softplus beta 1e-50" => Activation.Softplus(1e-50),
        "softplus beta 1e39" => Activation.Softplus(1e39),
        "leaky slope 1e39" => Activation.LeakyRelu(1e39),
        _ => Activation.Elu(1e39),
    };

    [Theory]
    [MemberData(nameof(OutOfFloatRange))]
    public void AddBiasActivationRefusesAParameterOutOfRangeInT(string name)
    {
        // Before: converted to float as 0 or +∞ and applied: softplus with β = 0 gave +∞ everywhere, an infinite slope
        // NaN at 0, where Activations.Softplus/LeakyRelu/Elu<float> refuse the same parameter.
        Activation activation = OutOfFloatRangeActivation(name);
        float[] y = [-1f, 0f, 1f, 2f];
        Assert.Throws<ArgumentOutOfRangeException>("activation", () => Rows.AddBiasActivation<float>(y, [0f, 0f], 2, 2, activation));
        Assert.Throws<ArgumentOutOfRangeException>("activation", () => Rows.AddBiasActivation<float>([], [], 0, 2, activation));
        Assert.Equal([-1f, 0f, 1f, 2f], y);
        // In double the same parameter is in range, and the result is the formula's.
        double[] z = [-1, 0, 1, 2];
        Rows.AddBiasActivation<double>(z, [], 2, 2, activation);
        Assert.All(z, v => Assert.True(double.IsFinite(v), $"{name}: {v}"));
    }
}
