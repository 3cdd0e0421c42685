namespace FastNN.Layers;

/// <summary>Shape arithmetic and formatting shared by declarations, models and error messages.</summary>
internal static class TensorShape
{
    public static int Length(int[] shape)
    {
        long length = 1;
        foreach (int d in shape)
            length *= d;
        return checked((int)length);
    }

    public static string Format(int[] shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>Writes a flat row-major index as a multi-index, such as <c>[2, 5]</c>.</summary>
    public static string FormatIndex(int[] shape, int flat)
    {
        if (shape.Length == 0)
            return "[]";
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return Format(index);
    }
}
