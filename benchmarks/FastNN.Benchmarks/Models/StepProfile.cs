using System.Diagnostics;
using System.Globalization;
using FastNN.Intrinsics;
using FastNN.Layers;
using FastNN.Losses;

namespace FastNN.Benchmarks.Models;

/// <summary>
/// Where a training step's time goes: the step replayed as the sequence of kernel calls the library makes for it
/// (each GEMM, each element-wise pass, the loss, the optimizer), on buffers of the same shapes, with a timestamp
/// between calls; each phase's median over many replays, beside the median of the real step measured in the same
/// loop. "The rest" is the step minus the phases: the layer dispatch, argument checks and trainer bookkeeping.
/// </summary>
/// <remarks>The replay mirrors <c>Trainer.TrainStep</c> over Dense and ReLU/Sigmoid layers; keep the two in step.</remarks>
internal static class StepProfile
{
    private sealed record Phase(string Name, double Flops, double Bytes, Action Run);

    public static void Print(StepWorkload workload, int rounds)
    {
        if (workload.Name == "fit")
            return;
        Parallelism.MaxThreads = 1;
        List<Phase> phases = Plan(workload);
        // Warm up, then alternate a replay of the phases (timestamps between them) with a real step.
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
        var stamps = new long[phases.Count + 1];
        for (int r = 0; r < replays; r++)
        {
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

        double step = Median(steps), sum = 0;
        Console.WriteLine();
        Console.WriteLine($"### Profile of {workload.Name} ({workload.Description}), 1 thread: medians of {replays} replays, step {F(step * 1e6, 1)} µs");
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
        float[] input = Buffer(batch * model.InputSize), copy = new float[input.Length];
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

        phases.Add(new("zero gradients", 0, 4.0 * parameterCount, () => gradients.AsSpan().Clear()));
        phases.Add(new("copy input", 0, 8.0 * input.Length, () => input.AsSpan().CopyTo(copy)));
        for (int j = 0; j < layers.Count; j++)
        {
            float[] x = j == 0 ? copy : outputs[j - 1], y = outputs[j];
            int o = offsets[j];
            switch (layers[j])
            {
                case Dense<float> d:
                    phases.Add(new($"L{j} Dense {d.InputSize}→{d.OutputSize} forward GEMM", 2.0 * batch * d.InputSize * d.OutputSize, 0,
                        () => Intrinsics.Gemm.Multiply(false, true, batch, d.OutputSize, d.InputSize, 1f, x, d.InputSize, parameters.AsSpan(o, d.OutputSize * d.InputSize), d.InputSize, 0f, y, d.OutputSize)));
                    phases.Add(new($"L{j} bias", 0, 8.0 * y.Length,
                        () => Rows.AddBias<float>(y, parameters.AsSpan(o + d.OutputSize * d.InputSize, d.OutputSize), batch, d.OutputSize)));
                    break;
                case Relu<float>:
                    phases.Add(new($"L{j} ReLU", 0, 8.0 * y.Length, () => Activations.Relu<float>(x, y)));
                    break;
                case Sigmoid<float>:
                    phases.Add(new($"L{j} sigmoid", 0, 8.0 * y.Length, () => Activations.Sigmoid<float>(x, y)));
                    break;
                default:
                    throw new NotSupportedException(layers[j].GetType().Name);
            }
        }
        float[] logits = outputs[^1];
        float[] lossGradient = Buffer(logits.Length);
        phases.Add(new("softmax cross-entropy", 0, 8.0 * logits.Length, () => loss.Compute(logits, labels, lossGradient, batch)));
        float[] upstream = lossGradient;
        for (int j = layers.Count - 1; j >= 0; j--)
        {
            float[] x = j == 0 ? copy : outputs[j - 1], dy = upstream;
            float[] dx = j % 2 == 0 ? gradientA : gradientB;
            int o = offsets[j];
            switch (layers[j])
            {
                case Dense<float> d:
                    int w = d.OutputSize * d.InputSize;
                    phases.Add(new($"L{j} dW GEMM", 2.0 * batch * d.InputSize * d.OutputSize, 0,
                        () => Intrinsics.Gemm.Multiply(true, false, d.OutputSize, d.InputSize, batch, 1f, dy, d.OutputSize, x, d.InputSize, 1f, gradients.AsSpan(o, w), d.InputSize)));
                    phases.Add(new($"L{j} db", 0, 4.0 * batch * d.OutputSize,
                        () => Reductions.SumColumns<float>(dy.AsSpan(0, batch * d.OutputSize), batch, d.OutputSize, gradients.AsSpan(o + w, d.OutputSize))));
                    if (j > 0)
                        phases.Add(new($"L{j} dX GEMM", 2.0 * batch * d.InputSize * d.OutputSize, 0,
                            () => Intrinsics.Gemm.Multiply(false, false, batch, d.InputSize, d.OutputSize, 1f, dy, d.OutputSize, parameters.AsSpan(o, w), d.InputSize, 0f, dx, d.InputSize)));
                    break;
                case Relu<float> a:
                    phases.Add(new($"L{j} ReLU backward", 0, 12.0 * batch * a.Features,
                        () => Activations.ReluBackward<float>(x.AsSpan(0, batch * a.Features), dy.AsSpan(0, batch * a.Features), dx.AsSpan(0, batch * a.Features))));
                    break;
                case Sigmoid<float> a:
                    float[] yOut = outputs[j];
                    phases.Add(new($"L{j} sigmoid backward", 0, 12.0 * batch * a.Features,
                        () => Activations.SigmoidBackward<float>(yOut, dy.AsSpan(0, batch * a.Features), dx.AsSpan(0, batch * a.Features))));
                    break;
            }
            upstream = dx;
        }
        phases.Add(new("AdamW", 0, 28.0 * parameterCount,
            () => OptimizerKernels.Adam<float>(parameters, gradients, m, v, default, 10, 1e-3, 0.9, 0.999, 1e-8, 1e-2, true)));
        return phases;
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values.Order()];
        int half = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
    }

    private static string F(double value, int digits) => value.ToString("F" + digits, CultureInfo.InvariantCulture);
}
