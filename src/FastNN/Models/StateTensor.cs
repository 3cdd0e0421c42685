namespace FastNN.Models;

/// <summary>One named non-learnable tensor (such as <c>1.running_mean</c>) inside a model's state buffer, which optimizers never touch.</summary>
/// <remarks>Thread safety: immutable as long as the arrays it holds are not changed; safe to share between
/// threads.</remarks>
/// <param name="Name">PyTorch <c>nn.Sequential</c> state-dict name, such as <c>1.running_var</c>.</param>
/// <param name="Offset">Index of the first element in <see cref="Sequential{T}.State"/>.</param>
/// <param name="Length">Number of elements (the product of <paramref name="Shape"/>; 1 for a scalar). Counts take twice
/// as many elements of the buffer, their remainders after their values (see <see cref="Layers.StateCount"/>).</param>
/// <param name="Shape">Row-major shape; empty for a scalar such as <c>num_batches_tracked</c>.</param>
/// <param name="LayerIndex">Index of the owning layer in its model.</param>
/// <param name="IsInteger">Whether the tensor holds counts, stored in model files as 64-bit integers (I64), such as <c>num_batches_tracked</c>, and held as <see cref="Layers.StateCount"/> describes.</param>
public sealed record StateTensor(string Name, int Offset, int Length, int[] Shape, int LayerIndex, bool IsInteger = false);
