namespace FastNN.IO;

/// <summary>One tensor of a safetensors header: its name, dtype, shape and byte range in the data section.</summary>
/// <param name="Name">The tensor's name (a state-dict name such as <c>0.weight</c>).</param>
/// <param name="DType">The element type.</param>
/// <param name="Shape">Row-major shape; empty for a scalar.</param>
/// <param name="Begin">First byte, relative to the start of the data section.</param>
/// <param name="End">One past the last byte.</param>
internal sealed record SafetensorsEntry(string Name, SafetensorsDType DType, long[] Shape, long Begin, long End)
{
    /// <summary>Number of elements (the product of the shape; the header check guarantees it fits in an int).</summary>
    public int Length => (int)((End - Begin) / DType.Size());

    public string FormatShape() => "[" + string.Join(", ", Shape) + "]";
}
