using System.Globalization;

namespace FastNN.Gradients;

/// <summary>The outcome of a <see cref="GradientCheck"/>: whether every element passed, and the worst one.</summary>
/// <remarks>Thread safety: immutable (init-only); safe to share between threads.</remarks>
/// <param name="Passed">Whether every checked element satisfied <c>|analytic − numeric| ≤ atol + rtol·|numeric|</c>.</param>
/// <param name="CheckedElements">How many gradient elements were compared.</param>
/// <param name="WorstTensor">The tensor holding the worst element: <c>input</c>, <c>prediction</c> or a parameter's state-dict name such as <c>0.weight</c>.</param>
/// <param name="WorstIndex">Its index in that tensor, such as <c>[2, 5]</c>.</param>
/// <param name="Analytic">The analytic gradient there.</param>
/// <param name="Numeric">The central finite difference there.</param>
/// <param name="Error">|analytic − numeric| there.</param>
/// <param name="Tolerance">atol + rtol·|numeric| there; the element is worst by Error / Tolerance.</param>
public sealed record GradientCheckResult(bool Passed, int CheckedElements, string WorstTensor, string WorstIndex,
    double Analytic, double Numeric, double Error, double Tolerance)
{
    /// <summary>One line naming the outcome and the worst element.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"Gradient check {(Passed ? "passed" : "FAILED")} over {CheckedElements} elements; worst: {WorstTensor}{WorstIndex} analytic {Analytic:R} numeric {Numeric:R} error {Error:E3} (tolerance {Tolerance:E3}).");
}
