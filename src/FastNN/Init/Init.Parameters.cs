using System.Numerics;
using FastNN.Layers;
using FastNN.Models;

namespace FastNN;

public static partial class Init
{
    /// <summary>
    /// (Re)initializes a model's parameter buffer tensor by tensor, in buffer order, from one generator seeded with
    /// <paramref name="seed"/>: the same seed gives the same parameters.
    /// </summary>
    /// <remarks><para>By kind:</para><list type="bullet">
    /// <item><see cref="ParameterKind.Weight"/> ([out, in], or [out, in, k…] whose fans, as PyTorch's, are in and out
    /// times the product of k…, its receptive field; fewer than 2 dimensions are refused, as PyTorch refuses them): the chosen
    /// <paramref name="scheme"/>; Glorot takes <c>gain = Gain(nonlinearity, negativeSlope)</c> and so does He.</item>
    /// <item><see cref="ParameterKind.Bias"/>: U(−1/√fan_in, 1/√fan_in) of the weight of the same module (the same name
    /// but for its last part, as <c>0.body.2.weight</c> for <c>0.body.2.bias</c>) under
    /// <see cref="WeightInit.PyTorchLinear"/> (zero when that weight has no inputs, as nn.Linear(0, n)'s), zero under the
    /// other schemes.</item>
    /// <item><see cref="ParameterKind.NormScale"/> 1, <see cref="ParameterKind.NormShift"/> 0,
    /// <see cref="ParameterKind.PReluSlope"/> 0.25 (PyTorch's defaults).</item>
    /// </list></remarks>
    /// <param name="parameters">The model's parameter buffer.</param>
    /// <param name="tensors">Its tensors (<c>Sequential&lt;T&gt;.ParameterTensors</c>).</param>
    /// <param name="seed">Seed of the generator (<c>new Random(seed)</c>, whose seeded sequence depends on |seed| only:
    /// −5 gives the same parameters as 5, so sweep non-negative seeds).</param>
    /// <param name="scheme">How weights are drawn (default: PyTorch's nn.Linear default).</param>
    /// <param name="nonlinearity">The activation after each layer, for the gain of Glorot and He (default: ReLU).</param>
    /// <param name="negativeSlope">The slope of a leaky ReLU (default: 0.01).</param>
    /// <param name="mode">He's fan (default: fan_in).</param>
    /// <exception cref="ArgumentNullException"><paramref name="tensors"/> is null.</exception>
    /// <exception cref="ArgumentException">A tensor is null, has no name or a kind that is no <see cref="ParameterKind"/>, or lies outside the buffer, a weight (or, under the PyTorch scheme, the weight a bias takes its fan_in from) has fewer than 2 dimensions or a shape that does not hold its length, or a bias has no weight in its module under the PyTorch scheme. Every argument is checked before any tensor is written: on an exception the buffer is unchanged.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="negativeSlope"/> is not finite, or <paramref name="scheme"/> or <paramref name="nonlinearity"/> (or, for He initialization, <paramref name="mode"/>) is not a defined value.</exception>
    public static void Parameters<T>(Span<T> parameters, IReadOnlyList<ParameterTensor> tensors, int seed,
        WeightInit scheme = WeightInit.PyTorchLinear, Nonlinearity nonlinearity = Nonlinearity.Relu,
        double negativeSlope = 0.01, FanMode mode = FanMode.FanIn)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(tensors);
        for (int k = 0; k < tensors.Count; k++)
        {
            // A table built by hand (or read back) may hold a null, a nameless tensor (its bias's module is taken from its
            // name) or a kind cast from a number no kind has, which would be drawn as none of the kinds below says.
            ParameterTensor tensor = tensors[k] ?? throw new ArgumentException($"tensors[{k}] is null.", nameof(tensors));
            if (tensor.Name is null)
                throw new ArgumentException($"tensors[{k}] has no name.", nameof(tensors));
            if (!Enum.IsDefined(tensor.Kind))
                throw new ArgumentException($"tensors[{k}] ('{tensor.Name}') has kind {(int)tensor.Kind}, which is no ParameterKind.", nameof(tensors));
            if (tensor.Offset < 0 || tensor.Length < 0 || (long)tensor.Offset + tensor.Length > parameters.Length)
                throw new ArgumentException($"Tensor '{tensor.Name}' (offset {tensor.Offset}, length {tensor.Length}) lies outside the {parameters.Length} parameters.", nameof(tensors));
        }
        double gain = Gain(nonlinearity, negativeSlope);
        if (!Enum.IsDefined(scheme))
            throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Unknown scheme.");
        if (scheme is WeightInit.HeUniform or WeightInit.HeNormal && !Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown fan mode.");

        // Every fan first, so that a bad table throws before any tensor is overwritten. Empty tensors are left alone, as
        // torch.nn.init does (they have no fan to take).
        ParameterTensor[] ordered = [.. tensors.Where(t => t.Length > 0).OrderBy(t => t.Offset)];
        var fans = new (int FanIn, int FanOut)[ordered.Length];
        for (int k = 0; k < ordered.Length; k++)
        {
            ParameterTensor tensor = ordered[k];
            if (tensor.Kind == ParameterKind.Weight)
                fans[k] = Fans(tensor);
            else if (tensor.Kind == ParameterKind.Bias && scheme == WeightInit.PyTorchLinear)
                fans[k] = Fans(WeightOf(tensor, tensors));
        }

        var random = new Random(seed);
        for (int k = 0; k < ordered.Length; k++)
        {
            ParameterTensor tensor = ordered[k];
            Span<T> values = parameters.Slice(tensor.Offset, tensor.Length);
            (int fanIn, int fanOut) = fans[k];
            switch (tensor.Kind)
            {
                case ParameterKind.Weight:
                    switch (scheme)
                    {
                        case WeightInit.PyTorchLinear: LinearDefault(values, fanIn, random); break;
                        case WeightInit.GlorotUniform: GlorotUniform(values, fanIn, fanOut, random, gain); break;
                        case WeightInit.GlorotNormal: GlorotNormal(values, fanIn, fanOut, random, gain); break;
                        case WeightInit.HeUniform: HeUniform(values, fanIn, fanOut, random, mode, gain); break;
                        default: HeNormal(values, fanIn, fanOut, random, mode, gain); break;
                    }
                    break;
                case ParameterKind.Bias when scheme == WeightInit.PyTorchLinear:
                    // nn.Linear's bound is 0 for a weight without inputs (fan_in 0): such a bias is all zero.
                    if (fanIn > 0) LinearDefault(values, fanIn, random);
                    else values.Clear();
                    break;
                case ParameterKind.NormScale:
                    values.Fill(T.One);
                    break;
                case ParameterKind.PReluSlope:
                    values.Fill(T.CreateChecked(0.25));
                    break;
                default:
                    values.Clear();
                    break;
            }
        }
    }

    /// <summary>
    /// The weight beside a bias: same layer and same module (the name up to its last dot), so that each Dense inside a
    /// Residual or Concat (one layer, several modules: <c>0.body.0.bias</c>, <c>0.body.2.bias</c>) gets its own fan_in.
    /// </summary>
    private static ParameterTensor WeightOf(ParameterTensor bias, IReadOnlyList<ParameterTensor> tensors)
    {
        string module = Module(bias.Name);
        return tensors.FirstOrDefault(t => t.LayerIndex == bias.LayerIndex && t.Kind == ParameterKind.Weight && Module(t.Name) == module)
            ?? throw new ArgumentException($"Bias '{bias.Name}' has no weight in its module '{module}' (layer {bias.LayerIndex}) to take fan_in from.", nameof(tensors));
    }

    private static string Module(string name) => name[..Math.Max(0, name.LastIndexOf('.'))];

    /// <summary>
    /// fan_in and fan_out of a weight [out, in, k…], as torch.nn.init._calculate_fan_in_and_fan_out: in·r and out·r with
    /// r the product of the dimensions after the first two (the receptive field; 1 for [out, in]).
    /// </summary>
    /// <exception cref="ArgumentException">The weight has fewer than 2 dimensions: as torch.nn.init, which refuses
    /// them ("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"), no fan is made up.</exception>
    private static (int FanIn, int FanOut) Fans(ParameterTensor weight)
    {
        if (weight.Shape is not { Length: >= 2 } shape)
            throw new ArgumentException(
                $"Weight '{weight.Name}' has shape {(weight.Shape is null ? "null" : TensorShape.Format(weight.Shape))}: its fan_in and fan_out need at least 2 dimensions ([out, in, …]), as in PyTorch; " +
                "a learnable tensor of fewer dimensions (a scale, an offset) is not a Weight to initialize by fan: declare it as another ParameterKind (NormScale, set to 1, or NormShift, set to 0; see ParameterKind).", "tensors");
        // A negative dimension (fans of [−2, −3] would be −3 and −2) holds no tensor, however its product comes out.
        if (Array.FindIndex(shape, d => d < 0) is int negative and >= 0)
            throw new ArgumentException(
                $"Weight '{weight.Name}' has shape {TensorShape.Format(shape)}, whose dimension {negative} is negative: its fans cannot be taken from it.", "tensors");
        // Exact (a long product of enough dimensions wraps, to any value).
        BigInteger receptiveField = 1;
        for (int i = 2; i < shape.Length; i++) receptiveField *= shape[i];
        // Fans of a shape that does not hold the tensor would be made up (fan_in 0 for [3, 0] of 6 elements).
        BigInteger holds = (BigInteger)shape[0] * shape[1] * receptiveField;
        if (holds != weight.Length)
            throw new ArgumentException(
                $"Weight '{weight.Name}' has shape {TensorShape.Format(shape)}, which holds {holds} elements, not its {weight.Length}: its fans cannot be taken from it.", "tensors");
        return ((int)(shape[1] * receptiveField), (int)(shape[0] * receptiveField));
    }
}
