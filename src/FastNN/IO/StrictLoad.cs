using System.Numerics;

namespace FastNN.IO;

/// <summary>
/// Strict loading, as PyTorch's <c>load_state_dict(strict=True)</c>: the file holds exactly the expected tensors, each
/// with the expected shape and a dtype that can hold it (F32 or F64 for values, I64 for counts). Every mismatch is
/// listed in one error; only then are tensors read, into new arrays, so nothing is touched until all has been read (and
/// every count and variance holds a value a run can leave: <see cref="TensorSpec.ValueProblem{T}"/>).
/// </summary>
internal static class StrictLoad
{
    /// <summary>Checks the file's tensors against <paramref name="expected"/> and reads them.</summary>
    /// <param name="file">The open file.</param>
    /// <param name="expected">The tensors wanted.</param>
    /// <param name="target">What the tensors are for, in the message (such as "the model").</param>
    /// <returns>Each tensor's elements by name, as <typeparamref name="T"/>; a count tensor's as the state buffer holds them (<see cref="Layers.StateCount"/>: exact).</returns>
    /// <exception cref="ModelFileException">A tensor is missing, unexpected, mis-shaped or of the wrong dtype (all are listed), a count or variance holds a value no run leaves, or the file ended early.</exception>
    public static Dictionary<string, T[]> Read<T>(SafetensorsFile file, IReadOnlyList<TensorSpec> expected, string target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(file, expected, target);
        var values = new Dictionary<string, T[]>(expected.Count);
        foreach (TensorSpec spec in expected)
        {
            SafetensorsEntry entry = file.Header.ByName[spec.Name];
            T[] tensor;
            if (spec.IsInteger)
            {
                tensor = new T[Layers.StateCount.BufferLength(checked((int)entry.Length))];
                ModelTensors.ReadCounts(file, entry, tensor);
            }
            else
            {
                tensor = new T[entry.Length];
                file.Read<T>(entry, tensor);
            }
            if (spec.Problem<T>(tensor) is { } problem)
                throw file.Error($"tensor '{spec.Name}' {problem}");
            values.Add(spec.Name, tensor);
        }
        return values;
    }

    /// <summary>Checks the file's tensors against <paramref name="expected"/>, without reading them.</summary>
    /// <exception cref="ModelFileException">A tensor is missing, unexpected, mis-shaped or of the wrong dtype (all are listed).</exception>
    public static void Check(SafetensorsFile file, IReadOnlyList<TensorSpec> expected, string target)
    {
        IReadOnlyDictionary<string, SafetensorsEntry> found = file.Header.ByName;
        var names = expected.Select(s => s.Name).ToHashSet();
        var missing = new List<string>();
        var mismatched = new List<string>();
        foreach (TensorSpec spec in expected)
        {
            if (!found.TryGetValue(spec.Name, out SafetensorsEntry? entry))
                missing.Add(spec.Name);
            else if (!entry.Shape.SequenceEqual(spec.Shape.Select(d => (long)d)))
                mismatched.Add($"'{spec.Name}' is {entry.FormatShape()} in the file but {spec.FormatShape()} in {target}");
            else if (spec.IsInteger != (entry.DType == SafetensorsDType.I64))
                mismatched.Add($"'{spec.Name}' is {entry.DType} in the file but {(spec.IsInteger ? "a count (I64)" : "a value (F32 or F64)")} in {target}");
        }
        List<string> unexpected = file.Header.Tensors.Select(t => t.Name).Where(n => !names.Contains(n)).ToList();
        if (missing.Count == 0 && unexpected.Count == 0 && mismatched.Count == 0)
            return;
        var problems = new List<string>();
        if (missing.Count > 0)
            problems.Add($"missing {Quoted(missing)}");
        if (unexpected.Count > 0)
            problems.Add($"unexpected {Quoted(unexpected)}");
        problems.AddRange(mismatched);
        throw file.Error($"the tensors do not fit {target} (strict loading): {string.Join("; ", problems)}.");
    }

    // Quoted, as a file may name a tensor with the empty string or with a comma or a space.
    private static string Quoted(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));
}
