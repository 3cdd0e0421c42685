using System.Numerics;
using FastNN.Inference;
using FastNN.Intrinsics;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Models;
using FastNN.Tests.Gemm;
using FastNN.Tests.Threading;
using FastNN.Training;

namespace FastNN.Tests.Inference;

/// <summary>
/// The predictor's promise on a model of every layer type, Dense layers nested in Residual (with and without a
/// projection) and Concat blocks included, in float and double, with one kernel thread and two: 4 threads calling one
/// predictor at once, batches of 1 to 40 rows, every row bit-identical to what it gives alone, nothing allocated per call.
/// </summary>
[Collection(ParallelismCollection.Name)] // sets Parallelism.MaxThreads and counts allocations
public class PredictorEveryLayerTests
{
    private const int Rows = 40, Input = 12, Width = 32, Classes = 5, Callers = 4;

    private static ILayer<T>[] EveryLayer<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
    [
        new Dense<T>(Input, Width), new BatchNorm1d<T>(Width), new Relu<T>(Width), new LayerNorm<T>(Width), new Dropout<T>(Width, 0.2),
        new Residual<T>(new Dense<T>(Width, Width), new LayerNorm<T>(Width), new Gelu<T>(Width), new Dropout<T>(Width, 0.3)),
        new Residual<T>(new Dense<T>(Width, 24), new Tanh<T>(24)),                                   // with a projection
        new Concat<T>(new Dense<T>(24, 8), new Silu<T>(8), new BatchNorm1d<T>(8)),
        new PRelu<T>(Width, Width), new Elu<T>(Width), new LeakyRelu<T>(Width), new Softplus<T>(Width), new Sigmoid<T>(Width),
        new Gelu<T>(Width, tanhApproximation: true), new Dense<T>(Width, Width), new PRelu<T>(Width), new Dense<T>(Width, 16),
        new Softmax<T>(16), new LogSoftmax<T>(16), new Dense<T>(16, Classes),
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void FloatRowsDoNotDependOnTheBatchOrTheCallersAndCostNothing(int threads) => Check<float>(threads);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void DoubleRowsDoNotDependOnTheBatchOrTheCallersAndCostNothing(int threads) => Check<double>(threads);

    private static void Check<T>(int threads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int saved = Parallelism.MaxThreads;
        Parallelism.MaxThreads = threads;
        try
        {
            var model = new Sequential<T>(EveryLayer<T>(), maxBatch: Rows, seed: 4);
            var random = new Random(3);
            T[] x = new T[Rows * Input];
            for (int i = 0; i < x.Length; i++)
                x[i] = T.CreateTruncating(4 * random.NextDouble() - 2);
            model.Forward(x, Rows); // a training pass: running statistics that are not the initial ones
            var predictor = new Predictor<T>(model, new ModelInfo { Task = TaskKind.MultiClassClassification }, chunkRows: 32);

            // The reference: each row alone, on this thread.
            T[] expected = new T[Rows * Classes], expectedProbabilities = new T[Rows * Classes];
            int[] expectedClasses = new int[Rows];
            for (int r = 0; r < Rows; r++)
            {
                predictor.Predict(x.AsSpan(r * Input, Input), expected.AsSpan(r * Classes, Classes), 1);
                expectedClasses[r] = predictor.Classify(x.AsSpan(r * Input, Input), expectedProbabilities.AsSpan(r * Classes, Classes));
            }

            var failures = new string?[Callers];
            var allocated = new long[Callers];
            using var start = new Barrier(Callers);
            Thread[] callers = [.. Enumerable.Range(0, Callers).Select(t => new Thread(() =>
            {
                try
                {
                    T[] y = new T[Rows * Classes];
                    int[] classes = new int[Rows];
                    var draws = new Random(t);
                    // Batches of 1 to 40 rows: the one-row kernel, the few-row dot path (up to 16) and the packed GEMM (17 up, and a 32-row chunk and the rest).
                    void Call()
                    {
                        int batch = 1 + draws.Next(Rows), row = draws.Next(Rows - batch + 1);
                        ReadOnlySpan<T> input = x.AsSpan(row * Input, batch * Input);
                        predictor.Predict(input, y.AsSpan(0, batch * Classes), batch);
                        Same(y, expected, row, batch, t, "Predict");
                        predictor.Classify(input, y.AsSpan(0, batch * Classes), classes.AsSpan(0, batch), batch);
                        Same(y, expectedProbabilities, row, batch, t, "Classify");
                        for (int r = 0; r < batch; r++)
                        {
                            if (classes[r] != expectedClasses[row + r])
                                throw new InvalidOperationException($"thread {t}, Classify: row {row + r} is class {classes[r]}, {expectedClasses[row + r]} alone");
                        }
                    }
                    start.SignalAndWait();
                    for (int i = 0; i < 10; i++)
                        Call();
                    allocated[t] = SteadyStateAllocation.Least(3, () =>
                    {
                        for (int i = 0; i < 20; i++)
                            Call();
                    });
                }
                catch (Exception e)
                {
                    failures[t] = e.Message;
                }
            }))];
            foreach (Thread caller in callers)
                caller.Start();
            foreach (Thread caller in callers)
                caller.Join();
            Assert.All(failures, f => Assert.Null(f));
            Assert.All(allocated, bytes => Assert.Equal(0, bytes));
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    private static void Same<T>(T[] actual, T[] expected, int row, int batch, int thread, string method) where T : unmanaged
    {
        for (int i = 0; i < batch * Classes; i++)
        {
            if (!GemmAssert.BitEquals(actual[i], expected[row * Classes + i]))
                throw new InvalidOperationException($"thread {thread}, {method}, batch {batch}: row {row + i / Classes} column {i % Classes} is {actual[i]}, {expected[row * Classes + i]} alone");
        }
    }
}
