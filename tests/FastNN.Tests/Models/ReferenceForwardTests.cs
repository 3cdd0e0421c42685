using System.Numerics;
using FastNN.Inference;
using FastNN.Layers;
using FastNN.Models;
using FastNN.Tests.Elementwise;
using FsCheck.Xunit;

namespace FastNN.Tests.Models;

/// <summary>
/// Sequential.Forward in evaluation mode and the Predictor against an independent double-precision forward pass
/// (loops and Math functions, PyTorch's equations) on random architectures (RandomArchitectures) and batches of 1 to 70
/// rows. The allowed error is not a constant: a forward error bound is carried through the layers with the reference,
/// from the element type's unit roundoff u alone: a length-k dot product plus bias errs by at most γ(k+1)·Σ|w·x| + |b|
/// (γ(n) = nu/(1 − nu), any summation order, fused or not); an activation kernel by its documented few ulps
/// (ActivationCases.ForwardUlps) and passes on its input's error times its Lipschitz constant; the normalizations by the
/// rounding of their statistics, with the input's error amplified by γ·rstd. The reference's own error (the same bound
/// with double's u) is added.
/// </summary>
public class ReferenceForwardTests
{
    [Property(MaxTest = 40, EndSize = 1 << 30)]
    public void FloatForwardIsWithinTheErrorBoundOfTheReference(int seed) => Check<float>(seed);

    [Property(MaxTest = 40, EndSize = 1 << 30)]
    public void DoubleForwardIsWithinTheErrorBoundOfTheReference(int seed) => Check<double>(seed);

    private static void Check<T>(int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Sequential<T> model = RandomArchitectures.Trained<T>(seed);
        var random = new Random(~seed);
        int batch = 1 + random.Next(RandomArchitectures.MaxBatch), inputs = model.InputSize, outputs = model.OutputSize;
        T[] x = RandomArchitectures.Input<T>(random, batch, inputs);
        var predictor = new Predictor<T>(model);
        T[] predicted = new T[batch * outputs];
        predictor.Predict(x, predicted, batch);
        T[] forward = model.Forward(x, batch).ToArray();
        var reference = new Reference<T>(model);
        for (int r = 0; r < batch; r++)
        {
            (double[] expected, double bound) = reference.Row(x.AsSpan(r * inputs, inputs));
            for (int c = 0; c < outputs; c++)
            {
                foreach ((string who, T[] actual) in new[] { ("Sequential.Forward", forward), ("Predictor", predicted) })
                {
                    double a = double.CreateTruncating(actual[r * outputs + c]);
                    Assert.True(Math.Abs(a - expected[c]) <= bound,
                        $"seed {seed}, batch {batch}, row {r}, column {c}: {who} {a:R}, reference {expected[c]:R}, error {Math.Abs(a - expected[c]):G3} > bound {bound:G3}\n{predictor.Describe()}");
                }
            }
        }
    }

    /// <summary>The forward pass of one row in double, with a bound on the absolute error of any element of a layer's output row computed in T.</summary>
    private sealed class Reference<T>(Sequential<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly double _u = Tolerance.Epsilon<T>() / 2, _epsilon = Tolerance.Epsilon<T>(), _tiny = Tolerance.Tiny<T>();

        public (double[] Y, double Bound) Row(ReadOnlySpan<T> x)
        {
            double[] v = new double[x.Length];
            for (int i = 0; i < x.Length; i++)
                v[i] = double.CreateTruncating(x[i]);
            double e = 0;
            for (int j = 0; j < model.Layers.Count; j++)
                (v, e) = Layer(model.Layers[j], $"{j}.", v, e);
            // The reference errs too: the same bound with double's unit roundoff, at most this one scaled by it.
            return (v, e * (1 + Math.Pow(2, -53) / _u));
        }

        private double Gamma(int n) => n * _u / (1 - n * _u);

        private double[] Tensor(string name) => [.. model.Tensor(name).ToArray().Select(double.CreateTruncating)];

        private double AsT(double value) => double.CreateTruncating(T.CreateTruncating(value)); // a setting as the kernel receives it

        private (double[], double) Layer(ILayer<T> layer, string at, double[] x, double e) => layer switch
        {
            Dense<T> d => Linear(Tensor(at + "weight"), d.HasBias ? Tensor(at + "bias") : null, d.OutputSize, x, e),
            Dropout<T> => (x, e),
            BatchNorm1d<T> b => BatchNorm(at, AsT(b.Eps), x, e),
            LayerNorm<T> l => LayerNormalize(at, AsT(l.Eps), x, e),
            Residual<T> r => ResidualBlock(r, at, x, e),
            Concat<T> c => ConcatBlock(c, at, x, e),
            Softmax<T> => Softmax(x, e),
            LogSoftmax<T> => LogSoftmax(x, e),
            Sigmoid<T> => Map("sigmoid", Reference.Sigmoid, 0.25, x, e),
            Tanh<T> => Map("tanh", Reference.Tanh, 1, x, e),
            Relu<T> => Map("relu", Reference.Relu, 1, x, e),
            LeakyRelu<T> l => Map("leaky_relu", v => Reference.LeakyRelu(v, AsT(l.NegativeSlope)), Math.Max(1, Math.Abs(l.NegativeSlope)), x, e),
            Elu<T> l => Map("elu", v => Reference.Elu(v, AsT(l.Alpha)), Math.Max(1, l.Alpha), x, e),
            Gelu<T> { TanhApproximation: true } => Map("gelu_tanh", Reference.GeluTanh, 1.13, x, e),   // max |f′| 1.129 (erf and tanh forms)
            Gelu<T> => Map("gelu", Reference.Gelu, 1.13, x, e),
            Silu<T> => Map("silu", Reference.Silu, 1.1, x, e),                                          // max |f′| 1.0998
            Softplus<T> s => Map("softplus", v => Reference.Softplus(v, AsT(s.Beta), AsT(s.Threshold)), 1, x, e),
            PRelu<T> p => PReluRow(Tensor(at + "weight"), x, e),
            _ => throw new NotSupportedException(layer.GetType().Name),
        };

        // y = W x + b: |error| ≤ Σ|W|·e + γ(k+1)·(Σ|W·x| + |b|) per output.
        private (double[], double) Linear(double[] w, double[]? b, int outputs, double[] x, double e)
        {
            int k = x.Length;
            double[] y = new double[outputs];
            double bound = 0;
            for (int o = 0; o < outputs; o++)
            {
                double sum = b?[o] ?? 0, magnitude = Math.Abs(b?[o] ?? 0), norm = 0;
                for (int j = 0; j < k; j++)
                {
                    sum += w[o * k + j] * x[j];
                    magnitude += Math.Abs(w[o * k + j] * x[j]);
                    norm += Math.Abs(w[o * k + j]);
                }
                y[o] = sum;
                bound = Math.Max(bound, norm * e + Gamma(k + 1) * magnitude);
            }
            return (y, bound);
        }

        // y = f(x): Lipschitz·e plus the kernel's documented ulps of its scale.
        private (double[], double) Map(string name, Func<double, double> f, double lipschitz, double[] x, double e)
        {
            double[] y = new double[x.Length];
            double rounding = 0;
            for (int i = 0; i < x.Length; i++)
            {
                y[i] = f(x[i]);
                double ulps = ActivationCases.ForwardUlps(name);
                rounding = Math.Max(rounding, ulps * _epsilon * ActivationCases.ForwardScale(name, x[i], y[i]) + ulps * _tiny * (1 + Math.Abs(x[i])));
            }
            return (y, lipschitz * e + rounding);
        }

        private (double[], double) PReluRow(double[] slopes, double[] x, double e)
        {
            double[] y = new double[x.Length];
            double lipschitz = 1, rounding = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double a = slopes[slopes.Length == 1 ? 0 : i];
                y[i] = x[i] > 0 ? x[i] : a * x[i];
                lipschitz = Math.Max(lipschitz, Math.Abs(a));
                rounding = Math.Max(rounding, _u * Math.Abs(y[i]));
            }
            return (y, lipschitz * e + rounding);
        }

        // p = e^(x − max)/Σ: |dp_i| ≤ 2·p_i·e; rounding: the exp's ulps, x − max rounded (u·|x − max| through the exp), the sum and the division.
        private (double[], double) Softmax(double[] x, double e)
        {
            double max = x.Max(), sum = x.Sum(v => Math.Exp(v - max));
            double[] p = [.. x.Select(v => Math.Exp(v - max) / sum)];
            double bound = 0;
            for (int i = 0; i < x.Length; i++)
                bound = Math.Max(bound, p[i] * (2 * e + 8 * _epsilon + _u * Math.Abs(x[i] - max) + Gamma(x.Length + 2)) + 8 * _tiny);
            return (p, bound);
        }

        // y = x − max − log Σ e^(x − max): |dy_i| ≤ 2e; rounding: x − max, the sum's relative error through the log, the log's ulps, the subtraction.
        private (double[], double) LogSoftmax(double[] x, double e)
        {
            double max = x.Max(), sum = x.Sum(v => Math.Exp(v - max)), log = Math.Log(sum);
            double spread = x.Max(v => Math.Abs(v - max));
            double[] y = [.. x.Select(v => v - max - log)];
            double bound = 0;
            for (int i = 0; i < x.Length; i++)
                bound = Math.Max(bound, 2 * e + _u * Math.Abs(x[i] - max) + 8 * _epsilon + Gamma(x.Length + 2) + _u * spread + 8 * _epsilon * Math.Abs(log) + _u * Math.Abs(y[i]));
            return (y, bound);
        }

        // y = (x − μ)·γ/√(σ² + ε) + β with the running μ, σ²: e·|γ|·rstd; rounding: rstd and γ·rstd (γ(8) relative), x − μ, the product and + β.
        private (double[], double) BatchNorm(string at, double eps, double[] x, double e)
        {
            double[] gamma = Tensor(at + "weight"), beta = Tensor(at + "bias"), mean = Tensor(at + "running_mean"), variance = Tensor(at + "running_var");
            double[] y = new double[x.Length];
            double bound = 0;
            for (int c = 0; c < x.Length; c++)
            {
                double scale = gamma[c] / Math.Sqrt(variance[c] + eps);
                y[c] = (x[c] - mean[c]) * scale + beta[c];
                bound = Math.Max(bound, Math.Abs(scale) * e + Gamma(8) * Math.Abs((x[c] - mean[c]) * scale) + 2 * _u * (Math.Abs(y[c]) + Math.Abs(beta[c])));
            }
            return (y, bound);
        }

        // z = (x − μ)·rstd over the row, y = z·γ + β. Input error: |dz| ≤ 2e(1 + |z|)·rstd. Rounding: μ off by δμ ≤ γ(k+1)·max|x|,
        // rstd relatively by γ(k+4) + δμ²/(σ² + ε), z by those and u, y by 2u(|zγ| + |β|).
        private (double[], double) LayerNormalize(string at, double eps, double[] x, double e)
        {
            double[] gamma = Tensor(at + "weight"), beta = Tensor(at + "bias");
            int k = x.Length;
            double mean = x.Average(), variance = x.Sum(v => (v - mean) * (v - mean)) / k, rstd = 1 / Math.Sqrt(variance + eps);
            double dMean = Gamma(k + 1) * x.Max(Math.Abs);
            double relative = Gamma(k + 6) + dMean * dMean / (variance + eps);
            double[] y = new double[k];
            double bound = 0;
            for (int i = 0; i < k; i++)
            {
                double z = (x[i] - mean) * rstd;
                y[i] = z * gamma[i] + beta[i];
                double zError = 2 * e * (1 + Math.Abs(z)) * rstd + dMean * rstd + Math.Abs(z) * relative;
                bound = Math.Max(bound, Math.Abs(gamma[i]) * zError + 2 * _u * (Math.Abs(z * gamma[i]) + Math.Abs(beta[i])));
            }
            return (y, bound);
        }

        private (double[], double) Body(IReadOnlyList<ILayer<T>> body, string at, double[] x, double e)
        {
            for (int j = 0; j < body.Count; j++)
                (x, e) = Layer(body[j], $"{at}body.{j}.", x, e);
            return (x, e);
        }

        // y = x + f(x), or x Pᵀ + f(x): both errors, and the addition's rounding.
        private (double[], double) ResidualBlock(Residual<T> r, string at, double[] x, double e)
        {
            (double[] f, double fe) = Body(r.Body, at, x, e);
            (double[] skip, double se) = r.HasProjection ? Linear(Tensor(at + "projection.weight"), null, r.OutputSize, x, e) : (x, e);
            double[] y = new double[f.Length];
            double rounding = 0;
            for (int i = 0; i < y.Length; i++)
            {
                y[i] = skip[i] + f[i];
                rounding = Math.Max(rounding, _u * Math.Abs(y[i]));
            }
            return (y, se + fe + rounding);
        }

        private (double[], double) ConcatBlock(Concat<T> c, string at, double[] x, double e)
        {
            (double[] f, double fe) = Body(c.Body, at, x, e);
            return ([.. x, .. f], Math.Max(e, fe));
        }
    }
}
