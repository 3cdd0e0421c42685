using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using FastNN.Data;
using FastNN.Intrinsics;
using FastNN.IO;
using FastNN.Training;

namespace FastNN.Inference;

public sealed partial class Predictor<T>
{
    /// <summary>
    /// The label of each class, in class-index order: the labels <see cref="Info"/> records, or the indices themselves
    /// (<c>"0"</c>, <c>"1"</c>, …) when it records none. Two entries for binary classification (class 0, then class 1),
    /// one per output for classes; empty when <see cref="Info"/> does not record a classification task.
    /// </summary>
    public IReadOnlyList<string> ClassLabels { get; }

    /// <summary>
    /// Predicts from features in the units the training data had: the input standardization <see cref="Info"/> records
    /// is applied first, and a recorded target standardization is undone afterwards, so a regression value comes out in
    /// the target's own units (<c>y = ŷ·σ + μ</c>). Without either, the same as <see cref="Predict"/>. Allocates nothing.
    /// </summary>
    /// <remarks>Standardization as <see cref="Standardizer.Transform{T}(Span{T})"/> (in double, rounded to T): the result is
    /// bit for bit <see cref="Predict"/> on the standardized rows, then <c>T(double(ŷ)·σ + μ)</c>.</remarks>
    /// <param name="features">The rows, <c>[batch, InputSize]</c> row-major, unstandardized; not changed.</param>
    /// <param name="values">The predictions, <c>[batch, OutputSize]</c>, overwritten; must not overlap <paramref name="features"/>.</param>
    /// <param name="batch">Rows (0 does nothing).</param>
    /// <exception cref="InvalidOperationException"><see cref="Info"/> records a classification task: use <see cref="Classify(ReadOnlySpan{T}, Span{T}, Span{int}, int)"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="features"/> or <paramref name="values"/> does not hold exactly batch rows, or they overlap, or a feature is NaN or infinite or standardizes (by the recorded input standardization) beyond the range of <typeparamref name="T"/> (the message gives its row, column and name; nothing is written).</exception>
    public void PredictValues(ReadOnlySpan<T> features, Span<T> values, int batch)
    {
        if (ClassLabels.Count > 0)
            throw new InvalidOperationException($"The model is a {Info.Task} model: Classify gives its class probabilities and classes; PredictValues is for regression.");
        CheckRows(features, values, OutputSize, batch, nameof(features), nameof(values));
        CheckFeatures(features);
        if (batch == 0)
            return;
        T[] workspace = _pool.Rent();
        try
        {
            // Stepped by the rows taken (ChunkWalk): by ChunkRows, row wrapped negative past int.MaxValue − ChunkRows rows.
            for (var chunk = new ChunkWalk(batch, ChunkRows); chunk.MoveNext();)
            {
                int row = chunk.Start, rows = chunk.Length;
                Span<T> y = values.Slice(row * OutputSize, rows * OutputSize);
                Run(Standardized(features.Slice(row * InputSize, rows * InputSize), workspace), y, rows, workspace);
                if (Info.Target is { } target)
                {
                    double scale = target.Scales[0], mean = target.Means[0];
                    foreach (ref T v in y)
                        v = T.CreateTruncating(double.CreateTruncating(v) * scale + mean);
                }
            }
        }
        finally
        {
            _pool.Return(workspace);
        }
    }

    /// <summary>
    /// Classifies rows of features in the units the training data had (the recorded input standardization applied
    /// inside): each class's probability and the most probable class, whose label is <c>ClassLabels[class]</c>.
    /// Allocates nothing.
    /// </summary>
    /// <remarks>
    /// <para>Probabilities are computed in double from the model's outputs and rounded to T: for binary classification
    /// (one logit z) <c>(σ(−z), σ(z))</c> for classes 0 and 1 (each computed, so a small one keeps its digits); for classes, the softmax of the scores (shifted by
    /// their maximum). The class is the most probable, the first on a tie, as these rounded probabilities show it.
    /// A model whose last layer is already a softmax is read the same way, which gives the softmax of probabilities:
    /// train classifiers on logits, as <see cref="Trainer{T}"/> does. A NaN or infinite feature is refused, as a
    /// <see cref="Dataset{T}"/> refuses one; a score of +∞ (a finite product past the type's range) takes all the
    /// probability, shared by the classes scored so, as the softmax's limit does, and a row scored −∞ throughout shares it
    /// among all its classes, as equal scores do (class 0, the first on the tie); a row whose scores are NaN all the
    /// same (a model whose weights diverged) gets NaN probabilities and class 0.</para>
    /// </remarks>
    /// <param name="features">The rows, <c>[batch, InputSize]</c> row-major, unstandardized; not changed.</param>
    /// <param name="probabilities">The class probabilities, <c>[batch, ClassLabels.Count]</c>, overwritten; must not overlap <paramref name="features"/>.</param>
    /// <param name="classes">The most probable class of each row, <c>[batch]</c>, overwritten.</param>
    /// <param name="batch">Rows (0 does nothing).</param>
    /// <exception cref="InvalidOperationException"><see cref="Info"/> records no classification task.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    /// <exception cref="ArgumentException">A span does not hold exactly batch rows, or two of them overlap, or a feature is NaN or infinite or standardizes (by the recorded input standardization) beyond the range of <typeparamref name="T"/> (the message gives its row, column and name; nothing is written).</exception>
    public void Classify(ReadOnlySpan<T> features, Span<T> probabilities, Span<int> classes, int batch)
    {
        int count = ClassLabels.Count;
        if (count == 0)
            throw new InvalidOperationException($"The model records {(Info.Task is null ? "no task" : $"the {Info.Task} task")}: Classify needs BinaryClassification or MultiClassClassification (ModelInfo.Task); PredictValues gives its outputs.");
        CheckRows(features, probabilities, count, batch, nameof(features), nameof(probabilities));
        if (classes.Length != batch)
            throw new ArgumentException($"classes has {classes.Length} elements but a batch of {batch} needs {batch}.", nameof(classes));
        ReadOnlySpan<byte> classBytes = MemoryMarshal.AsBytes((ReadOnlySpan<int>)classes);
        if (classBytes.Overlaps(MemoryMarshal.AsBytes(features)) || classBytes.Overlaps(MemoryMarshal.AsBytes((ReadOnlySpan<T>)probabilities)))
            throw new ArgumentException("classes overlaps features or probabilities; they must not share memory.", nameof(classes));
        CheckFeatures(features);
        if (batch == 0)
            return;
        T[] workspace = _pool.Rent();
        try
        {
            // Stepped by the rows taken (ChunkWalk): by ChunkRows, row wrapped negative past int.MaxValue − ChunkRows rows.
            for (var chunk = new ChunkWalk(batch, ChunkRows); chunk.MoveNext();)
            {
                int row = chunk.Start, rows = chunk.Length;
                Span<T> scores = workspace.AsSpan(_pool.Length - _outputsLength, rows * OutputSize);
                Run(Standardized(features.Slice(row * InputSize, rows * InputSize), workspace), scores, rows, workspace);
                for (int r = 0; r < rows; r++)
                {
                    Span<T> p = probabilities.Slice((row + r) * count, count);
                    if (count == OutputSize)
                        Softmax(scores.Slice(r * count, count), p);
                    else
                        Logistic(scores[r], p);
                    classes[row + r] = MostProbable(p);
                }
            }
        }
        finally
        {
            _pool.Return(workspace);
        }
    }

    /// <summary>Classifies one row: fills <paramref name="probabilities"/> (<c>ClassLabels.Count</c> of them) and returns the most probable class. Allocates nothing.</summary>
    /// <param name="features">One row of <c>InputSize</c> features, unstandardized.</param>
    /// <param name="probabilities">Each class's probability, overwritten.</param>
    /// <returns>The most probable class (the first on a tie); its label is <c>ClassLabels[class]</c>.</returns>
    /// <exception cref="InvalidOperationException"><see cref="Info"/> records no classification task.</exception>
    /// <exception cref="ArgumentException">A span has the wrong length, or they overlap, or a feature is NaN or infinite or standardizes beyond the range of <typeparamref name="T"/> (the message gives its column and name).</exception>
    public int Classify(ReadOnlySpan<T> features, Span<T> probabilities)
    {
        Span<int> classes = stackalloc int[1];
        Classify(features, probabilities, classes, 1);
        return classes[0];
    }

    // Per feature, the least and greatest values the recorded input standardization takes (Standardizer.Bounds): one
    // vectorized pass over the rows then checks every feature finite and standardizable. Null without one.
    private readonly T[]? _lowest, _highest;

    private static (T[]? Lowest, T[]? Highest) FeatureBounds(Standardizer? input)
    {
        if (input is null)
            return (null, null);
        var lowest = new T[input.FeatureCount];
        var highest = new T[input.FeatureCount];
        for (int c = 0; c < lowest.Length; c++)
            (lowest[c], highest[c]) = input.Bounds<T>(c);
        return (lowest, highest);
    }

    /// <summary>
    /// Refuses a NaN or infinite feature, or a finite one that the recorded input standardization takes beyond the range
    /// of T (far outside the training data's spread: the model would see an infinity), naming its row and column (and
    /// the feature's name when <see cref="Info"/> records it): the training data held finite features only
    /// (<see cref="Dataset{T}"/>), so such a row has no prediction, and a NaN value or a NaN-probability row with class 0
    /// would pass for one.
    /// </summary>
    private void CheckFeatures(ReadOnlySpan<T> features)
    {
        int at = _lowest is null ? FirstNonFinite(features) : FirstOutside(features, _lowest, _highest!);
        if (at < 0)
            return;
        int column = at % InputSize;
        string name = Info.FeatureNames is { } names ? $" ('{names[column]}')" : "";
        T x = features[at];
        string problem = T.IsFinite(x)
            ? string.Create(CultureInfo.InvariantCulture, $", which standardizes to {Info.Input!.Standardize(x, column)} (μ = {Info.Input.Means[column]}, σ = {Info.Input.Scales[column]} as recorded), beyond the range of {HyperParameter.TypeName<T>()}; it lies far outside the values the training data held.")
            : "; every feature must be finite, as in the training data.";
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"features row {at / InputSize}, column {column}{name}, is {x} (counting from 0){problem}"),
            nameof(features));
    }

    /// <summary>The index of the first NaN or infinite value, or −1.</summary>
    private static int FirstNonFinite(ReadOnlySpan<T> features)
    {
        if (TensorPrimitives.IsFiniteAll(features))
            return -1;
        int at = 0;
        while (T.IsFinite(features[at]))
            at++;
        return at;
    }

    /// <summary>The index of the first value outside its feature's [lowest, highest] (NaN included), or −1.</summary>
    private int FirstOutside(ReadOnlySpan<T> features, T[] lowest, T[] highest)
    {
        for (int row = 0; row < features.Length; row += InputSize)
        {
            ReadOnlySpan<T> x = features.Slice(row, InputSize);
            int c = 0;
            // Whole vectors while every value is inside (a NaN compares false); the scalar loop finds the value otherwise.
            if (Vector.IsHardwareAccelerated)
            {
                for (; c <= x.Length - Vector<T>.Count; c += Vector<T>.Count)
                {
                    var v = new Vector<T>(x[c..]);
                    if (!Vector.GreaterThanOrEqualAll(v, new Vector<T>(lowest.AsSpan(c))) || !Vector.LessThanOrEqualAll(v, new Vector<T>(highest.AsSpan(c))))
                        break;
                }
            }
            for (; c < x.Length; c++)
            {
                if (!(x[c] >= lowest[c] && x[c] <= highest[c]))
                    return row + c;
            }
        }
        return -1;
    }

    /// <summary>
    /// The rows standardized as <see cref="Info"/> records (into the workspace's features part), or the rows themselves
    /// when it records no input standardization.
    /// </summary>
    private ReadOnlySpan<T> Standardized(ReadOnlySpan<T> features, T[] workspace)
    {
        if (Info.Input is not { } input)
            return features;
        Span<T> standardized = workspace.AsSpan(_pool.Length - _outputsLength - _featuresLength, features.Length);
        features.CopyTo(standardized);
        input.Transform(standardized);
        return standardized;
    }

    /// <summary>p = softmax(z), in double: exp(zᵢ − max z) / Σⱼ exp(zⱼ − max z).</summary>
    private static void Softmax(ReadOnlySpan<T> z, Span<T> p)
    {
        double max = double.NegativeInfinity, sum = 0;
        foreach (T v in z)
            max = Math.Max(max, double.CreateTruncating(v));
        if (double.IsInfinity(max))
        {
            // exp(∞ − ∞) is NaN: the softmax's limit instead, the classes scored +∞ sharing all the probability; a row
            // scored −∞ throughout is a tie of every class, shared as equal scores are.
            T top = T.CreateTruncating(max);
            T share = T.One / T.CreateTruncating(z.Count(top));
            for (int i = 0; i < z.Length; i++)
                p[i] = z[i] == top ? share : T.Zero;
            return;
        }
        foreach (T v in z)
            sum += Math.Exp(double.CreateTruncating(v) - max);
        for (int i = 0; i < z.Length; i++)
            p[i] = T.CreateTruncating(Math.Exp(double.CreateTruncating(z[i]) - max) / sum);
    }

    /// <summary>(σ(−z), σ(z)), σ(z) = 1 / (1 + exp(−z)), in double: each side computed, not 1 − σ(z), which cancels to 0 for a confident z.</summary>
    private static void Logistic(T z, Span<T> p)
    {
        double logit = double.CreateTruncating(z);
        p[0] = T.CreateTruncating(1 / (1 + Math.Exp(logit)));
        p[1] = T.CreateTruncating(1 / (1 + Math.Exp(-logit)));
    }

    /// <summary>The index of the largest probability, the first of equal ones.</summary>
    private static int MostProbable(ReadOnlySpan<T> p)
    {
        int best = 0;
        for (int i = 1; i < p.Length; i++)
        {
            if (p[i] > p[best])
                best = i;
        }
        return best;
    }

    /// <summary>The class labels of <paramref name="info"/>'s classification task (indices when it records none), or none.</summary>
    private static string[] Labels(ModelInfo info, int outputSize)
    {
        int count = info.Task switch
        {
            TaskKind.BinaryClassification => 2,
            TaskKind.MultiClassClassification => outputSize,
            _ => 0,
        };
        return info.ClassLabels is { } labels && count > 0
            ? [.. labels]
            : [.. Enumerable.Range(0, count).Select(i => i.ToString(CultureInfo.InvariantCulture))];
    }
}
