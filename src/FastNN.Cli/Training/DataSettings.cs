namespace FastNN.Cli.Training;

/// <summary>Where the rows come from and how they are prepared.</summary>
/// <param name="Path">The CSV file, or null for the embedded digits.</param>
/// <param name="LabelColumn">The target column's name or 0-based index; null: the last column.</param>
/// <param name="Task">The task, or null to infer it from the target column.</param>
/// <param name="Delimiter">The field delimiter, or null to detect it.</param>
/// <param name="TestFraction">Fraction of rows held out for the final evaluation (0: train on every row).</param>
/// <param name="Standardize">Standardize features (and a regression target) with statistics of the training rows.</param>
/// <param name="Shuffle">Visit training rows in a new random order each epoch; otherwise in file order.</param>
internal sealed record DataSettings(string? Path, string? LabelColumn, TaskChoice? Task, char? Delimiter, double TestFraction, bool Standardize, bool Shuffle);
