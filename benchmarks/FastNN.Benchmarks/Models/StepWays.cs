using FastNN.Benchmarks.Infrastructure;
using FastNN.Intrinsics;
using FastNN.Losses;
using FastNN.Models;
using static FastNN.Benchmarks.Infrastructure.Figures;

namespace FastNN.Benchmarks.Models;

/// <summary>
/// The ways issue 15 lists, each measured against what it replaced in the same paired rounds:
/// <list type="bullet">
/// <item><c>Trainer.TrainStep</c> (gradients overwritten rather than zeroed and summed, rows read in place) against the
/// step through the public passes: <c>ZeroGrad</c>, a forward pass over the caller's rows, the loss, <c>Backward</c>, <c>Step</c>;</item>
/// <item>the fused passes of a Dense layer and its activation (bias + f; dz = dy·f′ with the bias gradient) against the
/// separate passes they replaced (bias, then f; f′, then the column sums), on the step's shapes.</item>
/// </list>
/// </summary>
internal static class StepWays
{
    public static void Print(IReadOnlyList<string> workloads, int rounds, Action settle)
    {
        int two = Math.Min(2, Environment.ProcessorCount);
        Console.WriteLine();
        Console.WriteLine("### The ways, side by side (medians of per-round ratios; > 1: the way is faster)");
        Console.WriteLine();
        Console.WriteLine($"| Workload | threads | ZeroGrad, Forward, loss, Backward, Step: ms | Trainer.TrainStep (gradients overwritten, rows in place): ms | speed-up |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (string name in workloads.Where(n => n != "fit"))
        {
            StepWorkload w = StepWorkload.Create(name);
            StepReport.WarmUp(w);
            Sequential<float> model = w.Model;
            var loss = new SoftmaxCrossEntropyLoss<float>();
            var random = new Random(5);
            var input = new float[w.Batch * model.InputSize];
            for (int i = 0; i < input.Length; i++)
                input[i] = (float)random.NextDouble();
            var labels = new float[w.Batch];
            for (int i = 0; i < labels.Length; i++)
                labels[i] = random.Next(model.OutputSize);
            var gradient = new float[w.Batch * model.OutputSize];
            model.ComputeInputGradient = false;
            void After()
            {
                model.ZeroGrad();
                loss.Compute(model.Forward(input.AsMemory(), w.Batch), labels, gradient, w.Batch);
                model.Backward(gradient, w.Batch);
                w.Optimizer.Step(model.Parameters, model.Gradients);
            }
            foreach (int threads in new[] { 1, two })
            {
                StepReport.WarmUp(Threads(threads, After), Threads(threads, w.Step));
                double[][] t = PairedRounds.Measure(rounds, settle, [Threads(threads, After), Threads(threads, w.Step)]);
                Console.WriteLine($"| {name} | {threads} | {F(PairedRounds.Median(t, x => x[0]) * 1e3, 3)} | {F(PairedRounds.Median(t, x => x[1]) * 1e3, 3)} | " +
                    $"{F(PairedRounds.Median(t, x => x[0] / x[1]), 3)}x |");
            }
        }

        Console.WriteLine();
        Console.WriteLine("| Pass (one thread) | separate passes µs | fused pass µs | fused / separate speed |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach ((int rows, int cols) in new[] { (64, 256), (256, 256) })
        {
            var random = new Random(rows);
            float[] z = Values(random, rows * cols), y = new float[rows * cols], dy = Values(random, rows * cols), dz = new float[rows * cols];
            float[] bias = Values(random, cols), biasGradient = new float[cols];
            foreach ((string label, Activation f) in new[] { ("ReLU", Activation.Relu), ("sigmoid", Activation.Sigmoid) })
            {
                Action separateForward = f.Kind == ActivationKind.Relu
                    ? () => { Rows.AddBias<float>(z, bias, rows, cols); Activations.Relu<float>(z, y); }
                    : () => { Rows.AddBias<float>(z, bias, rows, cols); Activations.Sigmoid<float>(z, y); };
                Action fusedForward = () => Rows.AddBiasActivation<float>(z, bias, rows, cols, f);
                Action separateBackward = f.Kind == ActivationKind.Relu
                    ? () => { Activations.ReluBackward<float>(y, dy, dz); Reductions.SumColumns<float>(dz, rows, cols, biasGradient); }
                    : () => { Activations.SigmoidBackward<float>(y, dy, dz); Reductions.SumColumns<float>(dz, rows, cols, biasGradient); };
                Action fusedBackward = () => Rows.ActivationGradient<float>(y, dy, dz, biasGradient, rows, cols, f, accumulate: true);
                Action[] sides = [Threads(1, separateForward), Threads(1, fusedForward), Threads(1, separateBackward), Threads(1, fusedBackward)];
                // The paired rounds' 40 ms warm-up leaves a pass no step has run yet (sigmoid's, after mlp64 alone) at tier 0.
                StepReport.WarmUp(sides);
                double[][] t = PairedRounds.Measure(rounds, null, sides);
                Console.WriteLine($"| [{rows}, {cols}] bias + {label} | {F(PairedRounds.Median(t, x => x[0]) * 1e6, 2)} | {F(PairedRounds.Median(t, x => x[1]) * 1e6, 2)} | {F(PairedRounds.Median(t, x => x[0] / x[1]), 2)}x |");
                Console.WriteLine($"| [{rows}, {cols}] {label}′ + bias gradient | {F(PairedRounds.Median(t, x => x[2]) * 1e6, 2)} | {F(PairedRounds.Median(t, x => x[3]) * 1e6, 2)} | {F(PairedRounds.Median(t, x => x[2] / x[3]), 2)}x |");
            }
        }
        Parallelism.MaxThreads = Environment.ProcessorCount;
    }

    private static Action Threads(int threads, Action action) => () =>
    {
        Parallelism.MaxThreads = threads;
        action();
    };

    private static float[] Values(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = (float)(random.NextDouble() * 4 - 2);
        return values;
    }
}
