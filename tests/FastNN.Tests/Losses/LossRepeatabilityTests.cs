using System.Numerics;
using FastNN.Losses;
using FastNN.Tests.Gemm;

namespace FastNN.Tests.Losses;

/// <summary>
/// A loss is a function of its inputs: the same logits give the same bits on every call, however often it has been
/// called. The softmax cross-entropy once took its exponentials from TensorPrimitives.Exp, whose double results
/// changed in the last bit as the JIT recompiled it (tier 0, OSR, tier 1) where a lane lay beyond −708, so one seed's
/// training run differed from the same run made later in the process.
/// </summary>
public class LossRepeatabilityTests
{
    [Fact]
    public void FloatSoftmaxCrossEntropyGivesTheSameBitsOnEveryCall() => SameBitsOnEveryCall<float>(range: 150);

    [Fact]
    public void DoubleSoftmaxCrossEntropyGivesTheSameBitsOnEveryCall() => SameBitsOnEveryCall<double>(range: 1500);

    private static void SameBitsOnEveryCall<T>(double range) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Rows of 5, 40 and 1,000 logits spread over [−range, 0] (exp's narrow and wide vector paths): the exponents x − max
        // reach far below the point where exp underflows or leaves its vector kernel's range (−708 in double, −87 in float).
        foreach ((int batch, int classes) in new[] { (128, 5), (16, 40), (2, 1000) })
            SameBitsOnEveryCall<T>(range, batch, classes);
    }

    private static void SameBitsOnEveryCall<T>(double range, int batch, int classes) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int calls = 200;
        var random = new Random(7);
        T[] x = new T[batch * classes], labels = new T[batch], gradient = new T[x.Length], first = new T[x.Length];
        for (int i = 0; i < x.Length; i++)
            x[i] = T.CreateTruncating(-range * random.NextDouble());
        for (int r = 0; r < batch; r++)
            labels[r] = T.CreateTruncating(random.Next(classes));
        ILoss<T> loss = new SoftmaxCrossEntropyLoss<T>();
        T firstLoss = loss.Compute(x, labels, first, batch);
        for (int call = 1; call < calls; call++)
        {
            T value = loss.Compute(x, labels, gradient, batch);
            if (!GemmAssert.BitEquals(value, firstLoss))
                Assert.Fail($"call {call}: loss {value}, {firstLoss} on the first call");
            for (int i = 0; i < gradient.Length; i++)
            {
                if (!GemmAssert.BitEquals(gradient[i], first[i]))
                    Assert.Fail($"call {call}: gradient[{i}] is {gradient[i]}, {first[i]} on the first call");
            }
            if (call % 25 == 0)
                Thread.Sleep(5); // lets the runtime's background compilation replace the code that runs
        }
    }
}
