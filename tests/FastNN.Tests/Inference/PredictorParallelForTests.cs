using FastNN.Inference;
using FastNN.Intrinsics;
using FastNN.Layers;
using FastNN.Models;
using FastNN.Tests.Gemm;
using FastNN.Tests.Threading;

namespace FastNN.Tests.Inference;

/// <summary>
/// One predictor called from the thread pool's threads inside <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/>,
/// beside element-wise passes wide enough to split across FastNN's workers on the same threads: every row the bits of
/// one single-threaded pass, which agrees with <see cref="Sequential{T}.Forward(ReadOnlySpan{T}, int)"/> in evaluation
/// mode within the documented bound; every neighbouring pass the bits of the same pass on one thread.
/// </summary>
[Collection(ParallelismCollection.Name)] // sets Parallelism.MaxThreads
public class PredictorParallelForTests
{
    private const int Rows = 256, Input = 16, Width = 1024, Output = 3, Wide = 1 << 18;

    [Fact]
    public void RowsAndNeighboursKeepTheirOneThreadBits()
    {
        // A chunk of 256 rows through LayerNorm and GELU of 1024 is a 2^18-element pass, where a pass splits.
        var model = new Sequential<float>(
            [new Dense<float>(Input, Width), new LayerNorm<float>(Width), new Gelu<float>(Width), new Dense<float>(Width, Output)], maxBatch: Rows, seed: 8);
        var random = new Random(4);
        float[] x = [.. Enumerable.Range(0, Rows * Input).Select(_ => (float)(4 * random.NextDouble() - 2))];
        float[] wide = [.. Enumerable.Range(0, Wide).Select(_ => (float)(6 * random.NextDouble() - 3))];
        var predictor = new Predictor<float>(model);

        int saved = Parallelism.MaxThreads;
        float[] expected = new float[Rows * Output], expectedTanh = new float[Wide];
        try
        {
            Parallelism.MaxThreads = 1;
            predictor.Predict(x, expected, Rows);
            Activations.Tanh<float>(wide, expectedTanh);
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
        model.Training = false;
        float[] reference = model.Forward(x, Rows).ToArray();
        for (int r = 0; r < Rows; r++)
        {
            double max = 0;
            for (int c = 0; c < Output; c++)
                max = Math.Max(max, Math.Abs(reference[r * Output + c]));
            for (int c = 0; c < Output; c++)
                Assert.True(Math.Abs(expected[r * Output + c] - reference[r * Output + c]) <= 1e-5 * (1 + max),
                    $"row {r} column {c}: predictor {expected[r * Output + c]}, Sequential {reference[r * Output + c]}");
        }

        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 32, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            // Every third iteration the whole chunk, the others a few rows somewhere; odd ones a wide pass as well.
            var draws = new Random(i);
            int batch = i % 3 == 0 ? Rows : 1 + draws.Next(8), row = draws.Next(Rows - batch + 1);
            var y = new float[batch * Output];
            predictor.Predict(x.AsSpan(row * Input, batch * Input), y, batch);
            for (int k = 0; k < y.Length; k++)
            {
                if (!GemmAssert.BitEquals(y[k], expected[row * Output + k]))
                    failures.Add($"iteration {i}: row {row + k / Output} column {k % Output} is {y[k]}, {expected[row * Output + k]} on one thread");
            }
            if (i % 2 == 1)
            {
                var tanh = new float[Wide];
                Activations.Tanh<float>(wide, tanh);
                int differ = Enumerable.Range(0, Wide).Count(k => !GemmAssert.BitEquals(tanh[k], expectedTanh[k]));
                if (differ > 0)
                    failures.Add($"iteration {i}: {differ} tanh values differ from one thread's");
            }
        });
        Assert.Empty(failures);
    }
}
