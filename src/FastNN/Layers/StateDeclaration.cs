namespace FastNN.Layers;

/// <summary>A non-learnable tensor a layer declares, such as BatchNorm's <c>running_mean</c>.</summary>
/// <remarks>Thread safety: immutable as long as the arrays it holds are not changed; safe to share between
/// threads.</remarks>
/// <param name="Name">PyTorch state-dict name relative to the layer.</param>
/// <param name="Shape">Row-major shape; empty for a scalar such as <c>num_batches_tracked</c>.</param>
/// <param name="IsInteger">Whether the tensor is a count, held as the model's element type but stored in model files as a
/// 64-bit integer (I64), as PyTorch stores <c>num_batches_tracked</c>. A count must be a non-negative integer below
/// 2⁶³: saving refuses another value with <see cref="ArgumentException"/>, loading with <see cref="IO.ModelFileException"/>.</param>
/// <param name="IsVariance">Whether the tensor is a variance, such as BatchNorm's <c>running_var</c>: every element must be
/// finite and non-negative (no run leaves another, and the layer would output NaN or a constant); saving refuses another
/// value with <see cref="ArgumentException"/>, loading with <see cref="IO.ModelFileException"/>.</param>
public sealed record StateDeclaration(string Name, int[] Shape, bool IsInteger = false, bool IsVariance = false)
{
    /// <summary>Number of elements: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public int Length => TensorShape.Length(Shape);
}
