using System.Numerics;
using FastNN.Layers;
using FastNN.Models;

namespace FastNN.IO;

/// <summary>
/// Saves and loads models as safetensors files that PyTorch reads and writes: one file holds the weights, the buffers
/// (running statistics) and, in <c>__metadata__</c>, the architecture and a <see cref="ModelInfo"/>, so it is enough to
/// predict.
/// </summary>
/// <remarks>
/// <para>Format: an 8-byte little-endian header length, a UTF-8 JSON header giving each tensor's <c>dtype</c>,
/// <c>shape</c> and <c>data_offsets</c>, then the raw little-endian data. Tensors carry the names and layouts of the
/// equivalent <c>nn.Sequential</c>'s state dict (<c>0.weight</c> <c>[out, in]</c>, <c>1.running_mean</c>, …), values as
/// F32 (float models) or F64 (double models), counts such as <c>num_batches_tracked</c> as I64, as PyTorch writes
/// them. In PyTorch, <c>model.load_state_dict({name: torch.from_numpy(...)})</c> of the tensors loads the file.</para>
/// <para>Saving is atomic: a temporary file in the same folder is written, flushed to the disk and renamed over the
/// target, so a failed save leaves the previous file intact (a symbolic link is followed to the file it names, which keeps its mode). Loading checks the whole header (its length at most
/// 100 MB and within the file, valid UTF-8 JSON, known dtypes, each size equal to shape × dtype size, tensors tiling
/// the data with no gap, overlap or trailing byte) and the tensors' names and shapes before anything is allocated from
/// the file's numbers or any model is touched, then the values no run leaves (a count that is not a non-negative integer
/// the model holds exactly, at most 2^48 in a float model and any 64-bit one in a double model; a variance such as
/// BatchNorm's <c>running_var</c> that is negative, NaN or infinite; a finite F64 value beyond float's range when the
/// file is loaded as float, which would become an infinity the file does not hold: <see cref="ModelFileException.NeedsDouble"/>
/// is then true) before the model is changed; every
/// problem raises <see cref="ModelFileException"/>, and so does a path that is a pipe or a socket (a file given as
/// <c>&lt;(…)</c>): a file is read at the offsets its header gives, so it must be a regular file.</para>
/// <para>Thread safety: any number of threads may call these methods at once, on the same file too: a load only reads
/// it, through one open handle, and a save renames a complete file over it, so a load running meanwhile reads the old file
/// or the new one whole (building one <see cref="Inference.Predictor{T}"/> per load, or reloading a file another process
/// replaces, is safe). A model given to a call must not be used by another thread during it (a <see cref="Sequential{T}"/>
/// is for one thread at a time).</para>
/// </remarks>
public static class ModelFile
{
    /// <summary>Saves the model's tensors, architecture and <paramref name="info"/> to <paramref name="path"/>, atomically.</summary>
    /// <param name="path">The file to create or replace (conventionally <c>*.safetensors</c>). A symbolic link is written through: the file it names is replaced and the link stays; a replaced file keeps its mode (on Unix), as an editor or <c>cp</c> keeps it.</param>
    /// <param name="model">The model; not changed.</param>
    /// <param name="info">Task, labels, standardizations and names to record; null records none.</param>
    /// <remarks>A model with a layer of your own (one without a JSON description), at any depth (inside a Residual or Concat body too), is saved without its architecture:
    /// read it back with <see cref="LoadWeights{T}"/> into a model you build, and <paramref name="info"/> with <see cref="ReadInfo{T}(string, Sequential{T})"/>.</remarks>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty, <paramref name="model"/> is null (both <see cref="ArgumentNullException"/> when null), <paramref name="info"/> does not fit the model (the message says which rule of <see cref="ModelInfo"/>), a count (such as <c>num_batches_tracked</c>) is not a non-negative integer the model holds exactly (see <see cref="StateDeclaration.IsInteger"/>), or a variance (BatchNorm's <c>running_var</c>) is negative, NaN or infinite (a file could not load it), or <paramref name="info"/>'s texts make the file's header longer than the 100 MB a safetensors header may have (Load would refuse it; the message gives the size); nothing is written then.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    /// <exception cref="IOException">The file cannot be written; the previous file, if any, is intact.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder may not be written; the previous file, if any, is intact.</exception>
    public static void Save<T>(string path, Sequential<T> model, ModelInfo? info = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        SafetensorsDTypes.Of<T>();
        info ??= new ModelInfo();
        if (ModelMetadata.Problem(info, model.InputSize, model.OutputSize) is { } problem)
            throw new ArgumentException(problem, nameof(info));
        ModelTensors.CheckState(model, nameof(model));
        byte[] header = SafetensorsWriter.Header([.. ModelTensors.Header(model)], ModelMetadata.Write(model, info));
        AtomicFile.Write(path, stream =>
        {
            var writer = new SafetensorsWriter(stream);
            writer.WriteHeader(header);
            ModelTensors.Write(writer, model);
        });
    }

    /// <summary>
    /// Builds the model a file describes and loads its tensors, converting them to <typeparamref name="T"/> whatever
    /// floating-point dtype the file holds (F32 or F64; an F64 value beyond float's range is refused, not made infinite).
    /// </summary>
    /// <param name="path">A file saved by <see cref="Save{T}"/>, or any safetensors file with a <c>fastnn.architecture</c> entry in its metadata.</param>
    /// <param name="maxBatch">The largest batch the model will run; null: the <c>max_batch</c> the architecture records
    /// (see the remarks on working memory).</param>
    /// <param name="seed">Seed of the model's random source (dropout, if it is trained further).</param>
    /// <returns>The model, in evaluation mode (running statistics, no dropout), and the info the file records.</returns>
    /// <remarks>Working memory: the model's activations and workspace are sized by its architecture and its batch,
    /// numbers a file states without holding the bytes behind them. A file whose architecture asks for more than the
    /// larger of 256 MiB and 16 times the file's size is refused before anything is allocated: for the <c>max_batch</c>
    /// it records when <paramref name="maxBatch"/> is null, for one row when you pass <paramref name="maxBatch"/> (the
    /// model then takes at most <paramref name="maxBatch"/> times that). A recorded <c>max_batch</c> past the bound is
    /// refused rather than lowered to the rows within it, so that a damaged or hostile number is reported instead of
    /// becoming a model of another MaxBatch that still allocates the whole bound.</remarks>
    /// <exception cref="ModelFileException">The file is a checkpoint (<see cref="ModelFileException.IsCheckpoint"/>; the message says to resume it with <see cref="Checkpoint.Load{T}"/>), or it is malformed, has no architecture, its tensors or metadata do not fit the architecture, a count or variance holds a value no run leaves (see the class remarks), or the architecture asks for more working memory than a file may (see the remarks).</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null (<see cref="ArgumentNullException"/>) or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBatch"/> is below 1 or too large for the model's workspace.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    /// <exception cref="IOException">The file cannot be read (for instance <see cref="FileNotFoundException"/>).</exception>
    /// <exception cref="UnauthorizedAccessException">The path is a folder, or the file may not be read.</exception>
    public static SavedModel<T> Load<T>(string path, int? maxBatch = null, ulong seed = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (maxBatch < 1)
            throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, "maxBatch must be at least 1.");
        SafetensorsDTypes.Of<T>();
        using SafetensorsFile file = SafetensorsFile.Open(path);
        CheckpointMetadata.RefuseAsModel(file);
        // The tensors are matched against the layers' declarations before the model's buffers are allocated, so that
        // no size written in a damaged file is ever allocated.
        (List<ILayer<T>> layers, LayerChain<T> chain, int describedMaxBatch) = ModelMetadata.ReadArchitecture<T>(file);
        ModelInfo info = ModelMetadata.ReadInfo(file, chain.InputSize, chain.OutputSize);
        StrictLoad.Check(file, ModelTensors.Specs(chain), "the model its architecture describes");
        CheckWorkingMemory(file, chain, maxBatch, describedMaxBatch);
        Sequential<T> model;
        try
        {
            // Every tensor comes from the file, so the random initialization is skipped.
            model = new Sequential<T>(layers, maxBatch ?? describedMaxBatch, seed, initialize: false);
        }
        catch (ArgumentException e) when (maxBatch is null)
        {
            throw file.Error($"the architecture's max_batch {describedMaxBatch} cannot be used: {e.Message}", e);
        }
        ModelTensors.ReadInto(file, model);
        if (ModelTensors.StateProblem(model.Chain, model.State) is { } stateProblem)
            throw file.Error($"tensor {stateProblem}");
        model.Training = false;
        return new SavedModel<T>(model, info);
    }

    /// <summary>The least working memory a file may ask for, whatever its size (see <see cref="CheckWorkingMemory"/>).</summary>
    internal const long WorkingMemoryFloor = 256L << 20;

    /// <summary>
    /// Refuses a file whose architecture asks for more working memory than the larger of <see cref="WorkingMemoryFloor"/>
    /// and 16 times the file's size: for its recorded max_batch rows when <paramref name="maxBatch"/> is null, for one
    /// row otherwise (the caller then chooses how many rows to allocate). The tensors a model holds are checked against
    /// the file's bytes already; its activations and workspace are sized by numbers a file states without backing them.
    /// </summary>
    /// <exception cref="ModelFileException">The architecture asks for more.</exception>
    private static void CheckWorkingMemory<T>(SafetensorsFile file, LayerChain<T> chain, int? maxBatch, int describedMaxBatch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long budget = Math.Max(WorkingMemoryFloor, 16 * file.Length);
        long perRow = Sequential<T>.WorkingBytesPerRow(chain);
        int rows = maxBatch is null ? describedMaxBatch : 1;
        if (perRow <= budget / rows)
            return;
        string asked = perRow == long.MaxValue ? "more than an array holds" : $"{perRow} bytes";
        string limit = $"more than the {budget} bytes a {file.Length}-byte file may ask for (the larger of 256 MiB and 16 times its size)";
        throw file.Error(maxBatch is null
            ? $"{ModelMetadata.ArchitectureKey} asks for working memory for max_batch {rows} rows of {asked} each, {limit}; pass maxBatch to ModelFile.Load to choose the batch yourself."
            : $"{ModelMetadata.ArchitectureKey} asks for working memory of {asked} per row, {limit}.");
    }

    /// <summary>
    /// The <see cref="ModelInfo"/> a model file or a checkpoint records, read from its header alone (no tensor is read),
    /// checked against the architecture it describes.
    /// </summary>
    /// <param name="path">A file saved by <see cref="Save{T}"/> or <c>Checkpoint.Save</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null (<see cref="ArgumentNullException"/>) or empty.</exception>
    /// <exception cref="ModelFileException">The file is malformed, has no architecture (a model with a layer of your own: see <see cref="ReadInfo{T}(string, Sequential{T})"/>), or its metadata does not fit the architecture.</exception>
    /// <exception cref="IOException">The file cannot be read (for instance <see cref="FileNotFoundException"/>).</exception>
    /// <exception cref="UnauthorizedAccessException">The path is a folder, or the file may not be read.</exception>
    public static ModelInfo ReadInfo(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using SafetensorsFile file = SafetensorsFile.Open(path);
        (_, LayerChain<double> chain, _) = ModelMetadata.ReadArchitecture<double>(file);
        return ModelMetadata.ReadInfo(file, chain.InputSize, chain.OutputSize);
    }

    /// <summary>
    /// The <see cref="ModelInfo"/> a model file or a checkpoint records, read from its header alone, checked against the
    /// widths of <paramref name="model"/>: for a file without an architecture, as <see cref="Save{T}"/> writes for a model
    /// with a layer of your own, whose weights <see cref="LoadWeights{T}"/> reads into a model you build.
    /// </summary>
    /// <param name="path">A file saved by <see cref="Save{T}"/> or <c>Checkpoint.Save</c>.</param>
    /// <param name="model">The model the file is for; not changed.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null (<see cref="ArgumentNullException"/>) or empty, or <paramref name="model"/> is null (<see cref="ArgumentNullException"/>).</exception>
    /// <exception cref="ModelFileException">The file is malformed, or its metadata does not fit the model's widths.</exception>
    /// <exception cref="IOException">The file cannot be read (for instance <see cref="FileNotFoundException"/>).</exception>
    /// <exception cref="UnauthorizedAccessException">The path is a folder, or the file may not be read.</exception>
    public static ModelInfo ReadInfo<T>(string path, Sequential<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        using SafetensorsFile file = SafetensorsFile.Open(path);
        return ModelMetadata.ReadInfo(file, model.InputSize, model.OutputSize);
    }

    /// <summary>
    /// Loads a file's tensors into an existing model strictly, as PyTorch's <c>load_state_dict(strict=True)</c>: the file
    /// must hold every parameter and state tensor of the model with its shape, and nothing else. Metadata is ignored
    /// (but for the mark of a checkpoint, which is refused), so files written by PyTorch load as well.
    /// </summary>
    /// <param name="path">A safetensors file.</param>
    /// <param name="model">The model; changed only when the whole file has been checked and read.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null (<see cref="ArgumentNullException"/>) or empty, or <paramref name="model"/> is null (<see cref="ArgumentNullException"/>).</exception>
    /// <exception cref="ModelFileException">The file is a checkpoint (<see cref="ModelFileException.IsCheckpoint"/>; the message says to resume it with <see cref="Checkpoint.Load{T}"/>), or it is malformed, tensors are missing, unexpected, mis-shaped or of the wrong dtype (all of them are listed), or a count or variance holds a value no run leaves (see the class remarks); the model is unchanged.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    /// <exception cref="IOException">The file cannot be read (for instance <see cref="FileNotFoundException"/>).</exception>
    /// <exception cref="UnauthorizedAccessException">The path is a folder, or the file may not be read.</exception>
    public static void LoadWeights<T>(string path, Sequential<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        SafetensorsDTypes.Of<T>();
        using SafetensorsFile file = SafetensorsFile.Open(path);
        CheckpointMetadata.RefuseAsModel(file);
        Dictionary<string, T[]> tensors = StrictLoad.Read<T>(file, ModelTensors.Specs(model), "the model");
        ModelTensors.Apply(model, tensors);
    }
}
