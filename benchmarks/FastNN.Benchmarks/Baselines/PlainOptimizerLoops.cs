namespace FastNN.Benchmarks.Baselines;

/// <summary>
/// The optimizer updates as a plain per-element C# loop, the way one would write them without FastNN: the
/// baseline the fused, vectorized kernels must beat. Same equations as torch.optim (first step excluded:
/// the loops assume buffers already started).
/// </summary>
internal static class PlainOptimizerLoops
{
    public static void AdamW(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, long step,
        float lr, float beta1, float beta2, float eps, float weightDecay)
    {
        float stepSize = lr / (1 - MathF.Pow(beta1, step));
        float sqrtCorrection2 = MathF.Sqrt(1 - MathF.Pow(beta2, step));
        float decay = 1 - lr * weightDecay;
        for (int i = 0; i < p.Length; i++)
        {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
            p[i] = p[i] * decay - stepSize * m[i] / (MathF.Sqrt(v[i]) / sqrtCorrection2 + eps);
        }
    }

    public static void Sgd(Span<float> p, ReadOnlySpan<float> g, Span<float> buffer, float lr, float momentum)
    {
        for (int i = 0; i < p.Length; i++)
        {
            buffer[i] = momentum * buffer[i] + g[i];
            p[i] -= lr * buffer[i];
        }
    }

    public static void RmsProp(Span<float> p, ReadOnlySpan<float> g, Span<float> squareAverage, float lr, float alpha, float eps)
    {
        for (int i = 0; i < p.Length; i++)
        {
            squareAverage[i] = alpha * squareAverage[i] + (1 - alpha) * g[i] * g[i];
            p[i] -= lr * g[i] / (MathF.Sqrt(squareAverage[i]) + eps);
        }
    }
}
