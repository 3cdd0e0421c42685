using FastNN.Intrinsics;
using FastNN.Optimizers;
using FastNN.Tests.Threading;

namespace FastNN.Tests.Optimizers;

/// <summary>Large updates split across threads give the same bits as one thread and as the scalar reference, without allocating.</summary>
[Collection(ParallelismCollection.Name)]
public class ParallelUpdateTests
{
    private const int Length = 3 * OptimizerKernels.MinElementsPerThread + 37;

    private static float[] Random(int seed, int n, float shift = 0)
    {
        var random = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)random.NextDouble() - 0.5f + shift;
        return x;
    }

    [Fact]
    public void ThreadCountDoesNotChangeTheResult()
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            float[][] Run(int threads)
            {
                Parallelism.MaxThreads = threads;
                float[] p = Random(1, Length), g = Random(2, Length), m = Random(3, Length), v = Random(4, Length, 1), vMax = Random(5, Length, 1);
                // Slices starting at 3 put chunk boundaries off the arrays' alignment.
                OptimizerKernels.Adam<float>(p.AsSpan(3), g.AsSpan(3), m.AsSpan(3), v.AsSpan(3), vMax.AsSpan(3), 4, 1e-3, 0.9, 0.999, 1e-8, 0.01, true);
                return [p, m, v, vMax];
            }
            float[][] one = Run(1), two = Run(Environment.ProcessorCount);

            float[] rp = Random(1, Length), rg = Random(2, Length), rm = Random(3, Length), rv = Random(4, Length, 1), rvMax = Random(5, Length, 1);
            var op = new OptimizerKernels.AdamOperator<float>(4, 1e-3, 0.9, 0.999, 1e-8, 0.01, true, true);
            UpdateDriver.RunScalar(op, rp.AsSpan(3), rg.AsSpan(3), rm.AsSpan(3), rv.AsSpan(3), rvMax.AsSpan(3));
            float[][] reference = [rp, rm, rv, rvMax];
            for (int k = 0; k < 4; k++)
            {
                Assert.Equal(reference[k], one[k]);
                Assert.Equal(reference[k], two[k]);
            }
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    [Fact]
    public void ThreadedStepAllocatesNothing()
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = Environment.ProcessorCount;
            var adamW = new AdamW<float>(Length, amsGrad: true);
            float[] p = Random(1, Length), g = Random(2, Length);
            for (int t = 0; t < 3; t++) adamW.Step(p, g);
            // On the calling thread and on every worker the update runs on.
            Assert.Equal(0, new PoolThreadAllocation().Least(3, () =>
            {
                for (int t = 0; t < 10; t++) adamW.Step(p, g);
            }));
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }
}
