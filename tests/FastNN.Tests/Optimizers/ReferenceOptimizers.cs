namespace FastNN.Tests.Optimizers;

/// <summary>
/// Plain double-precision transcriptions of the algorithms in PyTorch's torch.optim docstrings (v1.13), one element
/// at a time, written independently of FastNN's kernels: bias corrections in the docstring's m̂/v̂ form, per element.
/// </summary>
internal static class ReferenceOptimizers
{
    public sealed record Options(double Lr, double Momentum = 0, double Dampening = 0, bool Nesterov = false,
        double WeightDecay = 0, bool Decoupled = false, double Alpha = 0.99, double Eps = 1e-8, bool Centered = false,
        double Beta1 = 0.9, double Beta2 = 0.999, bool AmsGrad = false);

    /// <summary>torch.optim.SGD (and SGDW when Decoupled): runs every step of <paramref name="grads"/> on <paramref name="p"/>.</summary>
    public static void Sgd(double[] p, double[][] grads, Options o, double[]? lrs = null)
    {
        double[] buf = new double[p.Length];
        for (int t = 1; t <= grads.Length; t++)
        {
            double lr = lrs?[t - 1] ?? o.Lr;
            for (int i = 0; i < p.Length; i++)
            {
                double g = grads[t - 1][i];
                if (o.WeightDecay != 0 && o.Decoupled) p[i] = p[i] - lr * o.WeightDecay * p[i];
                if (o.WeightDecay != 0 && !o.Decoupled) g = g + o.WeightDecay * p[i];
                if (o.Momentum != 0)
                {
                    buf[i] = t == 1 ? g : o.Momentum * buf[i] + (1 - o.Dampening) * g;
                    g = o.Nesterov ? g + o.Momentum * buf[i] : buf[i];
                }
                p[i] = p[i] - lr * g;
            }
        }
    }

    /// <summary>torch.optim.RMSprop.</summary>
    public static void RmsProp(double[] p, double[][] grads, Options o)
    {
        double[] v = new double[p.Length], gAvg = new double[p.Length], buf = new double[p.Length];
        foreach (double[] grad in grads)
        {
            for (int i = 0; i < p.Length; i++)
            {
                double g = grad[i] + o.WeightDecay * p[i];
                v[i] = o.Alpha * v[i] + (1 - o.Alpha) * g * g;
                double vTilde = v[i];
                if (o.Centered)
                {
                    gAvg[i] = o.Alpha * gAvg[i] + (1 - o.Alpha) * g;
                    vTilde = v[i] - gAvg[i] * gAvg[i];
                }
                double step = g / (Math.Sqrt(vTilde) + o.Eps);
                if (o.Momentum > 0)
                {
                    buf[i] = o.Momentum * buf[i] + step;
                    step = buf[i];
                }
                p[i] = p[i] - o.Lr * step;
            }
        }
    }

    /// <summary>torch.optim.Adam (coupled) or torch.optim.AdamW (Decoupled).</summary>
    public static void Adam(double[] p, double[][] grads, Options o, double[]? m = null, double[]? v = null)
    {
        m ??= new double[p.Length];
        v ??= new double[p.Length];
        double[] vMax = new double[p.Length];
        for (int t = 1; t <= grads.Length; t++)
        {
            for (int i = 0; i < p.Length; i++)
            {
                double g = grads[t - 1][i];
                if (o.Decoupled) p[i] = p[i] - o.Lr * o.WeightDecay * p[i];
                else g = g + o.WeightDecay * p[i];
                m[i] = o.Beta1 * m[i] + (1 - o.Beta1) * g;
                v[i] = o.Beta2 * v[i] + (1 - o.Beta2) * g * g;
                double mHat = m[i] / (1 - Math.Pow(o.Beta1, t));
                vMax[i] = Math.Max(vMax[i], v[i]);
                double vHat = (o.AmsGrad ? vMax[i] : v[i]) / (1 - Math.Pow(o.Beta2, t));
                p[i] = p[i] - o.Lr * mHat / (Math.Sqrt(vHat) + o.Eps);
            }
        }
    }
}
