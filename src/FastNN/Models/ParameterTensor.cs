namespace FastNN.Models;

/// <summary>
/// One named tensor inside a model's contiguous parameter buffer (and, at the same offset, its gradient
/// buffer and every optimizer state buffer).
/// </summary>
/// <remarks>Thread safety: immutable as long as the arrays it holds are not changed; safe to share between
/// threads.</remarks>
/// <param name="Name">PyTorch <c>nn.Sequential</c> state-dict name, such as <c>0.weight</c>.</param>
/// <param name="Offset">Index of the first element in the flat buffer.</param>
/// <param name="Length">Number of elements (the product of <paramref name="Shape"/>).</param>
/// <param name="Shape">Row-major shape, such as <c>[out, in]</c> for a Dense weight.</param>
/// <param name="Kind">What the tensor is for.</param>
/// <param name="LayerIndex">Index of the owning layer in its model.</param>
public sealed record ParameterTensor(string Name, int Offset, int Length, int[] Shape, ParameterKind Kind, int LayerIndex);
