using System.Diagnostics;
using FastNN.Data;
using FastNN.Intrinsics;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;
using static FastNN.Benchmarks.Infrastructure.Figures;

namespace FastNN.Benchmarks.Models;

/// <summary>
/// The full soak of issue 15: 10,000 training steps of the 784-256-256-10 ReLU MLP (AdamW at γ = 1e-3, batch 64) on a
/// seeded task (4,096 random rows labelled by a random linear teacher, reshuffled every epoch), on one thread, again on
/// one thread with the same seed, and on two threads. Every 1,000 steps it prints the bytes allocated since the
/// warm-up (calling thread and whole process), the collections, the working set and the managed heap; at the end,
/// whether the repeated runs ended with the same parameters and losses, bit for bit.
/// </summary>
/// <remarks>Run with <c>dotnet run -c Release --project benchmarks/FastNN.Benchmarks -- soak [--steps N]</c>. The test
/// suite's SoakTests runs the same checks on a small network.</remarks>
internal static class SoakReport
{
    private const int Batch = 64, Rows = 4096, Features = 784, Classes = 10, WarmUp = 200, Every = 1000;

    public static void Run(Infrastructure.ModeArguments arguments)
    {
        int steps = arguments.Count("--steps", 10_000, minimum: WarmUp + 1);
        arguments.Finish();
        Console.WriteLine($"// Machine: {Infrastructure.Machine.Describe()}");
        Console.WriteLine($"// Soak: {steps} steps of 784-256-256-10 ReLU, AdamW (γ 1e-3), batch {Batch}, {Rows} seeded rows reshuffled each epoch; {WarmUp} warm-up steps first.");
        (float[] parameters, double[] losses) first = Soak(steps, seed: 11, threads: 1);
        (float[] parameters, double[] losses) again = Soak(steps, seed: 11, threads: 1);
        (float[] parameters, double[] losses) two = Soak(steps, seed: 11, threads: Math.Min(2, Environment.ProcessorCount));
        Console.WriteLine();
        Console.WriteLine($"Same seed, one thread, twice: parameters {Same(first.parameters, again.parameters)}, losses {Same(first.losses, again.losses)}.");
        Console.WriteLine($"Same seed, one thread against two: parameters {Same(first.parameters, two.parameters)}, losses {Same(first.losses, two.losses)}.");
        Parallelism.MaxThreads = Environment.ProcessorCount;
    }

    private static string Same<T>(T[] a, T[] b) => a.AsSpan().SequenceEqual(b) ? "identical" : "DIFFERENT";

    private static (float[] Parameters, double[] Losses) Soak(int steps, ulong seed, int threads)
    {
        Parallelism.MaxThreads = threads;
        var random = new Random((int)seed);
        var features = new float[Rows * Features];
        for (int i = 0; i < features.Length; i++)
            features[i] = (float)random.NextDouble();
        var teacher = new double[Features * Classes];
        for (int i = 0; i < teacher.Length; i++)
            teacher[i] = random.NextDouble() * 2 - 1;
        var labels = new float[Rows];
        for (int r = 0; r < Rows; r++)
        {
            double best = double.NegativeInfinity;
            for (int c = 0; c < Classes; c++)
            {
                double score = 0;
                for (int f = 0; f < Features; f++)
                    score += (features[r * Features + f] - 0.5) * teacher[f * Classes + c];
                if (score > best)
                    (best, labels[r]) = (score, c);
            }
        }
        var data = new Dataset<float>(features, labels, Features);
        Sequential<float> model = new SequentialBuilder<float>(Features).Dense(256).Relu().Dense(256).Relu().Dense(Classes).Build(Batch, seed);
        var trainer = new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), new AdamW<float>(model.Parameters.Length), TaskKind.MultiClassClassification);
        var shuffler = new Shuffler(Rows, new FastRandom(seed));
        float[] x = new float[Batch * Features], y = new float[Batch];
        var losses = new double[steps];
        int first = Rows;

        Console.WriteLine();
        Console.WriteLine($"### {threads} thread(s), seed {seed}");
        Console.WriteLine();
        Console.WriteLine("| Steps | mean loss (last 1000) | µs per step | bytes since warm-up (thread / process) | gen0/gen1/gen2 collections | working set MB | managed heap MB |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        long threadBytes = 0, processBytes = 0;
        int gen0 = 0, gen1 = 0, gen2 = 0;
        long clock = Stopwatch.GetTimestamp();
        int timedFrom = 0; // the step the clock started at: the first checkpoint after the warm-up times Every - WarmUp steps
        for (int step = 0; step < steps; step++)
        {
            if (step == WarmUp)
            {
                (threadBytes, processBytes) = (GC.GetAllocatedBytesForCurrentThread(), GC.GetTotalAllocatedBytes(precise: true));
                (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
                clock = Stopwatch.GetTimestamp();
                timedFrom = step;
            }
            if (first == Rows)
            {
                shuffler.Shuffle();
                first = 0;
            }
            data.Gather(shuffler.Order.Slice(first, Batch), x, y);
            first += Batch;
            losses[step] = trainer.TrainStep(x.AsMemory(), y, Batch);
            if (step >= WarmUp && (step + 1) % Every == 0)
            {
                double microseconds = Stopwatch.GetElapsedTime(clock).TotalMicroseconds / (step + 1 - timedFrom);
                long threadNow = GC.GetAllocatedBytesForCurrentThread(), processNow = GC.GetTotalAllocatedBytes(precise: true);
                int c0 = GC.CollectionCount(0) - gen0, c1 = GC.CollectionCount(1) - gen1, c2 = GC.CollectionCount(2) - gen2;
                double mean = 0;
                for (int i = step + 1 - Every; i <= step; i++)
                    mean += losses[i] / Every;
                Console.WriteLine($"| {step + 1} | {F(mean, 4)} | {F(microseconds, 1)} | {threadNow - threadBytes} / {processNow - processBytes} | {c0}/{c1}/{c2} | " +
                    $"{F(Environment.WorkingSet / 1048576.0, 1)} | {F(GC.GetTotalMemory(false) / 1048576.0, 1)} |");
                // What this report itself allocated is not the steps': moved out of the counts.
                threadBytes += GC.GetAllocatedBytesForCurrentThread() - threadNow;
                processBytes += GC.GetTotalAllocatedBytes(precise: true) - processNow;
                clock = Stopwatch.GetTimestamp();
                timedFrom = step + 1;
            }
        }
        return (model.Parameters.ToArray(), losses);
    }
}
