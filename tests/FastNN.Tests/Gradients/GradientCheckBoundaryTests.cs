using FastNN.Gradients;
using FastNN.Layers;
using FastNN.Losses;

namespace FastNN.Tests.Gradients;

/// <summary>
/// Pins where <see cref="GradientCheck"/> draws the line: a layer whose analytic input gradient is (1 + δ) times the
/// true one must fail with a tolerance just below what admits that error and pass just above it, for the relative and
/// the absolute tolerance alike. A checker made 100 times looser (or stricter) fails these tests.
/// </summary>
public class GradientCheckBoundaryTests
{
    private const double Scale = 2, Delta = 3e-3;
    private static readonly double[] Input = [0.5, -1.25, 2, -0.75, 1.5, 0.25];   // batch 2 × 3 features; target 0

    /// <summary>y = c·x, whose backward pass reports (1 + δ)·c·dy instead of c·dy.</summary>
    private sealed class OffByAFactor(int features, double delta) : ILayer<double>
    {
        public int InputSize => features;
        public int OutputSize => features;
        public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => [];
        public IReadOnlyList<StateDeclaration> StateDeclarations => [];
        public int ScratchLength(int batch) => 0;
        public void Initialize(LayerBuffers<double> buffers) { }

        public void Forward(Span<double> y, ReadOnlySpan<double> x, LayerBuffers<double> buffers, int batch)
        {
            for (int i = 0; i < y.Length; i++)
                y[i] = Scale * x[i];
        }

        public void Backward(Span<double> dx, ReadOnlySpan<double> dy, ReadOnlySpan<double> x, ReadOnlySpan<double> y, LayerBuffers<double> buffers, int batch)
        {
            for (int i = 0; i < dx.Length; i++)
                dx[i] = (1 + delta) * Scale * dy[i];
        }
    }

    private static GradientCheckResult Check(double atol, double rtol, double delta = Delta) =>
        GradientCheck.Check(new OffByAFactor(3, delta), Input, 2, new MseLoss<double>(), new double[6],
            new GradientCheckOptions { AbsoluteTolerance = atol, RelativeTolerance = rtol });

    // The true gradient of L = Σ (c·x)² / N with respect to x_i is 2c²·x_i / N; the loss is quadratic, so the central
    // difference matches it to rounding (~1e-9 here), far inside the 1e-6 margins below.
    private static double TrueGradient(double x) => 2 * Scale * Scale * x / Input.Length;

    [Fact]
    public void TheRelativeToleranceAdmitsAnErrorOfDeltaExactlyAtDelta()
    {
        Assert.False(Check(atol: 0, rtol: Delta * (1 - 1e-6)).Passed);
        Assert.True(Check(atol: 0, rtol: Delta * (1 + 1e-6)).Passed);
    }

    [Fact]
    public void TheAbsoluteToleranceAdmitsTheLargestErrorExactlyAtThatError()
    {
        double largestError = Delta * Input.Max(x => Math.Abs(TrueGradient(x)));   // δ·|g| at x = 2
        Assert.False(Check(atol: largestError * (1 - 1e-6), rtol: 0).Passed);
        Assert.True(Check(atol: largestError * (1 + 1e-6), rtol: 0).Passed);
    }

    [Fact]
    public void TheDefaultsRejectAThreePerMilleErrorAndTheReportIsTheWorstElement()
    {
        GradientCheckResult result = Check(atol: 1e-5, rtol: 1e-3);
        Assert.False(result.Passed);
        Assert.Equal(6, result.CheckedElements);
        // The worst element relative to its tolerance δ·|g| / (atol + rtol·|g|) is the one with the largest |g|: x = 2.
        Assert.Equal("input", result.WorstTensor);
        Assert.Equal("[0, 2]", result.WorstIndex);
        Assert.Equal(TrueGradient(2), result.Numeric, 1e-9);
        Assert.Equal((1 + Delta) * TrueGradient(2), result.Analytic, 1e-15);
        Assert.Equal(Math.Abs(result.Analytic - result.Numeric), result.Error);
        Assert.Equal(1e-5 + 1e-3 * Math.Abs(result.Numeric), result.Tolerance);
    }

    [Fact]
    public void TheDefaultsAcceptAHalfPerMilleError()
    {
        // 5e-4·|g| ≤ 1e-5 + 1e-3·|g| for every element, where 3e-3·|g| is not (above).
        Assert.True(Check(atol: GradientCheckOptions.Default.AbsoluteTolerance, rtol: GradientCheckOptions.Default.RelativeTolerance, delta: 5e-4).Passed);
        Assert.Equal(1e-5, GradientCheckOptions.Default.AbsoluteTolerance);
        Assert.Equal(1e-3, GradientCheckOptions.Default.RelativeTolerance);
    }

    /// <summary>y = 1/x, whose backward pass reports <paramref name="dxOfX"/>(x)·dy.</summary>
    private sealed class Reciprocal(Func<double, double> dxOfX) : ILayer<double>
    {
        public int InputSize => 1;
        public int OutputSize => 1;
        public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => [];
        public IReadOnlyList<StateDeclaration> StateDeclarations => [];
        public int ScratchLength(int batch) => 0;
        public void Initialize(LayerBuffers<double> buffers) { }

        public void Forward(Span<double> y, ReadOnlySpan<double> x, LayerBuffers<double> buffers, int batch)
        {
            for (int i = 0; i < y.Length; i++)
                y[i] = 1 / x[i];
        }

        public void Backward(Span<double> dx, ReadOnlySpan<double> dy, ReadOnlySpan<double> x, ReadOnlySpan<double> y, LayerBuffers<double> buffers, int batch)
        {
            for (int i = 0; i < dx.Length; i++)
                dx[i] = dxOfX(x[i]) * dy[i];
        }
    }

    /// <summary>
    /// At x = h the step x − h reaches the pole: L(x − h) = +∞ and the central difference is −∞. An infinite difference
    /// is not close to any finite gradient (torch.allclose, which torch.autograd.gradcheck uses, requires a finite
    /// |analytic − numeric|), so a wrong gradient (0) fails there, as does the true one; the checker passed both, since
    /// ∞ ≤ atol + rtol·∞.
    /// </summary>
    [Fact]
    public void AnInfiniteCentralDifferenceFailsEveryFiniteGradient()
    {
        double h = GradientCheckOptions.Default.Epsilon;
        foreach (Func<double, double> dx in new Func<double, double>[] { _ => 0, x => -1 / (x * x) })
        {
            GradientCheckResult result = GradientCheck.Check(new Reciprocal(dx), [h], 1, new MseLoss<double>(), [0.0]);
            Assert.False(result.Passed, result.ToString());
            Assert.Equal(1, result.FailedElements);
            Assert.Equal(double.NegativeInfinity, result.Numeric);
            Assert.Equal(dx(h) * 2 / h, result.Analytic);   // dL/dy = 2y = 2/h
        }
    }

    /// <summary>As torch.allclose, an infinity is close to itself only: a loss whose gradient overflows to +∞ where its
    /// central difference does too passes, and the opposite infinity fails.</summary>
    [Fact]
    public void AnInfinityIsCloseToItselfOnly()
    {
        // L(p) = 2·e^p with e^p just above MaxValue / 2: its gradient 2·e^p is +∞, L(p − h) is finite, L(p + h) is not.
        double p = Math.Log(double.MaxValue / 2) + GradientCheckOptions.Default.Epsilon / 2;
        Assert.True(double.IsPositiveInfinity(2 * Math.Exp(p)) && double.IsFinite(2 * Math.Exp(p - GradientCheckOptions.Default.Epsilon)));
        Assert.True(GradientCheck.CheckLoss(new DoubledExp(1), [p], [0.0], 1).Passed);
        GradientCheckResult opposite = GradientCheck.CheckLoss(new DoubledExp(-1), [p], [0.0], 1);
        Assert.False(opposite.Passed);
        Assert.Equal(double.NegativeInfinity, opposite.Analytic);
        Assert.Equal(double.PositiveInfinity, opposite.Numeric);
    }

    /// <summary>L = 2·e^p summed, reporting the gradient <paramref name="sign"/>·2·e^p.</summary>
    private sealed class DoubledExp(double sign) : ILoss<double>
    {
        public double Compute(ReadOnlySpan<double> prediction, ReadOnlySpan<double> target, Span<double> gradient, int batch)
        {
            double loss = 0;
            for (int i = 0; i < prediction.Length; i++)
            {
                loss += 2 * Math.Exp(prediction[i]);
                gradient[i] = sign * 2 * Math.Exp(prediction[i]);
            }
            return loss;
        }
    }
}
