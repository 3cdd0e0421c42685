using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using FastNN.Intrinsics;

namespace FastNN.Losses;

/// <summary>Softmax cross-entropy on integer class labels, fused and stable, as PyTorch's <c>nn.CrossEntropyLoss()</c> on logits.</summary>
/// <remarks><para>For each row of logits x with label k, with m = max(x):</para><code>
/// ℓ = m + log Σⱼ e^(xⱼ − m) − x_k      L = Σ ℓ / batch      ∂L/∂xⱼ = (softmax(x)ⱼ − [j = k]) / batch
/// </code><para>The gradient is taken as the row's softmax(x) − one-hot, then times 1/batch, so a row's gradient in a
/// batch is its gradient alone times 1/batch, bit for bit (<see cref="ILoss{T}"/>).</para><para>Where the largest
/// probability p is at least ½, −log p is taken as −log(1 − q) from the sum q of the other probabilities, and the
/// label's gradient, when the label is that class, as −q: a dominant logit's small loss (20 against 999 zeros: 2.06e-6)
/// keeps its digits in float on every instruction-set path, where 1 − p carried p's rounding near 1 (3 %).</para><para>The target holds one class index per row, stored as a whole number in <typeparamref name="T"/>
/// (0, 1, …, classes − 1).</para>
/// <para>Thread safety: immutable; any number of threads may use one instance at once, each call with its own
/// spans.</para></remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class SoftmaxCrossEntropyLoss<T> : ILoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A span's length does not match the shapes, the gradient overlaps the target or part of the prediction, or a label is not a whole number in [0, classes).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is below 1.</exception>
    public T Compute(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> gradient, int batch)
    {
        int classes = LossArguments.Check(prediction, target, gradient, batch, targetPerRow: true);
        CheckLabels(target, classes);
        // ℓ = m + log Σ e^(x − m) − x_k = (m − x_k) − log p_m, p_m = e^0 / Σ the largest probability: the softmax comes from
        // FastNN's row kernel, whose bits are fixed (TensorPrimitives.Exp's last bits, in double, changed as the JIT
        // recompiled the code around it, so that a seeded run differed from the same run made later in the process).
        double sum = 0;
        for (int r = 0; r < batch; r++)   // m − x_k, read before the gradient may overwrite the logits (in place)
            sum += double.CreateTruncating(TensorPrimitives.Max(prediction.Slice(r * classes, classes))) - double.CreateTruncating(prediction[r * classes + Label(target, r)]);
        Activations.Softmax(prediction, gradient, batch, classes);
        T inverseBatch = T.One / T.CreateTruncating(batch);
        for (int r = 0; r < batch; r++)
        {
            Span<T> g = gradient.Slice(r * classes, classes);
            // −log p_m; where p_m ≥ ½ as −log(1 − q) from the others' sum q instead: near 1, p_m carries half an ulp of 1
            // (3 % of a loss of 2e-6 in float), or is 1 where the sum of the exponentials rounded the small terms away,
            // while q keeps them. The label's gradient is then −q likewise.
            T largest = TensorPrimitives.Max<T>(g);
            double p = double.CreateTruncating(largest), q = 0;
            int top = -1;
            if (p >= 0.5)
            {
                top = IndexOf(g, largest);
                q = double.CreateTruncating(Reductions.Sum<T>(g[..top])) + double.CreateTruncating(Reductions.Sum<T>(g[(top + 1)..]));
                sum -= VectorMath.LogOnePlus(-q);
            }
            else
                sum -= Math.Log(p);
            // The row's own gradient (softmax − one-hot), then the mean's 1/batch: a row's bits are its bits alone
            // times 1/batch, rounded once, whatever the batch (subtracting 1/batch after scaling was not). The label's
            // element is read before the vector pass and written after it: a scalar store that a vector load then reads
            // stalls store forwarding (measured 3-4 % at 10 classes).
            int label = Label(target, r);
            // 0 − q, not −q: +0 where q is 0, as 1 − p (and PyTorch's softmax − one-hot).
            T own = label == top ? T.CreateTruncating(0 - q) : g[label] - T.One;   // top is −1 where p < ½
            TensorPrimitives.Multiply(g, inverseBatch, g);
            g[label] = own * inverseBatch;
        }
        return T.CreateTruncating(sum / batch);
    }

    // The first index of a value that is in the span, by its bits: a vectorized search (TensorPrimitives.IndexOfMax in
    // place of Max measured 0.65x on the whole loss at 1,024 classes; float's own IndexOf compares element by element).
    private static int IndexOf(ReadOnlySpan<T> values, T value) => typeof(T) == typeof(float)
        ? MemoryMarshal.Cast<T, int>(values).IndexOf(BitConverter.SingleToInt32Bits(float.CreateTruncating(value)))
        : MemoryMarshal.Cast<T, long>(values).IndexOf(BitConverter.DoubleToInt64Bits(double.CreateTruncating(value)));

    /// <summary>Each label is a whole number in [0, <paramref name="classes"/>).</summary>
    /// <exception cref="ArgumentException">A label is not; named <c>target</c>.</exception>
    internal static void CheckLabels(ReadOnlySpan<T> target, int classes)
    {
        for (int r = 0; r < target.Length; r++)
        {
            T label = target[r];
            if (!IsClassIndex(label, classes))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"target[{r}] = {label} is not a class index in [0, {classes})."), nameof(target));
        }
    }

    /// <summary>Whether <paramref name="label"/> is a whole number in [0, <paramref name="classes"/>).</summary>
    /// <remarks>Compared in double, which holds every int and every float exactly: the class count rounded to float
    /// (2²⁴ + 1 to 2²⁴) refused the top class.</remarks>
    internal static bool IsClassIndex(T label, int classes) =>
        T.IsInteger(label) && label >= T.Zero && double.CreateTruncating(label) < classes;

    private static int Label(ReadOnlySpan<T> target, int r) => int.CreateTruncating(target[r]);
}
