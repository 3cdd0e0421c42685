using FastNN.Inference;
using FastNN.IO;
using FastNN.Tests.Gemm;
using static FastNN.Tests.IO.CommittedFiles;

namespace FastNN.Tests.Inference;

/// <summary>
/// A predictor loaded from a committed file (Linear, BatchNorm, ReLU, Linear), called wrongly and called by many
/// threads at once: every misuse is an <see cref="ArgumentException"/> naming the argument and the shapes, and every
/// thread, whatever its batch (across the chunk size too), gets the bits one thread gets row by row, allocating nothing.
/// </summary>
public class PredictorCallersTests
{
    private const int ChunkRows = 5, Rows = 40;

    private static readonly Predictor<float> Shared = Predictor<float>.Load(BatchNormFile, chunkRows: ChunkRows);

    private static float[] Input()
    {
        var random = new Random(3);
        return Enumerable.Range(0, Rows * Shared.InputSize).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
    }

    [Fact]
    public void WrongSpansAndBatchesNameTheArgumentAndTheShape()
    {
        Predictor<float> p = Shared;
        Assert.Equal((4, 1), (p.InputSize, p.OutputSize));
        var e = Assert.Throws<ArgumentException>(() => p.Predict(new float[7], new float[2], 2));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("[2, 4] needs 8", e.Message);
        e = Assert.Throws<ArgumentException>(() => p.Predict(new float[8], new float[3], 2));
        Assert.Equal("output", e.ParamName);
        Assert.Contains("[2, 1] needs 2", e.Message);
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => p.Predict(new float[8], new float[2], -1)).ParamName);
        // A batch whose element count passes int.MaxValue is a wrong length, not an overflow.
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => p.Predict(new float[8], new float[2], int.MaxValue)).ParamName);
        // Batch 0 with empty spans does nothing; with rows given, the rows are the mistake.
        p.Predict([], [], 0);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => p.Predict(new float[4], [], 0)).ParamName);
        float[] shared = new float[12];
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => p.Predict(shared.AsSpan(0, 8), shared.AsSpan(7, 2), 2)).ParamName);
    }

    [Fact]
    public void ThreadsWithBatchesAcrossTheChunkSizeGetTheBitsOfOneThreadAndAllocateNothing()
    {
        float[] x = Input();
        var expected = new float[Rows];
        for (int r = 0; r < Rows; r++)
            Shared.Predict(x.AsSpan(r * 4, 4), expected.AsSpan(r, 1), 1);
        const int Threads = 6;
        var failures = new string?[Threads];
        var allocated = new long[Threads];
        using var start = new Barrier(Threads);
        Thread[] threads = [.. Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                var random = new Random(t);
                var y = new float[Rows];
                void Call()
                {
                    // 1 to 3 chunks and a part: every split of a batch into chunks, and the whole input.
                    int batch = 1 + random.Next(3 * ChunkRows + 2), row = random.Next(Rows - batch + 1);
                    Shared.Predict(x.AsSpan(row * 4, batch * 4), y.AsSpan(0, batch), batch);
                    for (int i = 0; i < batch; i++)
                    {
                        if (!GemmAssert.BitEquals(y[i], expected[row + i]))
                            throw new InvalidOperationException($"thread {t}: row {row + i} of a batch of {batch} is {y[i]}, {expected[row + i]} alone");
                    }
                }
                start.SignalAndWait();
                for (int i = 0; i < 30; i++)
                    Call();
                allocated[t] = SteadyStateAllocation.Least(5, () =>
                {
                    for (int i = 0; i < 50; i++)
                        Call();
                });
            }
            catch (Exception e)
            {
                failures[t] = e.ToString();
            }
        }))];
        foreach (Thread thread in threads)
            thread.Start();
        foreach (Thread thread in threads)
            thread.Join();
        Assert.All(failures, f => Assert.Null(f));
        Assert.All(allocated, bytes => Assert.Equal(0, bytes));
    }
}
