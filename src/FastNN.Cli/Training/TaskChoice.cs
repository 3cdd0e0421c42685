using FastNN.Training;

namespace FastNN.Cli.Training;

/// <summary>The task as the command line names it: <c>classify</c>, <c>binary</c> or <c>regress</c>.</summary>
internal enum TaskChoice
{
    /// <summary>Classes, one score per class, softmax cross-entropy.</summary>
    Classify,
    /// <summary>Two classes, one logit, binary cross-entropy with logits.</summary>
    Binary,
    /// <summary>A real-valued target, mean squared error on the standardized target.</summary>
    Regress,
}

/// <summary>Names and library counterparts of <see cref="TaskChoice"/>.</summary>
internal static class TaskChoices
{
    public static readonly string[] Names = ["classify", "binary", "regress"];

    public static TaskChoice Parse(string name) => (TaskChoice)Array.IndexOf(Names, name);

    public static string Name(this TaskChoice task) => Names[(int)task];

    public static TaskKind Kind(this TaskChoice task) => task switch
    {
        TaskChoice.Classify => TaskKind.MultiClassClassification,
        TaskChoice.Binary => TaskKind.BinaryClassification,
        _ => TaskKind.Regression,
    };

    public static TaskChoice FromKind(TaskKind kind) => kind switch
    {
        TaskKind.MultiClassClassification => TaskChoice.Classify,
        TaskKind.BinaryClassification => TaskChoice.Binary,
        _ => TaskChoice.Regress,
    };
}
