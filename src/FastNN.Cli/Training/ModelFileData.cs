using System.Numerics;
using FastNN.Data;
using FastNN.Inference;
using FastNN.IO;
using FastNN.Training;

namespace FastNN.Cli.Training;

/// <summary>
/// A saved model with the rows of a CSV file read as it was trained: its features picked by name, standardized with its
/// statistics, and (for evaluation) the target read as it records (class labels in its order, or numbers).
/// </summary>
/// <remarks>
/// Columns are matched to the model by name: the feature names and the target name the model file records (fastnn
/// train records them), in any order, other columns (an id, the label when predicting) ignored; a missing one is an
/// error that names it. Only a model file that records no feature names takes the columns by position: every column
/// but the label, in file order, as many as the model has inputs.
/// </remarks>
internal sealed class ModelFileData<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private ModelFileData(SavedModel<T> saved, TaskChoice task, Dataset<T> data, string source)
    {
        Saved = saved;
        Task = task;
        Data = data;
        Source = source;
    }

    /// <summary>The model (in evaluation mode) and what its file records.</summary>
    public SavedModel<T> Saved { get; }

    /// <summary>The model's task.</summary>
    public TaskChoice Task { get; }

    /// <summary>The rows, features standardized as the model expects; targets as read (raw units for regression), or zeros without a target.</summary>
    public Dataset<T> Data { get; }

    /// <summary>The CSV file's name.</summary>
    public string Source { get; }

    /// <summary>Loads <paramref name="modelPath"/> and reads <paramref name="dataPath"/> for it, with the target column when <paramref name="withTarget"/>.</summary>
    public static ModelFileData<T> Read(string modelPath, string dataPath, string? labelColumn, char? delimiter, bool withTarget)
    {
        // One row: the outputs run through a Predictor, in its own chunks, so the max_batch the file records (a
        // --batch-size, possibly of a million rows) is never allocated, nor refused past ModelFile.Load's budget.
        SavedModel<T> saved = Load(InputFile.Existing(modelPath, "--model"));
        ModelInfo info = saved.Info;
        TaskChoice task = info.Task is TaskKind kind
            ? TaskChoices.FromKind(kind)
            : throw new UsageException($"--model: '{modelPath}' records no task (fastnn train saves it; a library user passes a ModelInfo to ModelFile.Save).");

        var options = new CsvOptions
        {
            Delimiter = delimiter,
            FeatureColumns = info.FeatureNames,
            LabelColumn = labelColumn ?? (withTarget ? info.TargetName : null),
            Target = !withTarget ? CsvTarget.None : task == TaskChoice.Regress ? CsvTarget.Numeric : CsvTarget.ClassLabels,
            ClassLabels = withTarget && task != TaskChoice.Regress ? info.ClassLabels : null,
        };
        (Dataset<T> data, string source) = Read(dataPath, options, withTarget && labelColumn is null ? info.TargetName : null);
        if (data.FeatureCount != saved.Model.InputSize)
            throw new UsageException($"{source} has {Counted.Of(data.FeatureCount, "feature column")}{(withTarget ? " besides the label" : "")}; the model takes {saved.Model.InputSize} "
                + $"and its file records no feature names, so the columns are taken by position: give exactly its {saved.Model.InputSize} feature columns{(withTarget ? " and the label" : "")}.");
        return new ModelFileData<T>(saved, task, info.Input is { } input ? Standardize(data, source, input) : data, source);
    }

    // The target column is looked for by the name the model records unless --label-column names it: the reader's "there
    // is no label column 'target'" then says how to name the file's own.
    private static (Dataset<T> Data, string Source) Read(string path, CsvOptions options, string? recordedTarget)
    {
        try
        {
            return DataLoader.Read<T>(path, options);
        }
        catch (CsvFormatException e) when (recordedTarget is not null && e.Message.Contains($"there is no label column '{recordedTarget}'", StringComparison.Ordinal))
        {
            throw new UsageException($"{e.Message} The model was trained on the target '{recordedTarget}': give --label-column with this file's target column (a name or a 0-based index), or run predict, which reads no target.");
        }
    }

    // The library's refusal of a value standardized past T names a row of the rows it was given and no file.
    private static Dataset<T> Standardize(Dataset<T> data, string source, Standardizer input)
    {
        try
        {
            return input.Transform(data);
        }
        catch (ArgumentException) when (PreparedData<T>.BeyondRange(data, source, input, null, "", "the model file records",
            typeof(T) == typeof(float) ? "Give --double to run the model in double precision, or correct or remove the row." : "Correct or remove the row.") is { } problem)
        {
            throw problem;
        }
    }

    // A checkpoint is the file a stopped run points to, so the likeliest wrong --model: answered with what does the job.
    private static SavedModel<T> Load(string path)
    {
        try
        {
            return ModelFile.Load<T>(path, maxBatch: 1);
        }
        catch (ModelFileException e) when (e.IsCheckpoint)
        {
            throw new UsageException(
                $"--model: {path} is a FastNN checkpoint (a training run saved to be resumed), not a model file: to go on with its run, give the fastnn train "
                + $"command that wrote it again with --resume {path}; to evaluate or predict, give --model the model file train saves when a run ends (--save).");
        }
        catch (ModelFileException e) when (e.NeedsDouble)
        {
            throw InputFile.NeedsDouble("--model", e);
        }
        // The library's way on (build the model, ModelFile.LoadWeights) is code: the command's is train --init-weights.
        catch (ModelFileException e) when (e.Problem.StartsWith($"the file has no {ModelMetadata.ArchitectureKey} metadata", StringComparison.Ordinal))
        {
            throw new UsageException(
                $"--model: {path} holds weights without the architecture a model file records (a PyTorch state dict, or a model with a layer of its own), so eval and predict cannot build its network: "
                + "give them the file fastnn train saved; to go on from these weights, give them to fastnn train --init-weights with the network they fit (--layers ...), which saves one.");
        }
        catch (ModelFileException) when (FileHead.IsText(path))
        {
            throw new UsageException($"--model: {path} is text, not a model file: give --model the .safetensors file fastnn train saved (--save), and the CSV rows to --data.");
        }
    }

    /// <summary>
    /// The model's raw outputs for every row, <c>[Rows, OutputSize]</c>: class scores, one logit, or a standardized
    /// value. Run by a <see cref="Predictor{T}"/>, whose result for a row does not depend on the other rows of the file
    /// (the model's own forward pass, in batches, gives a row's last bits by the batch it falls in).
    /// </summary>
    public T[] Outputs()
    {
        var outputs = new T[Data.Rows * Saved.Model.OutputSize];
        new Predictor<T>(Saved.Model).Predict(Data.Features, outputs, Data.Rows);
        return outputs;
    }

    /// <summary>Regression outputs in the target's own units (ŷ·σ + μ when the model records a target standardization).</summary>
    public double[] TargetUnits(ReadOnlySpan<T> outputs)
    {
        Standardizer? target = Saved.Info.Target;
        double scale = target?.Scales[0] ?? 1, mean = target?.Means[0] ?? 0;
        var values = new double[outputs.Length];
        for (int i = 0; i < values.Length; i++)
            values[i] = double.CreateChecked(outputs[i]) * scale + mean;
        return values;
    }

    /// <summary>
    /// Each row's class probabilities, <c>[Rows, classes]</c>, and its most probable class, as
    /// <see cref="Predictor{T}.Classify(ReadOnlySpan{T}, Span{T}, Span{int}, int)"/> gives them: the softmax of the scores
    /// (its limit for a score of +∞, which takes all the probability), or (σ(−z), σ(z)) of a binary logit, computed in
    /// double and rounded to T; the class is the first of the largest rounded probabilities.
    /// </summary>
    public (T[] Probabilities, int[] Classes) Classified()
    {
        // The rows are standardized already: the predictor takes the task and labels alone.
        var predictor = new Predictor<T>(Saved.Model, Saved.Info with { Input = null });
        var probabilities = new T[Data.Rows * predictor.ClassLabels.Count];
        var classes = new int[Data.Rows];
        predictor.Classify(Data.Features, probabilities, classes, Data.Rows);
        return (probabilities, classes);
    }

    /// <summary>The label of class <paramref name="index"/>: the recorded one, or the index itself.</summary>
    public string Label(int index) => Saved.Info.ClassLabels is { } labels ? labels[index] : index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
