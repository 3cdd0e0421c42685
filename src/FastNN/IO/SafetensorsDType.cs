using FastNN.Intrinsics;

namespace FastNN.IO;

/// <summary>The safetensors element types FastNN reads and writes.</summary>
internal enum SafetensorsDType
{
    /// <summary>IEEE 754 binary32, little-endian.</summary>
    F32,
    /// <summary>IEEE 754 binary64, little-endian.</summary>
    F64,
    /// <summary>Two's-complement 64-bit integer, little-endian (PyTorch's <c>long</c>, as in <c>num_batches_tracked</c>).</summary>
    I64,
}

internal static class SafetensorsDTypes
{
    public static int Size(this SafetensorsDType dtype) => dtype == SafetensorsDType.F32 ? 4 : 8;

    /// <summary>
    /// How many elements a tensor's raw bytes are read or written in at once: 1 GiB of them. A byte span holds at most
    /// int.MaxValue bytes, and a tensor may hold more (2^29 floats, or 2^28 doubles, are 2 GiB).
    /// </summary>
    public static int ElementsPerSpan(this SafetensorsDType dtype) => (1 << 30) / dtype.Size();

    /// <summary>The parts, as (start, length), that <paramref name="elements"/> elements are read or written in: <see cref="ElementsPerSpan"/> each, the last one the rest.</summary>
    public static IEnumerable<(int Start, int Length)> Parts(this SafetensorsDType dtype, int elements)
    {
        for (var part = new ChunkWalk(elements, dtype.ElementsPerSpan()); part.MoveNext();)
            yield return (part.Start, part.Length);
    }

    public static bool TryParse(string text, out SafetensorsDType dtype)
    {
        (bool known, dtype) = text switch
        {
            "F32" => (true, SafetensorsDType.F32),
            "F64" => (true, SafetensorsDType.F64),
            "I64" => (true, SafetensorsDType.I64),
            _ => (false, default),
        };
        return known;
    }

    /// <summary>The floating-point dtype holding <typeparamref name="T"/> exactly.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public static SafetensorsDType Of<T>() =>
        typeof(T) == typeof(float) ? SafetensorsDType.F32
        : typeof(T) == typeof(double) ? SafetensorsDType.F64
        : throw new NotSupportedException($"Model files hold float or double tensors, not {typeof(T).Name}.");
}
