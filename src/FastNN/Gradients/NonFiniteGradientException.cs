using System.Globalization;

namespace FastNN.Gradients;

/// <summary>A gradient was NaN or infinite; the message and properties say which tensor, layer and element.</summary>
/// <remarks>Thread safety: immutable once created; safe to read from any thread.</remarks>
public sealed class NonFiniteGradientException : ArithmeticException
{
    /// <summary>Creates the exception for element <paramref name="index"/> of tensor <paramref name="tensorName"/>.</summary>
    /// <param name="tensorName">The tensor's state-dict name, such as <c>2.weight</c>.</param>
    /// <param name="layerIndex">The index of the owning layer.</param>
    /// <param name="index">The element's index within the tensor (row-major).</param>
    /// <param name="value">The offending value.</param>
    public NonFiniteGradientException(string tensorName, int layerIndex, int index, double value)
        : base(string.Create(CultureInfo.InvariantCulture, $"The gradient of '{tensorName}' (layer {layerIndex}) is {value} at element {index}: training diverged or the data holds NaN/infinity."))
    {
        TensorName = tensorName;
        LayerIndex = layerIndex;
        Index = index;
        Value = value;
    }

    /// <summary>The tensor's state-dict name.</summary>
    public string TensorName { get; }

    /// <summary>The index of the owning layer.</summary>
    public int LayerIndex { get; }

    /// <summary>The element's index within the tensor.</summary>
    public int Index { get; }

    /// <summary>The offending value (NaN or ±∞).</summary>
    public double Value { get; }
}
