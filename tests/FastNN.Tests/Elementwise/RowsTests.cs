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
        int rows = (int)((uint)seed % 9), cols = (int)((uint)seed / 9 % 70);
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
}
