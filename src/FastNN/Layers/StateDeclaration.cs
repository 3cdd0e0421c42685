namespace FastNN.Layers;

/// <summary>A non-learnable tensor a layer declares, such as BatchNorm's <c>running_mean</c>.</summary>
/// <remarks>Thread safety: immutable as long as the arrays it holds are not changed; safe to share between
/// threads.</remarks>
/// <param name="Name">PyTorch state-dict name relative to the layer.</param>
/// <param name="Shape">Row-major shape; empty for a scalar such as <c>num_batches_tracked</c>.</param>
/// <param name="IsInteger">Whether the tensor holds counts, stored in model files as 64-bit integers (I64), as PyTorch
/// stores <c>num_batches_tracked</c>, and held in the state buffer as <see cref="StateCount"/> describes (two elements
/// per count, so that a float model counts exactly past 2^24; read and write them with its Get and Set). A count must be
/// a non-negative integer the model holds exactly: any 64-bit one in a double model, at most 2^48 in a float one; saving
/// refuses another value with <see cref="ArgumentException"/>, loading with <see cref="IO.ModelFileException"/>.</param>
/// <param name="IsVariance">Whether the tensor is a variance, such as BatchNorm's <c>running_var</c>: every element must be
/// finite and non-negative (no run leaves another, and the layer would output NaN or a constant); saving refuses another
/// value with <see cref="ArgumentException"/>, loading with <see cref="IO.ModelFileException"/>.</param>
public sealed record StateDeclaration(string Name, int[] Shape, bool IsInteger = false, bool IsVariance = false)
{
    /// <summary>Number of elements: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public int Length => TensorShape.Length(Shape);

    /// <summary>
    /// The elements the tensor takes in a model's state buffer, where a layer's tensors lie one after another in
    /// declaration order: <see cref="Length"/>, or for counts <see cref="StateCount.BufferLength"/> (twice as many).
    /// </summary>
    public int BufferLength => IsInteger ? StateCount.BufferLength(Length) : Length;
}
