using FastNN.Layers;
using FastNN.Losses;

namespace FastNN.Benchmarks.Layers;

/// <summary>
/// One pass of one layer or loss at one shape, float, training mode, named as <c>benchmarks/pytorch/layers.py</c> names
/// the same pass: <c>case-pass-BATCHxFEATURES</c>. Layers run <c>fwd</c> (Forward) or <c>bwd</c> (Backward after one
/// Forward, from its saved statistics and mask); the losses run <c>step</c>, one <see cref="ILoss{T}.Compute"/>, which
/// returns the mean loss and writes its gradient.
/// </summary>
/// <remarks>Inputs ~ N(0, 1), dy ~ N(0, 1); BCE targets uniform in [0, 1]; cross-entropy labels uniform over the classes.
/// The layer is called directly on its own buffers (parameters, gradients, state, scratch), as <c>Sequential</c> calls it.</remarks>
public sealed class LayerWorkload
{
    /// <summary>Layer cases, each with a <c>fwd</c> and a <c>bwd</c> pass.</summary>
    public static readonly string[] LayerCases = ["batchnorm", "layernorm", "dropout", "residual", "softmax", "logsoftmax", "prelu"];

    /// <summary>Loss cases, each with one <c>step</c> pass.</summary>
    public static readonly string[] LossCases = ["ce", "mse", "bce", "huber"];

    /// <summary>[batch, features] of every layer and of the element-wise losses.</summary>
    public static readonly (int Batch, int Features)[] Shapes = [(64, 256), (64, 1024), (256, 256), (256, 1024)];

    /// <summary>[batch, classes] of the cross-entropy: 10 classes (MNIST-like) and 1024.</summary>
    public static readonly (int Batch, int Features)[] ClassShapes = [(64, 10), (256, 10), (64, 1024), (256, 1024)];

    /// <summary>Every workload name, layers then losses.</summary>
    public static IEnumerable<string> Names =>
        LayerCases.SelectMany(c => new[] { "fwd", "bwd" }.SelectMany(p => Shapes.Select(s => $"{c}-{p}-{s.Batch}x{s.Features}")))
            .Concat(LossCases.SelectMany(c => (c == "ce" ? ClassShapes : Shapes).Select(s => $"{c}-step-{s.Batch}x{s.Features}")));

    private LayerWorkload(string name, int batch, int features, int tensors, Action run)
    {
        Name = name;
        Batch = batch;
        Features = features;
        Bytes = (double)tensors * batch * features * sizeof(float);
        Run = run;
    }

    /// <summary>The workload's name.</summary>
    public string Name { get; }

    /// <summary>Rows.</summary>
    public int Batch { get; }

    /// <summary>Features (classes for the cross-entropy).</summary>
    public int Features { get; }

    /// <summary>
    /// The least traffic of the pass: every [batch, features] tensor it must read or write, once (forward x and y;
    /// backward dy, the saved x, y or mask, and dx; a loss its prediction, its target when it has that shape, and the
    /// gradient). Parameters and per-row or per-feature statistics are left out (at most 1/64 of it here).
    /// </summary>
    public double Bytes { get; }

    /// <summary>One pass.</summary>
    public Action Run { get; }

    /// <summary>Builds the workload named <paramref name="name"/> (see <see cref="Names"/>).</summary>
    public static LayerWorkload Create(string name)
    {
        string[] parts = name.Split('-');
        string[] shape = parts.Length == 3 ? parts[2].Split('x') : [];
        if (shape.Length != 2 || !int.TryParse(shape[0], out int batch) || !int.TryParse(shape[1], out int features))
            throw new ArgumentException($"'{name}' is not a workload: expected case-pass-BATCHxFEATURES, e.g. batchnorm-fwd-64x256.", nameof(name));
        string @case = parts[0], pass = parts[1];
        var random = new Random(0);
        float[] x = Normal(random, batch * features), dy = Normal(random, batch * features);
        if (LossCases.Contains(@case))
        {
            ILoss<float> loss = @case switch
            {
                "ce" => new SoftmaxCrossEntropyLoss<float>(),
                "mse" => new MseLoss<float>(),
                "bce" => new BceWithLogitsLoss<float>(),
                _ => new HuberLoss<float>(),
            };
            float[] target = @case == "ce"
                ? Enumerable.Range(0, batch).Select(_ => (float)random.Next(features)).ToArray()
                : @case == "bce" ? Enumerable.Range(0, batch * features).Select(_ => (float)random.NextDouble()).ToArray()
                : Normal(random, batch * features);
            var gradient = new float[batch * features];
            return new LayerWorkload(name, batch, features, @case == "ce" ? 2 : 3, () => loss.Compute(x, target, gradient, batch));
        }
        ILayer<float> layer = @case switch
        {
            "batchnorm" => new BatchNorm1d<float>(features),
            "layernorm" => new LayerNorm<float>(features),
            "dropout" => new Dropout<float>(features, 0.5),
            "residual" => new Residual<float>(new Relu<float>(features)),
            "softmax" => new Softmax<float>(features),
            "logsoftmax" => new LogSoftmax<float>(features),
            "prelu" => new PRelu<float>(features, slopes: features),
            _ => throw new ArgumentException($"Unknown case '{@case}' in '{name}'.", nameof(name)),
        };
        var parameters = new float[layer.ParameterDeclarations.Sum(p => p.Length)];
        var gradients = new float[parameters.Length];
        var state = new float[layer.StateDeclarations.Sum(s => s.Length)];
        var scratch = new float[layer.ScratchLength(batch)];
        var context = new LayerContext(1);
        var y = new float[batch * features];
        var dx = new float[batch * features];
        LayerBuffers<float> Buffers() => new(parameters, gradients, state, scratch, context);
        layer.Initialize(Buffers());
        layer.Forward(y, x, Buffers(), batch);
        return pass switch
        {
            "fwd" => new LayerWorkload(name, batch, features, 2, () => layer.Forward(y, x, Buffers(), batch)),
            "bwd" => new LayerWorkload(name, batch, features, 3, () => layer.Backward(dx, dy, x, y, Buffers(), batch)),
            _ => throw new ArgumentException($"Unknown pass '{pass}' in '{name}': layers take fwd or bwd.", nameof(name)),
        };
    }

    private static float[] Normal(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return values;
    }
}
