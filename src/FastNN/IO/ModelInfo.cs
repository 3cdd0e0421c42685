using FastNN.Data;
using FastNN.Training;

namespace FastNN.IO;

/// <summary>
/// What a model file records besides the architecture and the tensors, so that one file is enough to predict: the
/// task, the class labels, the input (and regression target) standardization and the column names, and any notes of
/// your own (such as the settings that trained the model).
/// </summary>
/// <remarks>
/// <para>Every property is optional. <see cref="ModelFile.Save{T}"/> checks them against the model (throwing
/// <see cref="ArgumentException"/>) and <see cref="ModelFile.Load{T}"/> against the file's model (throwing
/// <see cref="ModelFileException"/>):</para>
/// <list type="bullet">
/// <item><see cref="Task"/> suits the output width as <see cref="Trainer{T}"/> requires: 1 output for regression and binary
/// classification, at least 2 for classes.</item>
/// <item><see cref="ClassLabels"/> needs a classification task: 2 labels (for targets 0 and 1) for binary classification,
/// one per output for classes; each non-empty, none twice (as a <see cref="Dataset{T}"/> requires).</item>
/// <item><see cref="Input"/> and <see cref="FeatureNames"/> have one entry per input feature; no feature name twice (as a
/// CSV header and a <see cref="Dataset{T}"/> require). Labels and names are compared as a CSV compares them, in Unicode
/// normal form C: an <c>é</c> composed and one decomposed are one label, or one name, given twice.</item>
/// <item><see cref="TargetName"/> is none of <see cref="FeatureNames"/> (compared as they are): a file to evaluate finds
/// both by name, and one column cannot be both.</item>
/// <item><see cref="Target"/> needs the regression task and has 1 feature.</item>
/// <item><see cref="Notes"/> holds no null value.</item>
/// <item>Every text (labels, names, notes and their names) is valid UTF-16: a lone surrogate has no UTF-8 encoding, so a
/// file cannot hold it.</item>
/// </list>
/// <para>Thread safety: immutable (as long as the lists given to it are not changed), so safe to share between threads.</para>
/// </remarks>
public sealed record ModelInfo
{
    /// <summary>The task the model solves, or null if not recorded.</summary>
    public TaskKind? Task { get; init; }

    /// <summary>The label of each class index, in index order, or null.</summary>
    public IReadOnlyList<string>? ClassLabels { get; init; }

    /// <summary>The standardization applied to inputs before the model sees them (fitted on the training rows), or null.</summary>
    public Standardizer? Input { get; init; }

    /// <summary>The standardization of a regression target: the model predicts standardized targets, <c>y = ŷ·σ + μ</c> undoes it. Null if none.</summary>
    public Standardizer? Target { get; init; }

    /// <summary>The name of each input feature, in column order, or null.</summary>
    public IReadOnlyList<string>? FeatureNames { get; init; }

    /// <summary>The name of the target column, or null.</summary>
    public string? TargetName { get; init; }

    /// <summary>
    /// Text of your own recorded with the model, by name (for instance the options of the run that trained it, which
    /// <c>fastnn train</c> records and checks when it resumes from a checkpoint), or null. FastNN does not interpret it.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Notes { get; init; }
}
