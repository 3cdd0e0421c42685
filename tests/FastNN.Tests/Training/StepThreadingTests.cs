using FastNN.Intrinsics;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Tests.Threading;
using FastNN.Training;

namespace FastNN.Tests.Training;

/// <summary>The fused training step gives the same bits on one thread and on all, at sizes where its products and its update are split.</summary>
[Collection(ParallelismCollection.Name)]
public class StepThreadingTests
{
    [Fact]
    public void AStepLargeEnoughToSplitIsBitIdenticalForAnyThreadCount()
    {
        // Dense 256→256 at batch 64: 8.4 MFLOP products (split from 2 MFLOP a thread); 134,154 parameters (an update split from 2 x 65,536).
        Assert.True(2.0 * 64 * 256 * 256 >= 2 * 2_000_000 && 134_154 >= 2 * OptimizerKernels.MinElementsPerThread);
        (float[] Parameters, double[] Losses) Train(int threads)
        {
            int saved = Parallelism.MaxThreads;
            Parallelism.MaxThreads = threads;
            try
            {
                Sequential<float> model = new SequentialBuilder<float>(256).Dense(256).Sigmoid().Dense(256).Relu().Dense(10).Build(64, seed: 21);
                Assert.Equal(134_154, model.Parameters.Length);
                var trainer = new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), new AdamW<float>(model.Parameters.Length, learningRate: 1e-2),
                    TaskKind.MultiClassClassification);
                var random = new Random(4);
                var losses = new double[3];
                for (int step = 0; step < losses.Length; step++)
                {
                    float[] x = new float[64 * 256], y = new float[64];
                    for (int i = 0; i < x.Length; i++)
                        x[i] = (float)(random.NextDouble() * 2 - 1);
                    for (int i = 0; i < y.Length; i++)
                        y[i] = random.Next(10);
                    losses[step] = trainer.TrainStep(x.AsMemory(), y, 64);
                }
                return (model.Parameters.ToArray(), losses);
            }
            finally
            {
                Parallelism.MaxThreads = saved;
            }
        }
        (float[] Parameters, double[] Losses) one = Train(1), all = Train(Environment.ProcessorCount);
        Assert.Equal(one.Losses, all.Losses);
        Assert.Equal(one.Parameters, all.Parameters);
    }
}
