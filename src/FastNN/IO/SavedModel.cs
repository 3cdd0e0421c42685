using System.Numerics;
using FastNN.Models;

namespace FastNN.IO;

/// <summary>A model read from a file by <see cref="ModelFile.Load{T}"/>, with what the file records about it.</summary>
/// <remarks>Thread safety: not thread-safe: <see cref="Model"/> is a <see cref="Sequential{T}"/> with its own workspace, for one thread at a time.</remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class SavedModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal SavedModel(Sequential<T> model, ModelInfo info) => (Model, Info) = (model, info);

    /// <summary>The model, in evaluation mode, with the file's weights and running statistics.</summary>
    public Sequential<T> Model { get; }

    /// <summary>The task, labels, standardizations and names the file records (properties the file lacks are null).</summary>
    public ModelInfo Info { get; }
}
