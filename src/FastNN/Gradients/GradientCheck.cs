using System.Globalization;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;

namespace FastNN.Gradients;

/// <summary>
/// Compares analytic gradients (the backward passes) with central finite differences in double precision, for any
/// model, any layer (built-in or your own <see cref="ILayer{T}"/>) and any loss, as <c>torch.autograd.gradcheck</c>.
/// </summary>
/// <remarks>
/// <para>The checked function is <c>L = loss(model(x), target)</c>; every input element and every parameter is perturbed by
/// ±h. Each evaluation restores the model's random generator and state first, so dropout sees one fixed mask and
/// running statistics do not drift; the model's gradients, state and generator are restored at the end.</para>
/// <para>The parameter gradients start at 1 before the checked backward pass and 1 is subtracted after, so a layer that
/// overwrites them instead of accumulating fails, with analytic values 1 below the numeric ones.</para>
/// <para>Before the checked forward and backward passes, a forward and backward pass on the rows rotated by one (a batch
/// of 2 or more) makes a backward pass that reads an earlier forward pass's cache fail. The model's workspace (every
/// layer's output and scratch, and the gradients between layers) and its input gradient start the checked passes at NaN:
/// a forward pass that leaves an element of y unwritten (where it is 0, say) makes the loss NaN and every element fail; a
/// backward pass that leaves an element of dx unwritten, or adds to the dx it must overwrite, fails there with an
/// analytic NaN.</para>
/// <para>The parameter gradients are checked from two backward passes: one computing the input gradient, and one with
/// <see cref="Sequential{T}.ComputeInputGradient"/> off, as a trainer runs it, where the first layer is given an empty dx
/// and must still accumulate its parameter gradients. An element right in the first pass and wrong in the second is
/// reported under its tensor's name followed by <c> (empty dx)</c>, such as <c>0.weight (empty dx)[2]</c>; a layer that
/// writes into an empty dx throws, as it would in training.</para>
/// <para>A stochastic layer of your own must draw from <see cref="LayerContext.Random"/> (<c>buffers.Context.Random</c>), as
/// <see cref="Dropout{T}"/> does: that generator is restored before each evaluation; one of the layer's own would draw
/// anew at each and make the differences noise.</para>
/// <para>In a unit test: <c>GradientCheck.Assert(new MyLayer&lt;double&gt;(4), input, batch: 2, new MseLoss&lt;double&gt;(), target);</c>
/// The check runs in double, where a step of 1e-6 leaves the difference quotient accurate to about 1e-10: write your layer
/// generic over T, as the built-in ones are, and check it as an <c>ILayer&lt;double&gt;</c> (the checker takes double only: in float, rounding alone
/// would exceed the tolerances). Give it at least 2 distinct rows: with one, a gradient that forgets to sum over the rows (a
/// bias gradient taken from the first row only) is right by chance, and a backward pass that reads an earlier forward
/// pass's cache reads the same row. Keep the sample points away from kinks (|x| or ReLU at 0), where the central difference sees
/// neither side's derivative.</para>
/// <para>Cost: two forward passes of the model per checked element (each input and parameter element), so check a layer
/// of a few features on a few rows. A numeric NaN (every element failing) means the loss was NaN at the perturbed points:
/// the model's output, or the loss, is not finite there, or a layer left an element of its output unwritten; or, for
/// one element, that the step vanished against its value (see <see cref="GradientCheckOptions.Epsilon"/>).</para>
/// <para>Thread safety: every method may be called from several threads at once, provided they do not share a model,
/// trainer, optimizer or buffer that a call changes. A layer under check must not be used by another thread
/// meanwhile.</para>
/// </remarks>
public static class GradientCheck
{
    /// <summary>Checks every input and parameter gradient of <paramref name="model"/> at its current parameters and mode.</summary>
    /// <param name="model">The model; its parameters, gradients, state, generator and mode left as they were found, also when a
    /// layer or the loss throws. Its last forward pass is the check's: a Backward must follow a new Forward.</param>
    /// <param name="input">x, <c>[batch, InputSize]</c>.</param>
    /// <param name="batch">Rows, from 1 to the model's MaxBatch.</param>
    /// <param name="loss">The loss the gradients flow from.</param>
    /// <param name="target">The loss's target.</param>
    /// <param name="options">Step and tolerances (default: <see cref="GradientCheckOptions.Default"/>).</param>
    /// <returns>Whether all passed, and the worst element.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is out of range, or the options' step is not positive and finite or a tolerance is negative or NaN.</exception>
    /// <exception cref="ArgumentException">The input or target does not fit the model's and loss's shapes, an element of the input is not finite, or a layer threw one, the message naming it (a layer of your own that writes into the empty dx of the backward pass a trainer runs is told to skip it).</exception>
    public static GradientCheckResult Check(Sequential<double> model, ReadOnlySpan<double> input, int batch, ILoss<double> loss, ReadOnlySpan<double> target, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        if (batch < 1 || batch > model.MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"Batch must be in [1, {model.MaxBatch}] (the model's MaxBatch).");
        options = Checked(options);
        double[] x = input.ToArray();
        RequireFinite(x, model.InputSize, nameof(input));
        double[] t = target.ToArray();
        double[] outputGradient = new double[batch * model.OutputSize];
        double[] savedParameters = model.Parameters.ToArray();
        double[] savedState = model.State.ToArray();
        double[] savedGradients = model.Gradients.ToArray();
        var savedRandom = model.Random.State;
        bool savedComputeInputGradient = model.ComputeInputGradient;

        double Evaluate()
        {
            model.Random.Restore(savedRandom);
            savedState.CopyTo(model.State);
            return loss.Compute(model.Forward(x, batch), t, outputGradient, batch);
        }

        try
        {
            model.ComputeInputGradient = true;
            // A forward and backward pass on other rows first (the rows rotated by one, each still a valid input), so a
            // Backward that reads what an earlier Forward cached is reported.
            model.Random.Restore(savedRandom);
            savedState.CopyTo(model.State);
            loss.Compute(model.Forward(RotatedRows(x, batch), batch), t, outputGradient, batch);
            model.Backward(outputGradient, batch);
            // Forward and Backward must OVERWRITE every element of y and dx: start the workspace and the input gradient at
            // NaN, so a layer that leaves an element unwritten (where it is 0, say; the loss is then NaN), or adds to its
            // dx (the input gradient is then NaN there), fails, not passed by a 0 left from the buffer's allocation.
            model.FillWorkspaceWithNaN();
            Evaluate();
            double[] analyticParameters = CheckedBackward(model, outputGradient, batch);
            double[] analyticInput = model.InputGradient(batch).ToArray();
            // The backward pass a trainer runs, without the input gradient: the first layer gets an empty dx and must still
            // accumulate its parameter gradients (a layer that returns early then never learns as a model's first layer).
            model.ComputeInputGradient = false;
            Evaluate();
            double[] analyticParametersEmptyDx = CheckedBackward(model, outputGradient, batch);

            var worst = new Worst(options);
            worst.Compare("input", [batch, model.InputSize], analyticInput, x, Evaluate);
            double[] parameters = new double[model.Parameters.Length];
            foreach (ParameterTensor p in model.ParameterTensors)
            {
                // Perturb a copy and write it back, since a lambda cannot capture the model's span.
                model.Parameters.CopyTo(parameters);
                worst.Compare(p.Name, p.Shape, analyticParameters.AsSpan(p.Offset, p.Length), parameters.AsSpan(p.Offset, p.Length),
                    () => { parameters.CopyTo(model.Parameters); return Evaluate(); }, analyticParametersEmptyDx.AsSpan(p.Offset, p.Length));
                parameters.CopyTo(model.Parameters);
            }
            return worst.Result();
        }
        finally
        {
            // Also when a perturbed evaluation threw (a layer refusing a perturbed value), where a parameter was off by h.
            savedParameters.CopyTo(model.Parameters);
            savedState.CopyTo(model.State);
            savedGradients.CopyTo(model.Gradients);
            model.Random.Restore(savedRandom);
            model.ComputeInputGradient = savedComputeInputGradient;
            // The activations are the check's last evaluation's (its input, a parameter off by h): a Backward on them would
            // give the gradients of no model the caller ran.
            model.ForgetForward();
        }
    }

    /// <summary>Checks one layer inside a model of its own, with parameters from the layer's <see cref="ILayer{T}.Initialize"/> seeded by <see cref="GradientCheckOptions.Seed"/>.</summary>
    /// <param name="layer">The layer to check.</param>
    /// <param name="input">x, <c>[batch, InputSize]</c>.</param>
    /// <param name="batch">Rows (at least 1).</param>
    /// <param name="loss">The loss the gradients flow from.</param>
    /// <param name="target">The loss's target.</param>
    /// <param name="options">Step, tolerances, mode and seed (default: <see cref="GradientCheckOptions.Default"/>).</param>
    /// <returns>Whether all passed, and the worst element (parameters named <c>0.weight</c>, …).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is out of range, or the options' step is not positive and finite or a tolerance is negative or NaN.</exception>
    /// <exception cref="ArgumentException">The input or target does not fit the model's and loss's shapes, an element of the input is not finite, or a layer threw one, the message naming it (a layer of your own that writes into the empty dx of the backward pass a trainer runs is told to skip it).</exception>
    public static GradientCheckResult Check(ILayer<double> layer, ReadOnlySpan<double> input, int batch, ILoss<double> loss, ReadOnlySpan<double> target, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        options = Checked(options);
        var model = new Sequential<double>([layer], batch, options.Seed) { Training = options.Training };
        return Check(model, input, batch, loss, target, options);
    }

    /// <summary>Checks a loss's gradient with respect to its prediction.</summary>
    /// <remarks>The gradient span is filled with NaN before the checked call, so a loss that adds to it instead of
    /// overwriting it (as <see cref="ILoss{T}.Compute"/> requires), or leaves an element unwritten, fails with an analytic NaN.</remarks>
    /// <param name="loss">The loss.</param>
    /// <param name="prediction">The prediction, <c>[batch, features]</c>.</param>
    /// <param name="target">The target.</param>
    /// <param name="batch">Rows (at least 1).</param>
    /// <param name="options">Step and tolerances (default: <see cref="GradientCheckOptions.Default"/>).</param>
    /// <returns>Whether all passed, and the worst element (tensor <c>prediction</c>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is less than 1, or the options' step is not positive and finite, or a tolerance is negative or NaN.</exception>
    /// <exception cref="ArgumentException">The prediction is not <paramref name="batch"/> rows of equal length, an element of it is not finite, or the spans do not fit the loss's shapes.</exception>
    public static GradientCheckResult CheckLoss(ILoss<double> loss, ReadOnlySpan<double> prediction, ReadOnlySpan<double> target, int batch, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (prediction.Length % batch != 0)
            throw new ArgumentException($"prediction has {prediction.Length} values, not {batch} rows of equal length.", nameof(prediction));
        options = Checked(options);
        double[] p = prediction.ToArray();
        RequireFinite(p, p.Length / batch, nameof(prediction));
        double[] t = target.ToArray();
        // NaN, not 0: ILoss overwrites its gradient, and the trainer hands it the same buffer at every step, so a loss
        // that adds to it, or leaves an element unwritten, must fail here (analytic NaN), not pass by starting from 0.
        double[] gradient = new double[p.Length];
        gradient.AsSpan().Fill(double.NaN);
        loss.Compute(p, t, gradient, batch);
        double[] analytic = (double[])gradient.Clone();
        var worst = new Worst(options);
        worst.Compare("prediction", [batch, p.Length / batch], analytic, p, () => loss.Compute(p, t, gradient, batch));
        return worst.Result();
    }

    /// <summary>As <see cref="Check(Sequential{double}, ReadOnlySpan{double}, int, ILoss{double}, ReadOnlySpan{double}, GradientCheckOptions?)"/>, throwing when a gradient is wrong: one line in a unit test.</summary>
    /// <inheritdoc cref="Check(Sequential{double}, ReadOnlySpan{double}, int, ILoss{double}, ReadOnlySpan{double}, GradientCheckOptions?)"/>
    /// <exception cref="GradientCheckException">An element failed; the message names the worst one.</exception>
    public static void Assert(Sequential<double> model, ReadOnlySpan<double> input, int batch, ILoss<double> loss, ReadOnlySpan<double> target, GradientCheckOptions? options = null) =>
        ThrowIfFailed(Check(model, input, batch, loss, target, options));

    /// <summary>As <see cref="Check(ILayer{double}, ReadOnlySpan{double}, int, ILoss{double}, ReadOnlySpan{double}, GradientCheckOptions?)"/>, throwing when a gradient is wrong: one line in a unit test.</summary>
    /// <inheritdoc cref="Check(ILayer{double}, ReadOnlySpan{double}, int, ILoss{double}, ReadOnlySpan{double}, GradientCheckOptions?)"/>
    /// <exception cref="GradientCheckException">An element failed; the message names the worst one.</exception>
    public static void Assert(ILayer<double> layer, ReadOnlySpan<double> input, int batch, ILoss<double> loss, ReadOnlySpan<double> target, GradientCheckOptions? options = null) =>
        ThrowIfFailed(Check(layer, input, batch, loss, target, options));

    /// <summary>As <see cref="CheckLoss"/>, throwing when the gradient is wrong.</summary>
    /// <inheritdoc cref="CheckLoss"/>
    /// <exception cref="GradientCheckException">An element failed; the message names the worst one.</exception>
    public static void AssertLoss(ILoss<double> loss, ReadOnlySpan<double> prediction, ReadOnlySpan<double> target, int batch, GradientCheckOptions? options = null) =>
        ThrowIfFailed(CheckLoss(loss, prediction, target, batch, options));

    /// <summary>The options, or the defaults; a step or tolerance under which no comparison means anything is rejected.</summary>
    private static GradientCheckOptions Checked(GradientCheckOptions? options)
    {
        options ??= GradientCheckOptions.Default;
        if (!(options.Epsilon > 0) || !double.IsFinite(options.Epsilon))
            throw new ArgumentOutOfRangeException(nameof(options), options.Epsilon, "options.Epsilon must be positive and finite.");
        if (!(options.AbsoluteTolerance >= 0) || !(options.RelativeTolerance >= 0))
            throw new ArgumentOutOfRangeException(nameof(options), string.Create(CultureInfo.InvariantCulture, $"options.AbsoluteTolerance ({options.AbsoluteTolerance}) and options.RelativeTolerance ({options.RelativeTolerance}) must be non-negative."));
        return options;
    }

    /// <summary>
    /// Refuses a point that is not finite: there x ± h is x, the step taken (x + h) − (x − h) is NaN and so is the central
    /// difference, whatever the gradient; every element would fail as if the backward pass were wrong. The target is the
    /// loss's to judge (a loss of one's own may skip a NaN target, a missing label).
    /// </summary>
    private static void RequireFinite(ReadOnlySpan<double> values, int width, string name)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{name}[{i / width}, {i % width}] is {values[i]}: a gradient check needs finite points (the central difference there is NaN whatever the gradient)."), name);
        }
    }

    /// <summary>
    /// The parameter gradients of one backward pass after the last forward pass. Backward must ACCUMULATE into them: they
    /// start at 1 and 1 is subtracted, so a layer that overwrites them is reported (its analytic values the true ones − 1).
    /// </summary>
    private static double[] CheckedBackward(Sequential<double> model, double[] outputGradient, int batch)
    {
        model.Gradients.Fill(1);
        model.Backward(outputGradient, batch);
        double[] gradients = model.Gradients.ToArray();
        foreach (ref double g in gradients.AsSpan())
            g -= 1;
        return gradients;
    }

    /// <summary>What follows a parameter's name in a report on the gradients of the backward pass with an empty dx.</summary>
    private const string EmptyDxSuffix = " (empty dx)";

    private static double[] RotatedRows(double[] x, int batch)
    {
        int row = x.Length / batch;
        return [.. x.AsSpan(row), .. x.AsSpan(0, row)];
    }

    private static void ThrowIfFailed(GradientCheckResult result)
    {
        if (!result.Passed)
            throw new GradientCheckException(result);
    }

    /// <summary>Tracks the element with the largest error relative to its tolerance.</summary>
    private sealed class Worst(GradientCheckOptions options)
    {
        private GradientCheckResult? _worst;
        private double _worstRatio = -1;
        private int _checked;
        private readonly Dictionary<string, int> _failed = [];

        /// <summary>
        /// Perturbs each element of <paramref name="point"/> by ±h, calling <paramref name="evaluate"/> for the loss. An element
        /// whose <paramref name="analytic"/> value passes is compared again with <paramref name="analyticEmptyDx"/> (when given),
        /// the same gradient from a backward pass with an empty dx, and reported as tensor "<paramref name="tensor"/> (empty dx)" where it fails.
        /// </summary>
        public void Compare(string tensor, int[] shape, ReadOnlySpan<double> analytic, Span<double> point, Func<double> evaluate,
            ReadOnlySpan<double> analyticEmptyDx = default)
        {
            double h = options.Epsilon;
            for (int i = 0; i < point.Length; i++)
            {
                double original = point[i], up = original + h, down = original - h;
                point[i] = up;
                double plus = evaluate();
                point[i] = down;
                double minus = evaluate();
                point[i] = original;
                // Over the step actually taken: far from 0, x ± h rounds (near 1.7e9, a Unix time, to 4.6% under h = 1e-6; from
                // 2³³ to 2³⁴, to 91% over it), and 2h would be that far off.
                double numeric = (plus - minus) / (up - down);
                _checked++;
                // The pass with an empty dx is named only where it is wrong: right in both passes, an element is the first
                // pass's, whichever of its two errors is larger.
                if (Record(tensor, shape, i, analytic[i], numeric) && !analyticEmptyDx.IsEmpty && !Close(analyticEmptyDx[i], numeric))
                    Record(tensor + EmptyDxSuffix, shape, i, analyticEmptyDx[i], numeric);
            }
        }

        /// <summary>Compares element <paramref name="i"/>'s analytic value with the numeric one; true when it passes.</summary>
        private bool Record(string tensor, int[] shape, int i, double analytic, double numeric)
        {
            double error = Math.Abs(analytic - numeric);
            double tolerance = Tolerance(numeric);
            bool close = Close(analytic, numeric);
            double ratio = analytic == numeric ? 0 : double.IsFinite(error) ? error / tolerance : double.PositiveInfinity;
            if (!close)
                _failed[tensor] = _failed.GetValueOrDefault(tensor) + 1;
            if (ratio > _worstRatio)
            {
                _worstRatio = ratio;
                _worst = new GradientCheckResult(false, 0, tensor, TensorShape.FormatIndex(shape, i), analytic, numeric, error, tolerance);
            }
            return close;
        }

        private double Tolerance(double numeric) => options.AbsoluteTolerance + options.RelativeTolerance * Math.Abs(numeric);

        // As torch.allclose: an infinity is close to itself only, and an infinite (or NaN) error is never within
        // tolerance, though atol + rtol·|numeric| is +∞ when the difference is.
        private bool Close(double analytic, double numeric)
        {
            double error = Math.Abs(analytic - numeric);
            return analytic == numeric || (double.IsFinite(error) && error <= Tolerance(numeric));
        }

        public GradientCheckResult Result() =>
            (_worst ?? new GradientCheckResult(true, 0, "", "", 0, 0, 0, 0)) with
            {
                Passed = _failed.Count == 0, CheckedElements = _checked, FailedElements = _failed.Values.Sum(),
                FailedByTensor = [.. _failed],
            };
    }
}
