using FastNN.Intrinsics;
using FastNN.Tests.Elementwise;

namespace FastNN.Tests.Threading;

/// <summary>Each kind of split call allocates nothing on its caller or on the workers once warm (the hot path's 0 B).</summary>
[Collection(ParallelismCollection.Name)]
public class SplitPassAllocationTests
{
    [Fact]
    public void SplitCallsAllocateNothingOnceWarm()
    {
        var rng = new Random(3);
        float[] a = TestData.Finite<float>(rng, 200 * 600), b = TestData.Finite<float>(rng, 600 * 300), c = new float[200 * 300];
        float[] x = TestData.Finite<float>(rng, SplitPasses.MapLength), y = new float[SplitPasses.MapLength];
        float[] p = TestData.Finite<float>(rng, SplitPasses.UpdateLength), g = TestData.Finite<float>(rng, SplitPasses.UpdateLength);
        float[] m = new float[p.Length], v = new float[p.Length], vMax = new float[p.Length];
        long step = 0;
        void Calls()
        {
            Intrinsics.Gemm.Multiply<float>(false, false, 200, 300, 600, 1f, a, 600, b, 300, 0f, c, 300); // packed, split
            Intrinsics.Gemm.Multiply<float>(false, true, 8, 300, 600, 1f, a, 600, b, 600, 0f, c, 300);    // dot path, split
            Activations.Gelu<float>(x, y);
            OptimizerKernels.Adam<float>(p, g, m, v, vMax, ++step, 1e-3, 0.9, 0.999, 1e-8, 0.01, true);
        }
        int saved = Parallelism.MaxThreads;
        Parallelism.MaxThreads = Environment.ProcessorCount;
        try
        {
            for (int i = 0; i < 3; i++)
                Calls();
            Assert.Equal(0, new PoolThreadAllocation().Least(3, Calls));
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }
}
