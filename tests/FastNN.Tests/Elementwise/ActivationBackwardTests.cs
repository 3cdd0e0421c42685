using System.Numerics;
using FastNN.Intrinsics;
using FsCheck.Xunit;

namespace FastNN.Tests.Elementwise;

/// <summary>Each fused derivative kernel against the analytic derivative in double, and one finite-difference sanity check.</summary>
public class ActivationBackwardTests
{
    [Property(MaxTest = 25)] public void Sigmoid(int seed) => Check("sigmoid", seed);
    [Property(MaxTest = 25)] public void Tanh(int seed) => Check("tanh", seed);
    [Property(MaxTest = 25)] public void Relu(int seed) => Check("relu", seed);
    [Property(MaxTest = 25)] public void LeakyRelu(int seed) => Check("leaky_relu", seed);
    [Property(MaxTest = 25)] public void Elu(int seed) => Check("elu", seed);
    [Property(MaxTest = 25)] public void Gelu(int seed) => Check("gelu", seed);
    [Property(MaxTest = 25)] public void GeluTanh(int seed) => Check("gelu_tanh", seed);
    [Property(MaxTest = 25)] public void Silu(int seed) => Check("silu", seed);
    [Property(MaxTest = 25)] public void Softplus(int seed) => Check("softplus", seed);
    [Property(MaxTest = 25)] public void SoftplusBeta2Threshold5(int seed) => Check("softplus_beta2_threshold5", seed);

    /// <summary>Sigmoid and tanh take the saved output; the others the saved input.</summary>
    private static bool TakesOutput(string name) => name is "sigmoid" or "tanh";

    internal static void Backward<T>(string name, ReadOnlySpan<T> saved, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (name)
        {
            case "sigmoid": Activations.SigmoidBackward(saved, dy, dx); break;
            case "tanh": Activations.TanhBackward(saved, dy, dx); break;
            case "relu": Activations.ReluBackward(saved, dy, dx); break;
            case "leaky_relu": Activations.LeakyReluBackward(saved, dy, dx, T.CreateTruncating(ActivationCases.LeakySlope)); break;
            case "elu": Activations.EluBackward(saved, dy, dx, T.CreateTruncating(ActivationCases.EluAlpha)); break;
            case "gelu": Activations.GeluBackward(saved, dy, dx); break;
            case "gelu_tanh": Activations.GeluTanhBackward(saved, dy, dx); break;
            case "silu": Activations.SiluBackward(saved, dy, dx); break;
            case "softplus": Activations.SoftplusBackward(saved, dy, dx, T.One, T.CreateTruncating(20)); break;
            case "softplus_beta2_threshold5": Activations.SoftplusBackward(saved, dy, dx, T.CreateTruncating(2), T.CreateTruncating(5)); break;
            default: throw new ArgumentOutOfRangeException(nameof(name), name, null);
        }
    }

    /// <summary>
    /// f′ as a sum of two terms A + B (so the bound can scale with |A| + |B|, the conditioning of the sum), and
    /// the error bound in ε. s is the saved value: y for sigmoid/tanh, x otherwise.
    /// </summary>
    private static (double A, double B, double Ulps) Derivative<T>(string name, double s) where T : IFloatingPointIeee754<T>
    {
        switch (name)
        {
            case "sigmoid": return (s, -s * s, 3);                                   // y(1 − y) = y − y²
            case "tanh": return (1, -s * s, 3);                                      // 1 − y²
            case "relu": return (s <= 0 ? 0 : 1, 0, 0);                             // ReLU′(0) = 0; NaN passes dy, as PyTorch
            case "leaky_relu": return (s > 0 ? 1 : Tolerance.D(T.CreateTruncating(ActivationCases.LeakySlope)), 0, 0.5);
            case "elu": return (s > 0 ? 1 : Tolerance.D(T.CreateTruncating(ActivationCases.EluAlpha)) * Math.Exp(s), 0, 4);
            case "gelu": return (Reference.Phi(s), s * Reference.NormalDensity(s), 8);
            case "gelu_tanh":
            {
                // d/dx ½x(1 + tanh u) = ½(1 + tanh u) + ½x·sech²(u)·u′, u′ = √(2/π)(1 + 3·0.044715x²)
                double u = Math.Sqrt(2 / Math.PI) * (s + 0.044715 * s * s * s);
                double du = Math.Sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * s * s);
                double cosh = Math.Cosh(u);
                double sech2 = (1 / cosh) * (1 / cosh); // not 1/cosh²: cosh² overflows from |u| ≈ 355 on
                return (Reference.GeluTanhGate(s), sech2 == 0 ? 0 : 0.5 * s * du * sech2, 8 * (1 + Math.Min(Math.Abs(2 * u), 1e6)));
            }
            case "silu":
            {
                double sg = Reference.Sigmoid(s);
                return (sg, s * sg * Reference.Sigmoid(-s), 6);                       // σ + x·σ(x)σ(−x)
            }
            case "softplus": return (s > 20 ? 1 : Reference.Sigmoid(s), 0, 4);
            case "softplus_beta2_threshold5": return (2 * s > 5 ? 1 : Reference.Sigmoid(2 * s), 0, 4);
            default: throw new ArgumentOutOfRangeException(nameof(name), name, null);
        }
    }

    private static void Check(string name, int seed)
    {
        Check<float>(name, seed);
        Check<double>(name, seed);
    }

    private static void Check<T>(string name, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        int n = TestData.Length(rng);
        T[] x = TestData.Values<T>(rng, n);
        T[] saved = x;
        if (TakesOutput(name))
        {
            saved = new T[n];
            ActivationCases.Forward<T>(name, x, saved);
        }
        T[] dy = TestData.Finite<T>(rng, n, 2);
        var dx = new T[n];
        Backward<T>(name, saved, dy, dx);
        for (int i = 0; i < n; i++)
        {
            double s = Tolerance.D(saved[i]), g = Tolerance.D(dy[i]);
            (double a, double b, double ulps) = Derivative<T>(name, s);
            double expected = g * (a + b);
            // ±∞ inputs: the smooth derivatives are NaN there (∞·0, as PyTorch), which this sum does not reproduce.
            if (!double.IsFinite(s) && !double.IsNaN(s) && name is "gelu" or "gelu_tanh" or "silu")
            {
                Assert.True(T.IsNaN(dx[i]), $"{name}′({s}) should be NaN as in PyTorch, got {dx[i]}");
                continue;
            }
            Tolerance.AssertClose(expected, dx[i], ulps, $"{name}′<{typeof(T).Name}>(saved {s:R}, dy {g:R}) at {i} of {n}",
                Math.Abs(g) * (Math.Abs(a) + Math.Abs(b)), 1 + Math.Abs(g) * (1 + (double.IsNaN(s) ? 0 : Math.Min(Math.Abs(s), 1e6))));
        }
        // Exactly in place on dy, and on the saved input: the same bits.
        T[] onDy = (T[])dy.Clone();
        Backward<T>(name, saved, onDy, onDy);
        Assert.Equal(dx, onDy);
        T[] onSaved = (T[])saved.Clone();
        Backward<T>(name, onSaved, dy, onSaved);
        Assert.Equal(dx, onSaved);
    }

    /// <summary>Central differences of the forward kernels (double, h = 1e-6) agree with the backward kernels away from kinks, within the difference quotient's own error (about 1e-9·|f|, where 1e-6 used to be allowed).</summary>
    [Fact]
    public void BackwardMatchesFiniteDifferencesOfForward()
    {
        var rng = new Random(7);
        const int n = 64;
        const double h = 1e-6;
        double[] x = TestData.Finite<double>(rng, n, 2);
        for (int i = 0; i < n; i++)
            if (Math.Abs(x[i]) < 1e-3)
                x[i] += 0.1; // ReLU-family kinks at 0
        foreach (string name in ActivationCases.Names)
        {
            var plus = new double[n];
            var minus = new double[n];
            ActivationCases.Forward<double>(name, Array.ConvertAll(x, v => v + h), plus);
            ActivationCases.Forward<double>(name, Array.ConvertAll(x, v => v - h), minus);
            double[] saved = x;
            if (TakesOutput(name))
            {
                saved = new double[n];
                ActivationCases.Forward<double>(name, x, saved);
            }
            var ones = Enumerable.Repeat(1.0, n).ToArray();
            var dx = new double[n];
            Backward<double>(name, saved, ones, dx);
            for (int i = 0; i < n; i++)
            {
                double numeric = (plus[i] - minus[i]) / (2 * h);
                // The difference quotient's own error: f(x ± h) each within 8 ε of |f| (the kernels' bounds), over 2h;
                // x ± h rounded, which moves the step by up to ε·|x|; the h²·|f‴|/6 truncation (~1e-13) in the floor.
                double eps = Math.Pow(2, -52);
                double bound = 8 * eps * (Math.Abs(plus[i]) + Math.Abs(minus[i])) / (2 * h) + eps * Math.Abs(x[i]) / h * Math.Abs(numeric) + 1e-12;
                Assert.True(Math.Abs(dx[i] - numeric) <= bound, $"{name}′({x[i]}): backward {dx[i]}, finite difference {numeric}, bound {bound:E2}");
            }
        }
    }
}
