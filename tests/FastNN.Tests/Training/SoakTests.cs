using FastNN.Data;
using FastNN.Intrinsics;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Tests.Threading;
using FastNN.Training;

namespace FastNN.Tests.Training;

/// <summary>
/// A soak of many training steps of a small network: no bytes allocated by any step on FastNN's threads (the calling
/// thread and every pool worker: <see cref="PoolThreadAllocation"/>), no growth of the process's
/// working set, and the same result for the same seed, on one thread or all of them. (The full 10,000-step soak of the
/// benchmark suite's MLP is <c>dotnet run -c Release --project benchmarks/FastNN.Benchmarks -- soak</c>.)
/// </summary>
[Collection(ParallelismCollection.Name)] // alone in the process: it reads the working set, and sets Parallelism.MaxThreads
public class SoakTests
{
    private const int Steps = 10_000, Batch = 16, Rows = 256, Features = 16, Classes = 4;

    /// <summary>
    /// Working-set growth allowed over the measured steps: what the runtime may still page in after the warm-up (tiered
    /// compilation of the loop's last methods), well below what a leak of a workspace per call
    /// would add (a GEMM workspace is kilobytes to megabytes; 9,000 of them, tens of megabytes and more).
    /// </summary>
    private const long WorkingSetSlack = 4 << 20;

    private sealed record Outcome(float[] Parameters, double[] Losses, long FastNNBytes, long WorkingSetGrowth);

    private static Outcome Soak(ulong seed, int threads)
    {
        int saved = Parallelism.MaxThreads;
        Parallelism.MaxThreads = threads;
        try
        {
            // A seeded teacher: labels are the argmax of a random linear map of random features.
            var random = new Random((int)seed);
            var features = new float[Rows * Features];
            for (int i = 0; i < features.Length; i++)
                features[i] = (float)(random.NextDouble() * 2 - 1);
            var teacher = new double[Features * Classes];
            for (int i = 0; i < teacher.Length; i++)
                teacher[i] = random.NextDouble() * 2 - 1;
            var labels = new float[Rows];
            for (int r = 0; r < Rows; r++)
            {
                int best = 0;
                double bestScore = double.NegativeInfinity;
                for (int c = 0; c < Classes; c++)
                {
                    double score = 0;
                    for (int f = 0; f < Features; f++)
                        score += features[r * Features + f] * teacher[f * Classes + c];
                    if (score > bestScore)
                        (best, bestScore) = (c, score);
                }
                labels[r] = best;
            }
            var data = new Dataset<float>(features, labels, Features);

            Sequential<float> model = new SequentialBuilder<float>(Features).Dense(32).Relu().Dense(32).Tanh().Dense(Classes).Build(Batch, seed);
            var trainer = new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), new AdamW<float>(model.Parameters.Length, learningRate: 1e-2),
                TaskKind.MultiClassClassification);
            var shuffler = new Shuffler(Rows, new FastRandom(seed));
            float[] x = new float[Batch * Features], y = new float[Batch];
            var losses = new double[Steps];
            int first = Rows;
            void Step(int step)
            {
                if (first == Rows)
                {
                    shuffler.Shuffle();
                    first = 0;
                }
                data.Gather(shuffler.Order.Slice(first, Batch), x, y);
                first += Batch;
                losses[step] = trainer.TrainStep(x.AsMemory(), y, Batch);
            }

            const int warmUp = Steps / 10;
            for (int step = 0; step < warmUp; step++)
                Step(step);
            // Environment.WorkingSet reads /proc and allocates: outside the counted window.
            long workingSet = Environment.WorkingSet;
            // FastNN's threads' own counters, not GC.CollectionCount: a collection is process-wide, and the test host's
            // threads allocate while a test runs (it once counted one gen-0 collection here with every FastNN thread at 0 B).
            var counter = new PoolThreadAllocation();
            counter.Read(); // a thread's first pool job allocates its job record
            long bytes = counter.Read();
            for (int step = warmUp; step < Steps; step++)
                Step(step);
            bytes = counter.Read() - bytes;
            return new Outcome(model.Parameters.ToArray(), losses, bytes, Environment.WorkingSet - workingSet);
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    [Fact]
    public void ThousandsOfStepsAllocateNothingKeepTheWorkingSetAndRepeatExactly()
    {
        Outcome first = Soak(seed: 5, threads: 1);
        Outcome again = Soak(seed: 5, threads: 1);
        Outcome threaded = Soak(seed: 5, threads: Environment.ProcessorCount);
        Outcome other = Soak(seed: 6, threads: 1);

        foreach (Outcome o in new[] { first, again, threaded, other })
        {
            Assert.Equal(0, o.FastNNBytes);
            Assert.True(o.WorkingSetGrowth < WorkingSetSlack, $"The working set grew by {o.WorkingSetGrowth} bytes over {Steps - Steps / 10} steps.");
        }
        // It learned: the last steps' mean loss is far below the first's (ln 4 ≈ 1.39 at chance).
        Assert.True(first.Losses[^100..].Average() < 0.5 * first.Losses[..20].Average(), $"Loss {first.Losses[..20].Average()} → {first.Losses[^100..].Average()}.");
        // The same seed gives the same bits, whatever the thread count; another seed does not.
        Assert.Equal(first.Parameters, again.Parameters);
        Assert.Equal(first.Losses, again.Losses);
        Assert.Equal(first.Parameters, threaded.Parameters);
        Assert.Equal(first.Losses, threaded.Losses);
        Assert.NotEqual(first.Parameters, other.Parameters);
    }
}
