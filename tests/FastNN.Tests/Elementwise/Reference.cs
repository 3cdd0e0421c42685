namespace FastNN.Tests.Elementwise;

/// <summary>
/// Independent scalar references in double, written from the textbook definitions (not from the kernels):
/// series and continued fractions where libm has no function, Math.Tanh/Math.Exp elsewhere.
/// </summary>
internal static class Reference
{
    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    public static double Tanh(double x) => Math.Tanh(x);

    public static double Relu(double x) => double.IsNaN(x) ? double.NaN : x > 0 ? x : 0;

    public static double LeakyRelu(double x, double slope) => x > 0 ? x : slope * x;

    public static double Elu(double x, double alpha) => x > 0 ? x : alpha * ExpM1(x);

    public static double Gelu(double x) => x * Phi(x);

    public static double GeluTanh(double x) => x * GeluTanhGate(x);

    /// <summary>½(1 + tanh u), u = √(2/π)(x + 0.044715x³).</summary>
    public static double GeluTanhGate(double x)
    {
        double u = Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x);
        // 1 + tanh(u) loses everything for very negative u in double; there 2e^{2u}/(1 + e^{2u}) is the same number.
        return u > -1 ? 0.5 * (1 + Math.Tanh(u)) : Math.Exp(2 * u) / (1 + Math.Exp(2 * u));
    }

    public static double Silu(double x) => x * Sigmoid(x);

    public static double Softplus(double x, double beta, double threshold) =>
        beta * x > threshold ? x : Log1pExp(beta * x) / beta;

    /// <summary>log(1 + e^z) = max(z, 0) + log1p(e^{-|z|}).</summary>
    public static double Log1pExp(double z) => z > 0 ? z + Log1p(Math.Exp(-z)) : Log1p(Math.Exp(z));

    /// <summary>
    /// log(1 + v) for v ≥ 0: below 0.5 the series v(1 − v(1/2 − v(1/3 − …))) in Horner form (no rounding of 1 + v), Math.Log
    /// above. Horner's form errs by about 1 ε; the terms summed largest first erred by up to 5.6 ε, most of the 6 ε bound
    /// the softplus kernel is held to.
    /// </summary>
    public static double Log1p(double v)
    {
        if (!(v < 0.5))
            return Math.Log(1 + v);
        double sum = 0;
        for (int k = 60; k >= 1; k--)
            sum = 1.0 / k - v * sum;
        return v * sum;
    }

    /// <summary>
    /// e^x − 1: for |x| &lt; 0.5 the Taylor series x(1 + x/2(1 + x/3(1 + …))) in Horner form (no cancellation, about 1 ε;
    /// the terms summed largest first erred by up to 3.7 ε), Math.Exp above.
    /// </summary>
    public static double ExpM1(double x)
    {
        if (!(Math.Abs(x) < 0.5))
            return Math.Exp(x) - 1;
        double sum = 1;
        for (int k = 30; k >= 2; k--)
            sum = 1 + x * sum / k;
        return x * sum;
    }

    /// <summary>The standard normal density exp(−x²/2)/√(2π), with x² split exactly so that large |x| keeps its accuracy.</summary>
    public static double NormalDensity(double x)
    {
        if (!(Math.Abs(x) < 40))
            return double.IsNaN(x) ? x : 0; // e^{−800} underflows
        double hi = x * x, lo = Math.FusedMultiplyAdd(x, x, -hi);
        return Math.Exp(-hi / 2) * (1 - lo / 2) / Math.Sqrt(2 * Math.PI);
    }

    /// <summary>
    /// Φ(x): for |x| &lt; 0.7 by erf's positive-term series, erf(z) = 2z/√π·e^{−z²}·Σ (2z²)ⁿ/(1·3·…·(2n+1));
    /// elsewhere by Laplace's continued fraction for erfc (evaluated bottom-up), reflected for x &gt; 0.
    /// </summary>
    public static double Phi(double x)
    {
        if (double.IsNaN(x))
            return double.NaN;
        double z = x / Math.Sqrt(2);
        if (Math.Abs(x) < 0.7)
        {
            double total = 0, term = 1;
            for (int n = 1; term > 1e-18 * total || n == 1; n++)
            {
                total += term;
                term *= 2 * z * z / (2 * n + 1);
            }
            return 0.5 + z / Math.Sqrt(Math.PI) * Math.Exp(-z * z) * total;
        }
        double a = Math.Abs(z);
        if (a > 30)
            return x > 0 ? 1 : 0; // Φ(−42.4) < 1e-308: below every double
        // erfc(a) = e^{−a²}/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + …))))
        double f = 0;
        for (int k = a < 2 ? 2000 : 200; k >= 1; k--)
            f = k / 2.0 / (a + f);
        // e^{−a²} = e^{−x²/2}: √(2π)·φ(x)
        double lower = 0.5 * NormalDensity(x) * Math.Sqrt(2 * Math.PI) / Math.Sqrt(Math.PI) / (a + f);
        return x < 0 ? lower : 1 - lower;
    }
}
