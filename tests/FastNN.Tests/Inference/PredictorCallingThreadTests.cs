using FastNN.Inference;
using FastNN.Intrinsics;
using FastNN.Layers;
using FastNN.Models;
using FastNN.Tests.Gemm;
using FastNN.Tests.Threading;

namespace FastNN.Tests.Inference;

/// <summary>
/// The predictor's calls run on the calling thread only, as its docs promise: a LayerNorm's unfused GELU over a chunk
/// of 256 rows of 1024 (2^18 elements, where an element-wise pass splits across FastNN's workers) started a worker.
/// The rows are the bits each row gets alone.
/// </summary>
[Collection(ParallelismCollection.Name)] // stops the workers and counts them
public class PredictorCallingThreadTests
{
    [Fact]
    public void AWideUnfusedActivationRunsOnTheCallingThread()
    {
        if (Environment.ProcessorCount < 2)
            return;
        const int Rows = 256, Width = 1024, Input = 4;
        var model = new Sequential<float>(
            [new Dense<float>(Input, Width), new LayerNorm<float>(Width), new Gelu<float>(Width), new Dense<float>(Width, 2)], maxBatch: 1, seed: 3);
        var predictor = new Predictor<float>(model, chunkRows: Rows);
        float[] x = [.. Enumerable.Range(0, Rows * Input).Select(i => (float)Math.Sin(i))];
        var y = new float[Rows * 2];
        Parallelism.StopWorkers();
        predictor.Predict(x, y, Rows);
        Assert.Equal(0, WorkerPool.WorkerCount);

        var alone = new float[2];
        for (int r = 0; r < Rows; r++)
        {
            predictor.Predict(x.AsSpan(r * Input, Input), alone, 1);
            for (int c = 0; c < 2; c++)
                Assert.True(GemmAssert.BitEquals(alone[c], y[r * 2 + c]), $"row {r} column {c}: {alone[c]} alone, {y[r * 2 + c]} in the batch");
        }
    }
}
