namespace FastNN.Gradients;

/// <summary>Thrown by <see cref="GradientCheck.Assert(Models.Sequential{double}, ReadOnlySpan{double}, int, Losses.ILoss{double}, ReadOnlySpan{double}, GradientCheckOptions?)"/> and its overloads when a gradient is wrong.</summary>
/// <remarks>Thread safety: immutable once created; safe to read from any thread.</remarks>
public sealed class GradientCheckException : Exception
{
    /// <summary>Creates the exception for a failed check.</summary>
    /// <param name="result">The failed check.</param>
    public GradientCheckException(GradientCheckResult result) : base(result.ToString()) => Result = result;

    /// <summary>The failed check, naming the worst element.</summary>
    public GradientCheckResult Result { get; }
}
