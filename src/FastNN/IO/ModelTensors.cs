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

    /// <summary>
    /// The header entries of the model's tensors, in the order of the data section: the counts (I64) first, then the
    /// parameters, then the other state tensors. Widest element first, as the safetensors library lays a file out: with
    /// the header padded to 8 bytes, every tensor then starts at a multiple of its element size, so that a reader may
    /// view its bytes in place (a count after an odd number of floats would start at 4 mod 8).
    /// </summary>
    public static IEnumerable<SafetensorsWriter.Tensor> Header<T>(Sequential<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SafetensorsDType values = SafetensorsDTypes.Of<T>();
        foreach (StateTensor s in model.StateTensors.Where(s => s.IsInteger))
            yield return new(s.Name, SafetensorsDType.I64, s.Shape);
        foreach (ParameterTensor p in model.ParameterTensors)
            yield return new(p.Name, values, p.Shape);
        foreach (StateTensor s in model.StateTensors.Where(s => !s.IsInteger))
            yield return new(s.Name, values, s.Shape);
    }

    /// <summary>
    /// Checks that every count and variance of the model's state holds a value a file may (see
    /// <see cref="TensorSpec.ValueProblem{T}"/>), so that what is saved loads back: a count writes to I64 exactly.
    /// </summary>
    /// <exception cref="ArgumentException">A count holds a fraction, a negative number, NaN, infinity or a number past <see cref="StateCount.Largest{T}"/>, or a variance a negative number, NaN or infinity.</exception>
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
            if (TensorSpec.ValueProblem(s.IsInteger, s.IsVariance, state.Slice(offset, s.BufferLength)) is { } problem)
                return $"'{s.Name}' {problem}";
            offset += s.BufferLength;
        }
        return null;
    }

    /// <summary>Writes the model's tensors in the order of <see cref="Header{T}"/>.</summary>
    public static void Write<T>(SafetensorsWriter writer, Sequential<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SafetensorsDType values = SafetensorsDTypes.Of<T>();
        foreach (StateTensor s in model.StateTensors.Where(s => s.IsInteger))
            writer.WriteCounts(Counts(model, s));
        foreach (ParameterTensor p in model.ParameterTensors)
            writer.WriteTensor<T>(model.Parameters.Slice(p.Offset, p.Length), values);
        foreach (StateTensor s in model.StateTensors.Where(s => !s.IsInteger))
            writer.WriteTensor<T>(model.State.Slice(s.Offset, s.Length), values);
    }

    // The counts of a count tensor, exact (two elements each, see StateCount).
    private static long[] Counts<T>(Sequential<T> model, StateTensor s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> tensor = CountTensor(model, s);
        var counts = new long[s.Length];
        for (int i = 0; i < counts.Length; i++)
            counts[i] = StateCount.Get<T>(tensor, i);
        return counts;
    }

    private static Span<T> CountTensor<T>(Sequential<T> model, StateTensor s) where T : unmanaged, IFloatingPointIeee754<T> =>
        model.State.Slice(s.Offset, StateCount.BufferLength(s.Length));

    /// <summary>Reads an I64 tensor's counts, exactly, into a count tensor's elements as <see cref="StateCount"/> holds them.</summary>
    public static void ReadCounts<T>(SafetensorsFile file, SafetensorsEntry entry, Span<T> tensor) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var counts = new long[entry.Length];
        file.ReadCounts(entry, counts);
        for (int i = 0; i < counts.Length; i++)
            StateCount.Set(tensor, i, counts[i]);
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
        {
            if (s.IsInteger)
                ReadCounts(file, file.Header.ByName[s.Name], CountTensor(model, s));
            else
                file.Read<T>(file.Header.ByName[s.Name], model.State.Slice(s.Offset, s.Length));
        }
    }

    /// <summary>
    /// The length of the model's state buffer as builds before <see cref="StateCount"/> laid it out: one element per
    /// count (its value), so shorter by one per count. A checkpoint of such a build holds its best epoch's
    /// state so (<see cref="FromOneElementPerCount{T}"/> reads it).
    /// </summary>
    public static int OneElementPerCountLength<T>(Sequential<T> model) where T : unmanaged, IFloatingPointIeee754<T> =>
        model.StateTensors.Sum(s => s.Length);

    /// <summary>A state buffer laid out as <see cref="OneElementPerCountLength{T}"/> describes, in today's layout: each tensor moved to its offset, every count's remainder 0.</summary>
    public static T[] FromOneElementPerCount<T>(Sequential<T> model, ReadOnlySpan<T> old) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var state = new T[model.State.Length];
        int offset = 0;
        foreach (StateTensor s in model.StateTensors)
        {
            old.Slice(offset, s.Length).CopyTo(state.AsSpan(s.Offset));
            offset += s.Length;
        }
        return state;
    }

    /// <summary>Copies tensors read by <see cref="StrictLoad"/> (counts as their elements in the state buffer) into the model (which cannot fail: names and lengths were checked), closing Backward until the next Forward.</summary>
    public static void Apply<T>(Sequential<T> model, IReadOnlyDictionary<string, T[]> tensors) where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (ParameterTensor p in model.ParameterTensors)
            tensors[p.Name].CopyTo(model.Parameters.Slice(p.Offset, p.Length));
        foreach (StateTensor s in model.StateTensors)
            tensors[s.Name].CopyTo(model.State[s.Offset..]);
        model.ForgetForward();
    }
}
