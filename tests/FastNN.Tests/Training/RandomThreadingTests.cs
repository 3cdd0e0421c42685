using System.Numerics;
using FastNN.Intrinsics;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Tests.Gemm;
using FastNN.Tests.Models;
using FastNN.Tests.Threading;
using FastNN.Training;
using FsCheck.Xunit;

namespace FastNN.Tests.Training;

/// <summary>
/// "Results do not depend on the thread count" (DESIGN) on random wide architectures (RandomArchitectures with Dense
/// layers up to 300 wide after a 256-wide first product, batch 64: products and updates large enough to split), float
/// and double: three training steps give the same losses, parameters and state on one thread and on two, and the
/// evaluation output and the predictor's too.
/// </summary>
[Collection(ParallelismCollection.Name)]
public class RandomThreadingTests
{
    private const int Batch = 64, Input = 256;

    [Property(MaxTest = 6, EndSize = 1 << 30)]
    public void FloatTrainingAndInferenceDoNotDependOnTheThreadCount(int seed) => Check<float>(seed);

    [Property(MaxTest = 6, EndSize = 1 << 30)]
    public void DoubleTrainingAndInferenceDoNotDependOnTheThreadCount(int seed) => Check<double>(seed);

    private static void Check<T>(int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] one = Run<T>(seed, 1), two = Run<T>(seed, 2);
        Assert.Equal(one.Length, two.Length);
        for (int i = 0; i < one.Length; i++)
            Assert.True(GemmAssert.BitEquals(one[i], two[i]), $"seed {seed}: value {i} of {one.Length} is {one[i]} on one thread, {two[i]} on two");
    }

    // Losses, parameters, state, evaluation output and predictor output, one after another.
    private static T[] Run<T>(int seed, int threads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int saved = Parallelism.MaxThreads;
        Parallelism.MaxThreads = threads;
        try
        {
            var random = new Random(seed);
            List<ILayer<T>> layers = [new Dense<T>(Input, 256), .. RandomArchitectures.Layers<T>(random, 256, maxWidth: 300)];
            layers.Add(new Dense<T>(layers[^1].OutputSize, 10));
            var model = new Sequential<T>(layers, Batch, (ulong)seed);
            var trainer = new Trainer<T>(model, new SoftmaxCrossEntropyLoss<T>(), new AdamW<T>(model.Parameters.Length, 1e-3), TaskKind.MultiClassClassification);
            var values = new List<T>();
            T[] x = RandomArchitectures.Input<T>(random, Batch, Input), y = new T[Batch];
            for (int step = 0; step < 3; step++)
            {
                for (int r = 0; r < Batch; r++)
                    y[r] = T.CreateTruncating(random.Next(10));
                values.Add(T.CreateTruncating(trainer.TrainStep(x, y, Batch)));
            }
            values.AddRange(model.Parameters.ToArray());
            values.AddRange(model.State.ToArray());
            model.Training = false;
            values.AddRange(model.Forward(x, Batch).ToArray());
            T[] predicted = new T[Batch * 10];
            new FastNN.Inference.Predictor<T>(model).Predict(x, predicted, Batch);
            values.AddRange(predicted);
            return [.. values];
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }
}
