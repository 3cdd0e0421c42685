using System.Globalization;

namespace FastNN.Gradients;

/// <summary>The outcome of a <see cref="GradientCheck"/>: whether every element passed, and the worst one.</summary>
/// <remarks>Thread safety: immutable (init-only); safe to share between threads.</remarks>
/// <param name="Passed">Whether every checked element satisfied <c>|analytic − numeric| ≤ atol + rtol·|numeric|</c> with a finite error, or had analytic = numeric (the same infinity), as torch.allclose.</param>
/// <param name="CheckedElements">How many gradient elements were compared (each parameter element once, though from two backward passes: with dx and with an empty dx).</param>
/// <param name="WorstTensor">The tensor holding the worst element: <c>input</c>, <c>prediction</c> or a parameter's state-dict name such as <c>0.weight</c>;
/// followed by <c> (empty dx)</c> when the element was right in the backward pass computing the input gradient and wrong in the one given an empty dx.</param>
/// <param name="WorstIndex">Its index in that tensor, such as <c>[2, 5]</c>.</param>
/// <param name="Analytic">The analytic gradient there.</param>
/// <param name="Numeric">The central finite difference there.</param>
/// <param name="Error">|analytic − numeric| there.</param>
/// <param name="Tolerance">atol + rtol·|numeric| there; the element is worst by Error / Tolerance.</param>
public sealed record GradientCheckResult(bool Passed, int CheckedElements, string WorstTensor, string WorstIndex,
    double Analytic, double Numeric, double Error, double Tolerance)
{
    /// <summary>How many elements failed (0 when <see cref="Passed"/>).</summary>
    public int FailedElements { get; init; }

    /// <summary>The tensors with failed elements and how many failed in each, in checking order (input first), named as <see cref="WorstTensor"/>.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> FailedByTensor { get; init; } = [];

    /// <summary>One line naming the outcome, the failed elements per tensor and the worst element.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"Gradient check {(Passed ? "passed" : "FAILED")} over {CheckedElements} elements{Failures()}; worst: {WorstTensor}{WorstIndex} analytic {Analytic:R} numeric {Numeric:R} error {Error:E3} (tolerance {Tolerance:E3}).");

    private string Failures() => FailedElements == 0 ? "" : string.Create(CultureInfo.InvariantCulture,
        $" ({FailedElements} failed: {string.Join(", ", FailedByTensor.Select(f => $"{f.Key} {f.Value}"))})");
}
