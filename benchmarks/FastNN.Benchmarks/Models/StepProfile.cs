using System.Diagnostics;
using FastNN.Intrinsics;
using FastNN.Layers;
using FastNN.Losses;
using static FastNN.Benchmarks.Infrastructure.Figures;

namespace FastNN.Benchmarks.Models;

/// <summary>
/// Where a training step's time goes: the step replayed as the sequence of kernel calls the library makes for it
/// (each GEMM, each element-wise pass, the loss, the optimizer), on buffers of the same shapes, with a timestamp
/// between calls; each phase's median over many replays, beside the median of the real step measured in the same
/// loop. "The rest" is the step minus the phases: the layer dispatch, argument checks and trainer bookkeeping.
/// </summary>
/// <remarks>The replay mirrors the fused path of <c>Trainer.TrainStep</c> (LayerChain's fused Dense + activation pairs,
/// gradients overwritten, AdamW after the backward pass) over Dense layers with ReLU, sigmoid or tanh after them; keep the two in step.</remarks>
internal static class StepProfile
{
    private sealed record Phase(string Name, double Flops, double Bytes, Action Run);

    public static void Print(StepWorkload workload, int rounds, int threads)
    {
        if (workload.Name == "fit")
            return;
        Parallelism.MaxThreads = threads;
        List<Phase> phases = Plan(workload);
        // Warm up, then alternate a replay of the phases (timestamps between them) with a real step.
        StepReport.WarmUp(workload);
        Parallelism.MaxThreads = threads;
        for (int i = 0; i < 20; i++)
        {
            foreach (Phase p in phases)
                p.Run();
            workload.Step();
        }
        int replays = Math.Max(50, rounds * 20);
        var times = new double[phases.Count][];
        for (int p = 0; p < phases.Count; p++)
            times[p] = new double[replays];
        var steps = new double[replays];
        for (int r = 0; r < replays; r++)
            Replay(workload, phases, r, times, steps);

        double step = Median(steps), sum = 0;
        Console.WriteLine();
        Console.WriteLine($"### Profile of {workload.Name} ({workload.Description}), {threads} thread(s): medians of {replays} replays, step {F(step * 1e6, 1)} µs");
        Console.WriteLine();
        Console.WriteLine("| Phase | µs | % of step | GFLOP/s | GB/s |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        for (int p = 0; p < phases.Count; p++)
        {
            double t = Median(times[p]);
            sum += t;
            Phase phase = phases[p];
            Console.WriteLine($"| {phase.Name} | {F(t * 1e6, 1)} | {F(t / step * 100, 1)} | {(phase.Flops > 0 ? F(phase.Flops / t / 1e9, 1) : "")} | {(phase.Bytes > 0 ? F(phase.Bytes / t / 1e9, 1) : "")} |");
        }
        Console.WriteLine($"| the rest (step − phases) | {F((step - sum) * 1e6, 1)} | {F((step - sum) / step * 100, 1)} | | |");
        Parallelism.MaxThreads = Environment.ProcessorCount;
    }

    /// <summary>Run with <c>dotnet run -c Release --project benchmarks/FastNN.Benchmarks -- step-threads [mlp64 mlp256 deep64] [--rounds N]</c>: <see cref="PrintThreads"/> alone.</summary>
    public static void RunThreads(Infrastructure.ModeArguments arguments)
    {
        int rounds = arguments.Count("--rounds", 15);
        IReadOnlyList<string> workloads = arguments.Names(StepWorkload.Steps);
        Console.WriteLine($"// Machine: {Infrastructure.Machine.Describe()}");
        foreach (string name in workloads)
            PrintThreads(StepWorkload.Create(name), rounds);
    }

    /// <summary>
    /// Where the second core goes: the replay and the real step on one thread, then on two, in alternated blocks so
    /// both see the same minute of the VM (replay by replay, every two-thread replay would find its worker asleep and
    /// its data in the other core's cache); per phase the medians on each, their ratio, and the time over a perfect halving
    /// (two-thread time minus half the one-thread time), which sums to what the step loses against 2x.
    /// </summary>
    public static void PrintThreads(StepWorkload workload, int rounds)
    {
        if (workload.Name == "fit")
            return;
        int two = Math.Min(2, Environment.ProcessorCount);
        List<Phase> phases = Plan(workload);
        StepReport.WarmUp(workload);
        int replays = Math.Max(50, rounds * 20);
        var times = new double[2][][];
        var steps = new double[2][];
        for (int t = 0; t < 2; t++)
        {
            times[t] = new double[phases.Count][];
            for (int p = 0; p < phases.Count; p++)
                times[t][p] = new double[replays];
            steps[t] = new double[replays];
        }
        // Blocks of replays on each thread count, each block after two untimed replays: the worker is then awake
        // and the state where the last block on that count left it, as in a training loop.
        const int block = 10;
        for (int r = 0; r < replays; r += block)
        {
            for (int t = 0; t < 2; t++)
            {
                Parallelism.MaxThreads = t == 0 ? 1 : two;
                for (int i = 0; i < 2; i++)
                    Replay(workload, phases, r, times[t], steps[t]);
                for (int i = r; i < Math.Min(r + block, replays); i++)
                    Replay(workload, phases, i, times[t], steps[t]);
            }
        }
        Parallelism.MaxThreads = Environment.ProcessorCount;

        double step1 = Median(steps[0]), step2 = Median(steps[1]), over = 0;
        Console.WriteLine();
        Console.WriteLine($"### Profile of {workload.Name} ({workload.Description}), 1 against {two} threads: medians of {replays} replays in alternated blocks of {block}, " +
            $"step {F(step1 * 1e6, 1)} against {F(step2 * 1e6, 1)} µs ({F(step1 / step2, 2)}x; {F((step2 - step1 / 2) * 1e6, 1)} µs over half)");
        Console.WriteLine();
        Console.WriteLine($"| Phase | 1t µs | {two}t µs | 1t / {two}t | {two}t − 1t/2 µs |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        for (int p = 0; p < phases.Count; p++)
        {
            double t1 = Median(times[0][p]), t2 = Median(times[1][p]);
            over += t2 - t1 / 2;
            Console.WriteLine($"| {phases[p].Name} | {F(t1 * 1e6, 1)} | {F(t2 * 1e6, 1)} | {F(t1 / t2, 2)}x | {F((t2 - t1 / 2) * 1e6, 1)} |");
        }
        Console.WriteLine($"| the phases | | | | {F(over * 1e6, 1)} |");
    }

    /// <summary>Replay <paramref name="r"/>: the phases with a timestamp between them, then one real step, timed.</summary>
    private static void Replay(StepWorkload workload, List<Phase> phases, int r, double[][] times, double[] steps)
    {
        Span<long> stamps = stackalloc long[phases.Count + 1];
        stamps[0] = Stopwatch.GetTimestamp();
        for (int p = 0; p < phases.Count; p++)
        {
            phases[p].Run();
            stamps[p + 1] = Stopwatch.GetTimestamp();
        }
        for (int p = 0; p < phases.Count; p++)
            times[p][r] = (stamps[p + 1] - stamps[p]) / (double)Stopwatch.Frequency;
        long start = Stopwatch.GetTimestamp();
        workload.Step();
        steps[r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>The kernel calls of one step of <paramref name="workload"/>, in order, on buffers of its shapes.</summary>
    private static List<Phase> Plan(StepWorkload workload)
    {
        var model = workload.Model;
        int batch = workload.Batch;
        var layers = model.Layers;
        var phases = new List<Phase>();
        var random = new Random(3);
        float[] Buffer(int length)
        {
            var b = new float[length];
            for (int i = 0; i < b.Length; i++)
                b[i] = (float)(random.NextDouble() - 0.5);
            return b;
        }

        int parameterCount = model.Parameters.Length;
        float[] parameters = Buffer(parameterCount), gradients = Buffer(parameterCount), m = new float[parameterCount], v = new float[parameterCount];
        var outputs = new float[layers.Count][];
        float[] input = Buffer(batch * model.InputSize);
        var labels = new float[batch];
        for (int i = 0; i < batch; i++)
            labels[i] = random.Next(model.OutputSize);
        for (int j = 0; j < layers.Count; j++)
            outputs[j] = Buffer(batch * layers[j].OutputSize);
        int widest = layers.Max(l => l.InputSize);
        float[] gradientA = Buffer(batch * Math.Max(widest, model.OutputSize)), gradientB = Buffer(gradientA.Length);
        var offsets = new int[layers.Count];
        for (int j = 0, offset = 0; j < layers.Count; j++)
        {
            offsets[j] = offset;
            offset += layers[j].ParameterDeclarations.Sum(p => p.Length);
        }
        var loss = new SoftmaxCrossEntropyLoss<float>();

        for (int j = 0; j < layers.Count; j++)
        {
            float[] x = j == 0 ? input : outputs[j - 1];
            if (layers[j] is not Dense<float> d)
                throw new NotSupportedException($"The profile replays Dense layers with ReLU or sigmoid after them, not {layers[j].GetType().Name}.");
            // A Dense layer fused with the activation after it writes straight into the activation's slot.
            Activation activation = FusedActivation(layers, j);
            bool fused = activation.Kind != ActivationKind.Identity;
            float[] y = outputs[fused ? j + 1 : j];
            int o = offsets[j];
            phases.Add(new($"L{j} Dense {d.InputSize}→{d.OutputSize} forward GEMM", 2.0 * batch * d.InputSize * d.OutputSize, 0,
                () => Intrinsics.Gemm.Multiply(false, true, batch, d.OutputSize, d.InputSize, 1f, x, d.InputSize, parameters.AsSpan(o, d.OutputSize * d.InputSize), d.InputSize, 0f, y, d.OutputSize)));
            phases.Add(new($"L{j} bias{(fused ? " + " + activation.Kind : "")}", 0, 8.0 * y.Length,
                () => Rows.AddBiasActivation<float>(y, parameters.AsSpan(o + d.OutputSize * d.InputSize, d.OutputSize), batch, d.OutputSize, activation)));
            if (fused)
                j++;
        }
        float[] logits = outputs[^1];
        float[] lossGradient = Buffer(logits.Length);
        phases.Add(new("softmax cross-entropy", 0, 8.0 * logits.Length, () => loss.Compute(logits, labels, lossGradient, batch)));
        float[] upstream = lossGradient;
        for (int j = layers.Count - 1; j >= 0; j--)
        {
            int dense = j > 0 && FusedActivation(layers, j - 1).Kind != ActivationKind.Identity ? j - 1 : j;
            var d = (Dense<float>)layers[dense];
            Activation activation = FusedActivation(layers, dense);
            float[] x = dense == 0 ? input : outputs[dense - 1], dy = upstream, yOut = outputs[j];
            float[] dz = j % 2 == 0 ? gradientA : gradientB, dx = dense % 2 == 0 ? gradientA : gradientB;
            int o = offsets[dense], w = d.OutputSize * d.InputSize, n = batch * d.OutputSize;
            Span<float> Bias(float[] buffer) => buffer.AsSpan(o + w, d.OutputSize);
            float[] gradient = dy;
            if (activation.Kind != ActivationKind.Identity)
            {
                gradient = dz;
                phases.Add(new($"L{j} {activation.Kind} backward + L{dense} db", 0, 12.0 * n,
                    () => Rows.ActivationGradient<float>(yOut.AsSpan(0, n), dy.AsSpan(0, n), dz.AsSpan(0, n), Bias(gradients), batch, d.OutputSize, activation, accumulate: false)));
            }
            else
            {
                phases.Add(new($"L{dense} db", 0, 4.0 * n, () =>
                {
                    Bias(gradients).Clear();
                    Reductions.SumColumns<float>(dy.AsSpan(0, n), batch, d.OutputSize, Bias(gradients));
                }));
            }
            phases.Add(new($"L{dense} dW GEMM", 2.0 * batch * d.InputSize * d.OutputSize, 0,
                () => Intrinsics.Gemm.Multiply(true, false, d.OutputSize, d.InputSize, batch, 1f, gradient, d.OutputSize, x, d.InputSize, 0f, gradients.AsSpan(o, w), d.InputSize)));
            if (dense > 0)
                phases.Add(new($"L{dense} dX GEMM", 2.0 * batch * d.InputSize * d.OutputSize, 0,
                    () => Intrinsics.Gemm.Multiply(false, false, batch, d.InputSize, d.OutputSize, 1f, gradient, d.OutputSize, parameters.AsSpan(o, w), d.InputSize, 0f, dx, d.InputSize)));
            upstream = dx;
            j = dense;
        }
        phases.Add(new($"AdamW ({parameterCount} parameters)", 0, 28.0 * parameterCount,
            () => OptimizerKernels.Adam<float>(parameters, gradients, m, v, default, 10, 0, 0.9, 0.999, 1e-8, 1e-2, true)));
        return phases;
    }

    /// <summary>The activation a chain fuses with Dense layer j: the next layer's when it is ReLU, sigmoid or tanh; the identity otherwise.</summary>
    private static Activation FusedActivation(IReadOnlyList<ILayer<float>> layers, int j) =>
        j + 1 >= layers.Count ? Activation.Identity : layers[j + 1] switch
        {
            Relu<float> => Activation.Relu,
            Sigmoid<float> => Activation.Sigmoid,
            Tanh<float> => Activation.Tanh,
            _ => Activation.Identity,
        };
}
