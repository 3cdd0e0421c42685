using System.Globalization;
using System.Numerics;
using FastNN.Models;

namespace FastNN.Gradients;

/// <summary>
/// Watches per-layer gradient norms, weight norms and update-to-weight ratios during training, and flags
/// vanishing and exploding gradients.
/// </summary>
/// <remarks>
/// <para>Call <see cref="BeforeStep"/> after the backward pass and before the optimizer step, and
/// <see cref="AfterStep"/> after the optimizer step. Give <see cref="BeforeStep"/> the loss's own gradient: before a
/// penalty adds its gradient (an L2 penalty's λ·w, far larger than a vanished loss gradient, makes such a layer read as
/// healthy) and before clipping (which hides an explosion); <c>Trainer</c> does so. Every <see cref="GradientMonitorOptions.Interval"/> steps
/// the monitor records, per layer (all tensors with the same <see cref="ParameterTensor.LayerIndex"/>),
/// ‖g‖₂ and ‖θ‖₂, keeps a copy of the parameters, and after the step records ‖Δθ‖₂ / ‖θ‖₂. Samples go into a
/// ring sized once at construction: recording allocates nothing. Norms are accumulated in <see cref="double"/>, and
/// rescaled where the squares of huge elements would overflow or those of tiny ones underflow, so a non-zero gradient never
/// reads as zero, and a finite one as infinite only where its norm itself is past double's range (about 1.8e308, which
/// double elements near their own maximum can reach), and is then flagged NonFinite.</para>
/// <para>Flags, at the newest sample, comparing each layer with the last (output-side) layer:
/// <see cref="GradientHealth.Vanishing"/> when ‖g‖/‖g_last‖ is below <see cref="GradientMonitorOptions.VanishingRatio"/>,
/// <see cref="GradientHealth.Exploding"/> when it is above <see cref="GradientMonitorOptions.ExplodingRatio"/> or when
/// ‖g‖ grew by more than <see cref="GradientMonitorOptions.GrowthFactor"/> over the last
/// <see cref="GradientMonitorOptions.GrowthWindow"/> samples, and <see cref="GradientHealth.NonFinite"/> (alone) when ‖g‖ is
/// NaN or infinite, or ‖g_last‖ is (then every layer is). A last layer whose gradient is exactly 0 gives no ratio
/// (<see cref="LayerGradientStats.RatioToLast"/> is NaN) and the two ratio rules flag nothing; growth is measured from a
/// non-zero start only; in a model with one layer that layer is its own reference, so only growth and NonFinite can flag it.
/// Layers are the model's layers that own parameters (a Residual or Concat block is one layer, a BatchNorm is one,
/// parameter-free layers have no row).</para>
/// <para>Thread safety: not thread-safe: it records the model's gradients step by step; one thread at a time, the one
/// that trains the model. Each report it returns is a new object, immutable as long as its arrays are not changed.</para>
/// </remarks>
/// <typeparam name="T">The element type of the model.</typeparam>
public sealed class GradientMonitor<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly GradientMonitorOptions _options;
    private readonly string[] _names;
    private readonly int[] _layerIndices;
    private readonly int[] _parameterCounts;
    // The tensors of layer l are _tensorOffsets/_tensorLengths[_firstTensor[l] .. _firstTensor[l + 1]).
    private readonly int[] _firstTensor;
    private readonly int[] _tensorOffsets;
    private readonly int[] _tensorLengths;
    private readonly int _parameterLength;
    private readonly T[] _snapshot;

    // Ring of samples: slot s holds _steps[s] and, for layer l, [s * layers + l] of the three norm arrays.
    private readonly long[] _steps;
    private readonly double[] _gradientNorms;
    private readonly double[] _weightNorms;
    private readonly double[] _updateRatios;
    private int _count;
    private int _newest = -1;
    private bool _updatePending;

    /// <summary>Creates a monitor for a model's parameter tensors.</summary>
    /// <param name="tensors">The model's tensor table (such as <c>Sequential&lt;T&gt;.ParameterTensors</c>).</param>
    /// <param name="options">Sampling and thresholds; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="tensors"/> is empty or holds a null tensor.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it), the samples of <see cref="GradientMonitorOptions.Capacity"/> do not fit in an array, or a tensor has a negative offset or length.</exception>
    public GradientMonitor(IReadOnlyList<ParameterTensor> tensors, GradientMonitorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0)
            throw new ArgumentException("The model has no parameter tensors to monitor.", nameof(tensors));
        _options = options ?? new GradientMonitorOptions();
        _options.Validate();
        foreach (ParameterTensor t in tensors)
        {
            if (t is null)
                throw new ArgumentException("A tensor of the table is null.", nameof(tensors));
            if (t.Offset < 0 || t.Length < 0 || (long)t.Offset + t.Length > Array.MaxLength)
                throw new ArgumentOutOfRangeException(nameof(tensors), $"Tensor '{t.Name}' has offset {t.Offset} and length {t.Length}; no parameter buffer holds it.");
        }

        var layers = tensors.GroupBy(t => t.LayerIndex).OrderBy(g => g.Key).ToArray();
        if ((long)_options.Capacity * layers.Length > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(options), $"Capacity {_options.Capacity} samples of {layers.Length} layers do not fit in an array; lower Capacity.");
        _names = layers.Select(g => LayerName(g.First())).ToArray();
        _layerIndices = layers.Select(g => g.Key).ToArray();
        _parameterCounts = layers.Select(g => g.Sum(t => t.Length)).ToArray();
        _firstTensor = new int[layers.Length + 1];
        var ordered = new List<ParameterTensor>(tensors.Count);
        for (int l = 0; l < layers.Length; l++)
        {
            _firstTensor[l] = ordered.Count;
            ordered.AddRange(layers[l]);
        }
        _firstTensor[^1] = ordered.Count;
        _tensorOffsets = ordered.Select(t => t.Offset).ToArray();
        _tensorLengths = ordered.Select(t => t.Length).ToArray();
        _parameterLength = tensors.Max(t => t.Offset + t.Length);
        _snapshot = new T[_parameterLength];

        _steps = new long[_options.Capacity];
        _gradientNorms = new double[_options.Capacity * layers.Length];
        _weightNorms = new double[_gradientNorms.Length];
        _updateRatios = new double[_gradientNorms.Length];
    }

    /// <summary>The options in force.</summary>
    public GradientMonitorOptions Options => _options;

    /// <summary>The shortest parameter buffer the tensor table fits in (the end of its last tensor).</summary>
    internal int RequiredLength => _parameterLength;

    /// <summary>Number of layers that own parameters (the rows of the report).</summary>
    public int LayerCount => _names.Length;

    /// <summary>Number of samples currently kept (at most <see cref="GradientMonitorOptions.Capacity"/>).</summary>
    public int SampleCount => _count;

    /// <summary>Whether <paramref name="step"/> is a sampling step.</summary>
    public bool IsSampleStep(long step) => step % _options.Interval == 0;

    /// <summary>
    /// Records gradient and weight norms if <paramref name="step"/> is a sampling step, and remembers the
    /// parameters for <see cref="AfterStep"/>. Call after backward, before the optimizer step. Allocates nothing.
    /// </summary>
    /// <param name="step">The 0-based optimizer step about to be taken.</param>
    /// <param name="parameters">The model's flat parameter buffer.</param>
    /// <param name="gradients">The model's flat gradient buffer (same layout).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    /// <exception cref="ArgumentException">A buffer is shorter than the tensor table requires.</exception>
    public void BeforeStep(long step, ReadOnlySpan<T> parameters, ReadOnlySpan<T> gradients)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        CheckLength(parameters.Length, nameof(parameters));
        CheckLength(gradients.Length, nameof(gradients));
        _updatePending = false;
        if (!IsSampleStep(step))
            return;

        _newest = (_newest + 1) % _options.Capacity;
        _count = Math.Min(_count + 1, _options.Capacity);
        _steps[_newest] = step;
        int row = _newest * LayerCount;
        for (int l = 0; l < LayerCount; l++)
        {
            _gradientNorms[row + l] = LayerNorm(l, gradients, default);
            _weightNorms[row + l] = LayerNorm(l, parameters, default);
            _updateRatios[row + l] = double.NaN;
        }
        parameters[.._parameterLength].CopyTo(_snapshot);
        _updatePending = true;
    }

    /// <summary>
    /// Records ‖Δθ‖₂ / ‖θ‖₂ per layer if the preceding <see cref="BeforeStep"/> sampled. Call after the optimizer
    /// step. Allocates nothing.
    /// </summary>
    /// <param name="parameters">The model's flat parameter buffer after the step.</param>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> is shorter than the tensor table requires.</exception>
    public void AfterStep(ReadOnlySpan<T> parameters)
    {
        CheckLength(parameters.Length, nameof(parameters));
        if (!_updatePending)
            return;
        _updatePending = false;
        int row = _newest * LayerCount;
        for (int l = 0; l < LayerCount; l++)
            _updateRatios[row + l] = LayerNorm(l, parameters, _snapshot) / _weightNorms[row + l];
    }

    /// <summary>The per-layer report of the newest sample, with the kept history (allocates; not for the hot path).</summary>
    /// <exception cref="InvalidOperationException">No sample has been recorded yet.</exception>
    public GradientReport Report()
    {
        if (_count == 0)
            throw new InvalidOperationException("No gradients sampled yet: call BeforeStep at a sampling step first.");

        int oldest = (_newest - _count + 1 + _options.Capacity) % _options.Capacity;
        long[] steps = new long[_count];
        for (int i = 0; i < _count; i++)
            steps[i] = _steps[(oldest + i) % _options.Capacity];

        int newestRow = _newest * LayerCount;
        double last = _gradientNorms[newestRow + LayerCount - 1];
        var rows = new LayerGradientStats[LayerCount];
        for (int l = 0; l < LayerCount; l++)
        {
            double[] gradientHistory = History(_gradientNorms, l, oldest);
            double norm = gradientHistory[^1];
            double ratio = RatioToLast(norm, last);
            rows[l] = new LayerGradientStats(
                _names[l], _layerIndices[l], _parameterCounts[l], norm, _weightNorms[newestRow + l], _updateRatios[newestRow + l],
                ratio, Classify(norm, last, gradientHistory, _options), gradientHistory, History(_updateRatios, l, oldest));
        }
        return new GradientReport(_steps[_newest], steps, rows);
    }

    /// <summary>
    /// The flags of a layer whose gradient norm is <paramref name="norm"/> (the newest of its <paramref name="history"/>)
    /// beside the last layer's <paramref name="last"/>: the rule of the class remarks, also for <c>fastnn gradflow</c>'s
    /// first step. A last layer whose norm is 0 gives no ratio, so neither Vanishing nor Exploding by ratio.
    /// </summary>
    internal static GradientHealth Classify(double norm, double last, ReadOnlySpan<double> history, GradientMonitorOptions options)
    {
        var health = GradientHealth.Healthy;
        if (!double.IsFinite(norm) || !double.IsFinite(last))
            return GradientHealth.NonFinite;
        double ratio = RatioToLast(norm, last);
        if (ratio < options.VanishingRatio)
            health |= GradientHealth.Vanishing;
        if (ratio > options.ExplodingRatio)
            health |= GradientHealth.Exploding;
        double windowStart = history[Math.Max(0, history.Length - options.GrowthWindow)];
        if (windowStart > 0 && norm > options.GrowthFactor * windowStart)
            health |= GradientHealth.Exploding;
        return health;
    }

    // ‖g‖ / ‖g_last‖, or NaN where the last layer's norm gives no ratio (0, or not finite).
    private static double RatioToLast(double norm, double last) => last > 0 && double.IsFinite(last) ? norm / last : double.NaN;

    private double[] History(double[] values, int layer, int oldest)
    {
        var history = new double[_count];
        for (int i = 0; i < _count; i++)
            history[i] = values[(oldest + i) % _options.Capacity * LayerCount + layer];
        return history;
    }

    // ‖x − reference‖₂ over layer l's tensors; an empty reference means zero. Where the plain sum of squares can be wrong
    // (overflowed: elements past 1e154 in double, finite; or so small that squares under 1e-154 underflowed, as a
    // vanishing double gradient's), it is redone with every element scaled by the power of two that takes the largest
    // magnitude into [1, 2), exactly (as BLAS's nrm2 scales, without its rounding).
    private double LayerNorm(int layer, ReadOnlySpan<T> values, ReadOnlySpan<T> reference)
    {
        double sum = LayerSumOfSquares(layer, values, reference, 0);
        if (sum >= 1e-250 && double.IsFinite(sum))
            return Math.Sqrt(sum);
        double max = 0;
        for (int t = _firstTensor[layer]; t < _firstTensor[layer + 1]; t++)
        {
            for (int i = _tensorOffsets[t]; i < _tensorOffsets[t] + _tensorLengths[t]; i++)
                max = Math.Max(max, Math.Abs(Difference(values, reference, i)));   // NaN stays NaN
        }
        if (max == 0 || !double.IsFinite(max))
            return max;
        int exponent = Math.ILogB(max);
        return Math.ScaleB(Math.Sqrt(LayerSumOfSquares(layer, values, reference, -exponent)), exponent);
    }

    // Σ ((x − reference)·2^scaleExponent)² over layer l's tensors.
    private double LayerSumOfSquares(int layer, ReadOnlySpan<T> values, ReadOnlySpan<T> reference, int scaleExponent)
    {
        double sum = 0;
        for (int t = _firstTensor[layer]; t < _firstTensor[layer + 1]; t++)
        {
            for (int i = _tensorOffsets[t]; i < _tensorOffsets[t] + _tensorLengths[t]; i++)
            {
                double d = Difference(values, reference, i);
                if (scaleExponent != 0)
                    d = Math.ScaleB(d, scaleExponent);
                sum += d * d;
            }
        }
        return sum;
    }

    private static double Difference(ReadOnlySpan<T> values, ReadOnlySpan<T> reference, int i) =>
        reference.IsEmpty ? double.CreateTruncating(values[i]) : double.CreateTruncating(values[i]) - double.CreateTruncating(reference[i]);

    private void CheckLength(int length, string name)
    {
        if (length < _parameterLength)
            throw new ArgumentException($"{name} has {length} elements; the tensor table needs {_parameterLength}.", name);
    }

    // The layer's state-dict prefix: its index in a Sequential's names (1 for 1.weight, and for 1.body.0.weight: a
    // Residual's tensors are one layer); in a table named otherwise, the first tensor's module (encoder.0 for encoder.0.weight).
    private static string LayerName(ParameterTensor tensor)
    {
        string index = tensor.LayerIndex.ToString(CultureInfo.InvariantCulture);
        if (tensor.Name.StartsWith(index + ".", StringComparison.Ordinal))
            return index;
        int dot = tensor.Name.LastIndexOf('.');
        return dot > 0 ? tensor.Name[..dot] : tensor.Name;
    }
}
