using System.Numerics;
using FastNN.Intrinsics;
using FsCheck.Xunit;

namespace FastNN.Tests.Elementwise;

/// <summary>Each forward kernel, on whatever path this run takes, against its double reference within its stated bound.</summary>
public class ActivationForwardTests
{
    [Property(MaxTest = 30)] public void Sigmoid(int seed) => Check("sigmoid", seed);
    [Property(MaxTest = 30)] public void Tanh(int seed) => Check("tanh", seed);
    [Property(MaxTest = 30)] public void Relu(int seed) => Check("relu", seed);
    [Property(MaxTest = 30)] public void LeakyRelu(int seed) => Check("leaky_relu", seed);
    [Property(MaxTest = 30)] public void Elu(int seed) => Check("elu", seed);
    [Property(MaxTest = 30)] public void Gelu(int seed) => Check("gelu", seed);
    [Property(MaxTest = 30)] public void GeluTanh(int seed) => Check("gelu_tanh", seed);
    [Property(MaxTest = 30)] public void Silu(int seed) => Check("silu", seed);
    [Property(MaxTest = 30)] public void Softplus(int seed) => Check("softplus", seed);
    [Property(MaxTest = 30)] public void SoftplusBeta2Threshold5(int seed) => Check("softplus_beta2_threshold5", seed);

    private static void Check(string name, int seed)
    {
        Check<float>(name, seed);
        Check<double>(name, seed);
    }

    private static void Check<T>(string name, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        T[] x = TestData.Values<T>(rng, TestData.Length(rng));
        var y = new T[x.Length];
        ActivationCases.Forward<T>(name, x, y);
        for (int i = 0; i < x.Length; i++)
        {
            double xi = Tolerance.D(x[i]);
            double expected = ActivationCases.ForwardReference<T>(name, xi);
            Tolerance.AssertClose(expected, y[i], ActivationCases.ForwardUlps(name), $"{name}<{typeof(T).Name}>({xi:R}) at {i} of {x.Length}",
                ActivationCases.ForwardScale(name, xi, expected), ActivationCases.ForwardFloorScale(name, xi));
        }
        // Exactly in place: the same bits as out of place.
        T[] inPlace = (T[])x.Clone();
        ActivationCases.Forward<T>(name, inPlace, inPlace);
        Assert.Equal(y, inPlace);
    }

    /// <summary>
    /// A dense sweep across the pieces of the normal CDF (double switches between a central and a tail form; float has
    /// one form) and its far tails. Float is held to the 4 ε that GELU's documentation states; double to 8 ε, since the
    /// double reference (a continued fraction and Math.Exp) carries a few ε of its own.
    /// </summary>
    [Fact]
    public void GeluAcrossItsPieces()
    {
        foreach (int n in new[] { 3, 17, 1001, 4001 })
        {
            var x = new double[n];
            for (int i = 0; i < n; i++)
                x[i] = -40 + 80.0 * i / (n - 1);
            var y = new double[n];
            Activations.Gelu<double>(x, y);
            var xf = Array.ConvertAll(x, v => (float)v);
            var yf = new float[n];
            Activations.Gelu<float>(xf, yf);
            for (int i = 0; i < n; i++)
            {
                // Where Φ is subnormal its last-place rounding is multiplied by |x|: the floor scales with it (ForwardFloorScale).
                Tolerance.AssertClose(Reference.Gelu(x[i]), y[i], 8, $"gelu<double>({x[i]:R})", floorScale: ActivationCases.ForwardFloorScale("gelu", x[i]));
                Tolerance.AssertClose(Reference.Gelu(xf[i]), yf[i], 4, $"gelu<float>({xf[i]:R})", floorScale: ActivationCases.ForwardFloorScale("gelu", xf[i]));
            }
        }
    }
}
