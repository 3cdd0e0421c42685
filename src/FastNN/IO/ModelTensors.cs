using System.Numerics;
using FastNN.Layers;
using FastNN.Models;

namespace FastNN.IO;

/// <summary>
/// A model's tensors as a state dict: every parameter tensor, then every state tensor, under its <c>nn.Sequential</c>
/// name, values in the model's element type and counts as I64.
/// </summary>
internal static class ModelTensors
{
    public static List<TensorSpec> Specs<T>(Sequential<T> model) where T : unmanaged, IFloatingPointIeee754<T> => Specs(model.Chain);

    /// <summary>The specs of the model a layer chain would make, before any buffer is allocated.</summary>
    public static List<TensorSpec> Specs<T>(LayerChain<T> chain) where T : unmanaged, IFloatingPointIeee754<T> =>
    [
        .. chain.Parameters.Select(p => new TensorSpec(p.Declaration.Name, p.Declaration.Shape, false)),
        .. chain.State.Select(s => new TensorSpec(s.Declaration.Name, s.Declaration.Shape, s.Declaration.IsInteger, s.Declaration.IsVariance)),
    ];

    /// <summary>The header entries of the model's tensors.</summary>
    public static IEnumerable<SafetensorsWriter.Tensor> Header<T>(Sequential<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SafetensorsDType values = SafetensorsDTypes.Of<T>();
        foreach (ParameterTensor p in model.ParameterTensors)
            yield return new(p.Name, values, p.Shape);
        foreach (StateTensor s in model.StateTensors)
            yield return new(s.Name, s.IsInteger ? SafetensorsDType.I64 : values, s.Shape);
    }

    /// <summary>
    /// Checks that every count and variance of the model's state holds a value a file may (see
    /// <see cref="TensorSpec.ValueProblem{T}"/>), so that what is saved loads back: a count writes to I64 exactly.
    /// </summary>
    /// <exception cref="ArgumentException">A count holds a fraction, a negative number, NaN or infinity, or a variance a negative number, NaN or infinity.</exception>
    public static void CheckState<T>(Sequential<T> model, string argument) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (StateProblem(model.Chain, model.State) is { } problem)
            throw new ArgumentException($"State tensor {problem}", argument);
    }

    /// <summary>
    /// The first count or variance of <paramref name="state"/> (laid out as <paramref name="chain"/>'s state buffer)
    /// whose value no run leaves, as "'1.running_var' is a variance but holds ...", or null.
    /// </summary>
    public static string? StateProblem<T>(LayerChain<T> chain, ReadOnlySpan<T> state) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int offset = 0;
        foreach ((StateDeclaration s, _) in chain.State)
        {
            if (TensorSpec.ValueProblem(s.IsInteger, s.IsVariance, state.Slice(offset, s.Length)) is { } problem)
                return $"'{s.Name}' {problem}";
            offset += s.Length;
        }
        return null;
    }

    /// <summary>Writes the model's tensors in the order of <see cref="Header{T}"/>.</summary>
    public static void Write<T>(SafetensorsWriter writer, Sequential<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SafetensorsDType values = SafetensorsDTypes.Of<T>();
        foreach (ParameterTensor p in model.ParameterTensors)
            writer.WriteTensor<T>(model.Parameters.Slice(p.Offset, p.Length), values);
        foreach (StateTensor s in model.StateTensors)
            writer.WriteTensor<T>(model.State.Slice(s.Offset, s.Length), s.IsInteger ? SafetensorsDType.I64 : values);
    }

    /// <summary>
    /// Reads every tensor of a file that <see cref="StrictLoad.Check"/> passed straight into the model's buffers: for a
    /// model nobody else holds yet, which a failure mid-way simply discards.
    /// </summary>
    public static void ReadInto<T>(SafetensorsFile file, Sequential<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (ParameterTensor p in model.ParameterTensors)
            file.Read<T>(file.Header.ByName[p.Name], model.Parameters.Slice(p.Offset, p.Length));
        foreach (StateTensor s in model.StateTensors)
            file.Read<T>(file.Header.ByName[s.Name], model.State.Slice(s.Offset, s.Length));
    }

    /// <summary>Copies tensors read by <see cref="StrictLoad"/> into the model (which cannot fail: names and lengths were checked).</summary>
    public static void Apply<T>(Sequential<T> model, IReadOnlyDictionary<string, T[]> tensors) where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (ParameterTensor p in model.ParameterTensors)
            tensors[p.Name].CopyTo(model.Parameters.Slice(p.Offset, p.Length));
        foreach (StateTensor s in model.StateTensors)
            tensors[s.Name].CopyTo(model.State.Slice(s.Offset, s.Length));
    }
}
