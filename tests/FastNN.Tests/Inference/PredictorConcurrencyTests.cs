using FastNN.Inference;
using FastNN.Layers;
using FastNN.Models;
using FastNN.Tests.Gemm;

namespace FastNN.Tests.Inference;

/// <summary>
/// One predictor shared by 8 threads (the short form of the 10 s benchmark): every row bit-identical to what one
/// thread computes, whatever the batch it is in, no exception, and nothing allocated per call once each thread has
/// made its first call.
/// </summary>
public class PredictorConcurrencyTests
{
    private const int Rows = 96, Input = 48, Output = 10;

    private static (Predictor<float> Predictor, float[] X, float[] Expected) Setup()
    {
        var model = new Sequential<float>(
            [new Dense<float>(Input, 64), new Relu<float>(64), new Dense<float>(64, 40), new Gelu<float>(40), new LayerNorm<float>(40), new Dense<float>(40, Output)],
            maxBatch: 1, seed: 11);
        var predictor = new Predictor<float>(model, chunkRows: 32);
        var random = new Random(2);
        float[] x = Enumerable.Range(0, Rows * Input).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        // The reference: one row per call, on this thread.
        var expected = new float[Rows * Output];
        for (int r = 0; r < Rows; r++)
            predictor.Predict(x.AsSpan(r * Input, Input), expected.AsSpan(r * Output, Output), 1);
        return (predictor, x, expected);
    }

    [Fact]
    public void RowsAreBitIdenticalWhateverTheBatch()
    {
        (Predictor<float> predictor, float[] x, float[] expected) = Setup();
        foreach (int batch in new[] { 2, 3, 4, 5, 31, 32, 33, Rows })
        {
            var y = new float[Rows * Output];
            for (int r = 0; r < Rows; r += batch)
            {
                int n = Math.Min(batch, Rows - r);
                predictor.Predict(x.AsSpan(r * Input, n * Input), y.AsSpan(r * Output, n * Output), n);
            }
            for (int i = 0; i < y.Length; i++)
                Assert.True(GemmAssert.BitEquals(y[i], expected[i]), $"batch {batch}: row {i / Output} column {i % Output} is {y[i]}, {expected[i]} alone");
        }
    }

    [Fact]
    public void EightThreadsShareOnePredictor()
    {
        (Predictor<float> predictor, float[] x, float[] expected) = Setup();
        const int Threads = 8;
        var failures = new string?[Threads];
        var allocated = new long[Threads];
        var calls = new int[Threads];
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                var y = new float[7 * Output];
                var random = new Random(t);
                // Batches of 1 (the panel kernel) for even threads, 1 to 7 rows (both kernels) for odd ones.
                void Call()
                {
                    int batch = t % 2 == 0 ? 1 : 1 + random.Next(7), row = random.Next(Rows - batch + 1);
                    predictor.Predict(x.AsSpan(row * Input, batch * Input), y.AsSpan(0, batch * Output), batch);
                    for (int i = 0; i < batch * Output; i++)
                    {
                        if (!GemmAssert.BitEquals(y[i], expected[row * Output + i]))
                            throw new InvalidOperationException($"thread {t}: row {row + i / Output} column {i % Output} is {y[i]}, {expected[row * Output + i]} alone");
                    }
                    calls[t]++;
                }
                start.SignalAndWait();
                for (int i = 0; i < 20; i++)
                    Call();
                allocated[t] = SteadyStateAllocation.Least(5, () =>
                {
                    for (int i = 0; i < 100; i++)
                        Call();
                });
            }
            catch (Exception e)
            {
                failures[t] = e.ToString();
            }
        })).ToArray();
        foreach (Thread thread in threads)
            thread.Start();
        foreach (Thread thread in threads)
            thread.Join();
        Assert.All(failures, f => Assert.Null(f));
        Assert.All(calls, c => Assert.Equal(520, c));
        Assert.All(allocated, bytes => Assert.Equal(0, bytes));
    }
}
