namespace FastNN.Data;

/// <summary>How <see cref="Csv"/> reads the target column.</summary>
/// <remarks>Thread safety: an enum; its values are constants, safe on any thread.</remarks>
public enum CsvTarget
{
    /// <summary>Every target is a finite number, stored as it is (a regression target, or class indices already numbered 0, 1, …).</summary>
    Numeric,

    /// <summary>
    /// Targets are class labels, compared as text (<c>cat</c>, <c>dog</c>, or <c>1</c>, <c>2</c>, <c>3</c>), numbered in a
    /// stable order: by value when every label is a number, otherwise by ordinal string order. The dataset's
    /// <see cref="Dataset{T}.ClassLabels"/> maps each class index back to its label.
    /// </summary>
    ClassLabels,

    /// <summary>
    /// <see cref="ClassLabels"/> when a target is not a number, or when every target is an integer and there are at most
    /// <see cref="Csv.AutoClassLimit"/> distinct values (texts: <c>1</c> and <c>1.0</c> count twice); otherwise <see cref="Numeric"/>.
    /// Integer classes are numbered by value, so <c>1</c> and <c>1.0</c> are one class. With known
    /// <see cref="CsvOptions.ClassLabels"/>, the column is read as <see cref="ClassLabels"/> reads it.
    /// </summary>
    Auto,

    /// <summary>No target is read (as for prediction): every row's target is 0 and the dataset has no class labels.</summary>
    None,
}
