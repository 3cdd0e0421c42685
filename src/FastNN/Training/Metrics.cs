using System.Globalization;
using System.Numerics;
using FastNN.Data;

namespace FastNN.Training;

/// <summary>
/// Task metrics over a batch of predictions, accumulated in <see cref="double"/>. None allocates.
/// </summary>
/// <remarks>Thread safety: every method may be called from several threads at once.</remarks>
public static class Metrics
{
    /// <summary>
    /// Multi-class accuracy: the fraction of rows whose highest score (the first, on ties) is at the target class;
    /// NaN when a score is NaN (a diverged model has no argmax, so no accuracy, as its loss is NaN).
    /// </summary>
    /// <param name="scores">Row-major <c>[rows, classes]</c> logits or probabilities.</param>
    /// <param name="labels">Class index of each row, stored as <typeparamref name="T"/>.</param>
    /// <param name="rows">Number of rows (at least 1).</param>
    /// <param name="classes">Number of classes (at least 2).</param>
    /// <exception cref="ArgumentException">A span's length is not what the sizes require (<c>rows × classes</c> scores, <c>rows</c> labels), or a label is not a class index.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is less than 1 or <paramref name="classes"/> less than 2.</exception>
    public static double Accuracy<T>(ReadOnlySpan<T> scores, ReadOnlySpan<T> labels, int rows, int classes) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        CheckLength(scores.Length, (long)rows * classes, nameof(scores));
        CheckLength(labels.Length, rows, nameof(labels));
        int correct = 0;
        bool undefined = false;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> row = scores.Slice(r * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++)
            {
                if (row[c] > row[best])
                    best = c;
            }
            undefined |= HasNaN(row);
            int label = ClassLabels.ToIndex(labels[r], r, nameof(labels));
            if (label >= classes)
                throw new ArgumentException($"labels[{r}] = {label} is not a class index in [0, {classes}).", nameof(labels));
            if (best == label)
                correct++;
        }
        return undefined ? double.NaN : (double)correct / rows;
    }

    /// <summary>
    /// Binary accuracy from logits: a row is predicted positive when its logit is above 0 (probability above ½),
    /// and is correct when that matches its 0/1 label; NaN when a logit is NaN (a diverged model).
    /// </summary>
    /// <param name="logits">One logit per row.</param>
    /// <param name="labels">0 or 1 per row.</param>
    /// <exception cref="ArgumentException">The spans are empty or differ in length, or a label is neither 0 nor 1.</exception>
    public static double BinaryAccuracy<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> labels) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckPair(logits.Length, labels.Length);
        int correct = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            if (labels[i] != T.Zero && labels[i] != T.One)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"labels[{i}] = {labels[i]} is neither 0 nor 1."), nameof(labels));
            if ((logits[i] > T.Zero) == (labels[i] == T.One))
                correct++;
        }
        return HasNaN(logits) ? double.NaN : (double)correct / logits.Length;
    }

    /// <summary>Mean squared error <c>(1/n)·Σ (pᵢ − yᵢ)²</c>.</summary>
    /// <exception cref="ArgumentException">The spans are empty or differ in length.</exception>
    public static double MeanSquaredError<T>(ReadOnlySpan<T> predictions, ReadOnlySpan<T> targets) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckPair(predictions.Length, targets.Length);
        double sum = SumOfSquaredErrors(predictions, targets, out int exponent);
        return Math.ScaleB(sum / predictions.Length, 2 * exponent);
    }

    /// <summary>Root mean squared error <c>√((1/n)·Σ (pᵢ − yᵢ)²)</c>, in the units of the target.</summary>
    /// <exception cref="ArgumentException">The spans are empty or differ in length.</exception>
    public static double RootMeanSquaredError<T>(ReadOnlySpan<T> predictions, ReadOnlySpan<T> targets) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckPair(predictions.Length, targets.Length);
        double sum = SumOfSquaredErrors(predictions, targets, out int exponent);
        return Math.ScaleB(Math.Sqrt(sum / predictions.Length), exponent);
    }

    /// <summary>
    /// Coefficient of determination <c>R² = 1 − Σ (yᵢ − pᵢ)² / Σ (yᵢ − ȳ)²</c>: 1 for a perfect fit, 0 for
    /// predicting the mean, negative for worse. As scikit-learn's <c>r2_score</c>, constant targets give 1 when
    /// the fit is perfect and 0 otherwise, and a single row gives NaN (R² is undefined for it: a leave-one-out fold
    /// has no R² of its own). A NaN prediction (a diverged model) gives NaN.
    /// </summary>
    /// <exception cref="ArgumentException">The spans are empty or differ in length.</exception>
    public static double RSquared<T>(ReadOnlySpan<T> predictions, ReadOnlySpan<T> targets) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckPair(predictions.Length, targets.Length);
        if (targets.Length < 2)
            return double.NaN;
        // The targets scaled by the power of two that takes the largest into [1, 2): their sum and squares stay in range.
        // Taken from the first target, so that constant targets spread by exactly 0: their own mean may not round back
        // to them (0.1 three times sums to 0.30000000000000004), and the spread of 1e-33 left made an imperfect fit's R² −1.3e33.
        int exponent = MaxExponent(targets);
        double first = Math.ScaleB(double.CreateChecked(targets[0]), -exponent), mean = 0;
        foreach (T y in targets)
            mean += Math.ScaleB(double.CreateChecked(y), -exponent) - first;
        mean /= targets.Length;
        double total = 0;
        foreach (T y in targets)
        {
            double d = Math.ScaleB(double.CreateChecked(y), -exponent) - first - mean;
            total += d * d;
        }
        double residual = SumOfSquaredErrors(predictions, targets, out int residualExponent);
        if (total == 0)   // scikit-learn's rule; a NaN prediction (a diverged model) is no fit at all
            return double.IsNaN(residual) ? double.NaN : residual == 0 ? 1 : 0;
        return 1 - Math.ScaleB(residual / total, 2 * (residualExponent - exponent));
    }

    private static bool HasNaN<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (T v in values)
        {
            if (T.IsNaN(v))
                return true;
        }
        return false;
    }

    // Σ (pᵢ − yᵢ)² as the sum returned times 4^exponent: the squares of errors past 1e154 overflowed (R² ∞/∞ = NaN) and
    // those below 1e-154 underflowed (R² 1 from 0/0, RMSE 0). Each error is scaled by the power of two that takes the
    // largest error into [1, 2), so its square does neither; an error too small to survive that is below the sum's
    // rounding. (Scaling by the largest value instead lost a whole error beside a much larger value predicted exactly:
    // MSE 0 for 1e300, 1 against 1e300, 0.) Errors that stay normal when scaled give the same bits as unscaled (a power
    // of two scales exactly, and RMSE's square root commutes with an even one). Values from 2^1022 on are halved first,
    // so that their difference is finite. A NaN or ∞ error is carried as it would be unscaled.
    private static double SumOfSquaredErrors<T>(ReadOnlySpan<T> predictions, ReadOnlySpan<T> targets, out int exponent) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int halved = Math.Max(MaxExponent(predictions), MaxExponent(targets)) >= 1022 ? 1 : 0;
        double largest = 0;
        for (int i = 0; i < predictions.Length; i++)
            largest = Math.Max(largest, Math.Abs(Error(predictions[i], targets[i], halved)));
        int scale = double.IsFinite(largest) && largest > 0 ? Math.ILogB(largest) : 0;
        double sum = 0;
        for (int i = 0; i < predictions.Length; i++)
        {
            double d = Math.ScaleB(Error(predictions[i], targets[i], halved), -scale);
            sum += d * d;
        }
        exponent = scale + halved;
        return sum;
    }

    private static double Error<T>(T prediction, T target, int halved) where T : unmanaged, IFloatingPointIeee754<T> =>
        Math.ScaleB(double.CreateChecked(prediction), -halved) - Math.ScaleB(double.CreateChecked(target), -halved);

    // The exponent of the largest magnitude (ILogB), as Standardizer.Fit scales a column; 0 when a value is not finite.
    private static int MaxExponent<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double max = 0;
        foreach (T v in values)
            max = Math.Max(max, Math.Abs(double.CreateChecked(v)));
        return double.IsFinite(max) && max > 0 ? Math.ILogB(max) : 0;
    }

    private static void CheckPair(int predictions, int targets)
    {
        if (predictions == 0 || predictions != targets)
            throw new ArgumentException($"The predictions ({predictions} elements) and targets ({targets} elements) must be non-empty and of equal length.", "targets");
    }

    private static void CheckLength(int length, long required, string name)
    {
        if (length != required)   // a longer span is a wrong size (three classes' scores read as two), not spare room
            throw new ArgumentException($"{name} has {length} elements; the sizes require {required}.", name);
    }
}
