namespace FastNN.IO;

/// <summary>A tensor a strict load expects: its state-dict name, its shape, and whether it is a count (stored as I64).</summary>
internal sealed record TensorSpec(string Name, int[] Shape, bool IsInteger)
{
    public string FormatShape() => Layers.TensorShape.Format(Shape);
}
