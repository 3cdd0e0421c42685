using FastNN.Benchmarks.Infrastructure;
using FastNN.Data;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;

namespace FastNN.Benchmarks.Models;

/// <summary>
/// The training-step workloads of issue 15, built alike for every report (TrainingStepBenchmarks, <c>-- step</c>,
/// <c>-- soak</c>) and matching <c>benchmarks/pytorch/training_step.py</c> workload for workload.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>mlp64</c>, <c>mlp256</c>: 784-256-256-10 ReLU MLP, softmax cross-entropy, AdamW at its defaults, batch 64 / 256.</item>
/// <item><c>deep64</c>: 20 × (Dense(256) + Sigmoid), then Dense(10); softmax cross-entropy, AdamW, batch 64.</item>
/// <item><c>fit</c>: one epoch of <c>data/digits.csv.gz</c> (1797 rows) through a 64-64-10 ReLU MLP, AdamW, batch 32, <see cref="Trainer{T}.Fit"/>.</item>
/// </list>
/// A step is <see cref="Trainer{T}.TrainStep(ReadOnlyMemory{T}, ReadOnlySpan{T}, int)"/>: zero the gradients, forward in
/// training mode, the loss and its gradient, backward without the input gradient, AdamW; the batch is fixed random data
/// (inputs uniform in [0, 1), labels uniform over the classes), and AdamW's γ is <see cref="LearningRate"/>. PyTorch's step is <c>zero_grad</c>, forward, loss,
/// <c>backward</c>, <c>step</c> on the same shapes.
/// </remarks>
internal sealed class StepWorkload
{
    /// <summary>The training steps' workloads.</summary>
    public static readonly string[] Steps = ["mlp64", "mlp256", "deep64"];

    /// <summary>Every workload: the steps and <c>Trainer.Fit</c>'s epoch.</summary>
    public static readonly string[] Names = [.. Steps, "fit"];

    /// <summary>
    /// AdamW's γ in every workload, here and in the PyTorch script: 0, so every step does the same arithmetic on the same
    /// values. At PyTorch's 1e-3 a fixed batch is memorized within a few hundred steps; the gradients of dead units are
    /// then exactly zero, and their first moments m ← 0.9·m decay into subnormal floats and stick there (0.9 times a few
    /// ulps rounds back to the same ulps), which cost this machine's AdamW pass 3x (118 against 44 µs over 269K
    /// parameters, measured alone) in both libraries: the figures would drift with the step count.
    /// </summary>
    public const double LearningRate = 0;

    private StepWorkload(string name, string description, int[] widths, int batch, Action step, Sequential<float> model, AdamW<float> optimizer, int stepsPerCall, int rowsPerCall)
    {
        RowsPerCall = rowsPerCall;
        Name = name;
        Description = description;
        Widths = widths;
        Batch = batch;
        Step = step;
        Model = model;
        Optimizer = optimizer;
        StepsPerCall = stepsPerCall;
    }

    public string Name { get; }

    public string Description { get; }

    /// <summary>Input width, then every Dense layer's output width.</summary>
    public int[] Widths { get; }

    public int Batch { get; }

    /// <summary>One call: a training step, or for <c>fit</c> one epoch.</summary>
    public Action Step { get; }

    public Sequential<float> Model { get; }

    public AdamW<float> Optimizer { get; }

    /// <summary>Optimizer steps one <see cref="Step"/> call takes.</summary>
    public int StepsPerCall { get; }

    /// <summary>Rows one <see cref="Step"/> call trains on.</summary>
    public int RowsPerCall { get; }

    /// <summary>
    /// GEMM flops of one call, as issue 15 counts them: the forward products, the weight gradients, and the input
    /// gradients of every layer but the first (training does not compute the first layer's); 0 for <c>fit</c>, whose
    /// epoch is timed, not rated (it holds Fit's own work besides the steps), as <see cref="FlopsOf"/> counts it.
    /// </summary>
    public double Flops => Name == "fit" ? 0 : GemmFlops(Widths, RowsPerCall);

    /// <summary><see cref="Flops"/> of a workload, without building it (0 for <c>fit</c>, which is timed per epoch, not per flop).</summary>
    public static double FlopsOf(string name) => name switch
    {
        "mlp64" => GemmFlops([784, 256, 256, 10], 64),
        "mlp256" => GemmFlops([784, 256, 256, 10], 256),
        "deep64" => GemmFlops([256, .. Enumerable.Repeat(256, 20), 10], 64),
        _ => 0,
    };

    private static double GemmFlops(int[] widths, int rows)
    {
        double perRow = 0;
        for (int l = 0; l + 1 < widths.Length; l++)
            perRow += (l == 0 ? 2 : 3) * 2.0 * widths[l] * widths[l + 1];
        return perRow * rows;
    }

    public static StepWorkload Create(string name) => name switch
    {
        "mlp64" => Classifier(name, "784-256-256-10 ReLU, softmax CE, AdamW, batch 64", Mlp(784, 64), 64),
        "mlp256" => Classifier(name, "784-256-256-10 ReLU, softmax CE, AdamW, batch 256", Mlp(784, 256), 256),
        "deep64" => Classifier(name, "20 x (Dense(256) + Sigmoid), Dense(10), softmax CE, AdamW, batch 64", Deep(64), 64),
        "fit" => Fit(32),
        _ => throw new ArgumentException($"Unknown workload '{name}': expected one of {string.Join(", ", Names)}."),
    };

    private static (Sequential<float> Model, int[] Widths) Mlp(int inputs, int batch) =>
        (new SequentialBuilder<float>(inputs).Dense(256).Relu().Dense(256).Relu().Dense(10).Build(batch, seed: 1), [inputs, 256, 256, 10]);

    private static (Sequential<float> Model, int[] Widths) Deep(int batch)
    {
        var builder = new SequentialBuilder<float>(256);
        for (int i = 0; i < 20; i++)
            builder.Dense(256).Sigmoid();
        return (builder.Dense(10).Build(batch, seed: 1), [256, .. Enumerable.Repeat(256, 20), 10]);
    }

    private static StepWorkload Classifier(string name, string description, (Sequential<float> Model, int[] Widths) net, int batch)
    {
        Sequential<float> model = net.Model;
        var optimizer = new AdamW<float>(model.Parameters.Length, learningRate: LearningRate);
        var trainer = new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), optimizer, TaskKind.MultiClassClassification);
        var random = new Random(0);
        var input = new float[batch * model.InputSize];
        for (int i = 0; i < input.Length; i++)
            input[i] = (float)random.NextDouble();
        var labels = new float[batch];
        for (int i = 0; i < batch; i++)
            labels[i] = random.Next(model.OutputSize);
        return new StepWorkload(name, description, net.Widths, batch, () => trainer.TrainStep(input.AsMemory(), labels, batch), model, optimizer, 1, batch);
    }

    /// <summary>The <c>fit</c> workload at another batch size (its allocations per epoch against the step count).</summary>
    internal static StepWorkload Fit(int batch)
    {
        Dataset<float> digits = Csv.Read<float>(DataPath("digits.csv.gz"));
        Sequential<float> model = new SequentialBuilder<float>(64).Dense(64).Relu().Dense(10).Build(batch, seed: 1);
        var optimizer = new AdamW<float>(model.Parameters.Length, learningRate: LearningRate);
        var loss = new SoftmaxCrossEntropyLoss<float>();
        var options = new TrainerOptions { Epochs = 1, BatchSize = batch, Seed = 1 };
        // Fit runs a trainer's remaining epochs, so each call takes a new trainer (a few small arrays) over the same model.
        void Epoch() => new Trainer<float>(model, loss, optimizer, TaskKind.MultiClassClassification, options).Fit(digits);
        return new StepWorkload("fit", $"Trainer.Fit, one epoch of digits (1797 rows), 64-64-10 ReLU, AdamW, batch {batch}",
            [64, 64, 10], batch, Epoch, model, optimizer, (digits.Rows + batch - 1) / batch, digits.Rows);
    }

    /// <summary>A file of the repository's data/ folder (see <see cref="RepositoryFile.Find"/>).</summary>
    internal static string DataPath(string file) =>
        RepositoryFile.Find(Path.Combine("data", file))
        ?? throw new FileNotFoundException($"data/{file} not found {RepositoryFile.Searched}: run from the repository (see benchmarks/RESULTS.md, How to run).");
}
