using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using FastNN.Data;
using FastNN.Gradients;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Regularization;
using FastNN.Schedules;

namespace FastNN.Training;

/// <summary>
/// The training loop: epochs of shuffled mini-batches, each a forward pass, the loss and its gradient, a backward
/// pass, an optional penalty, an optional learning-rate schedule, an optional gradient monitor, and an optimizer
/// step; then validation, progress callbacks and early stopping.
/// </summary>
/// <remarks>
/// <para>Every buffer (batch rows, loss gradient, row order) is allocated at construction or at the start of
/// <see cref="Fit"/>, and the best epoch's copy of the parameters and state once per trainer (at its first best epoch, or
/// by <c>Checkpoint.Load</c>), then overwritten at every improved epoch; <see cref="TrainStep(ReadOnlySpan{T}, ReadOnlySpan{T}, int)"/>,
/// the inner step, allocates nothing.</para>
/// <para>Targets hold one value per row: the regression target, the 0/1 label of a binary classifier (one logit
/// output), or the class index of a multi-class classifier (one score per class).</para>
/// <para>Thread safety: not thread-safe: Fit trains its model with its optimizer, changing both; one thread at a time,
/// and no other thread may use the model, the optimizer or the monitor meanwhile.</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Trainer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _batchFeatures;
    private readonly T[] _batchTargets;
    private readonly T[] _lossGradient;
    private T[] _predictions = [];
    private T[]? _bestParameters;
    private T[]? _bestState;
    private readonly FastRandom _shuffleRandom;
    private NonFiniteGradientGuard<T>? _guard;
    private GradientMonitor<T>? _monitor;
    private double? _maxGradientNorm;
    private double? _maxGradientValue;
    private readonly (string Name, int Offset, int Length)[] _variances;
    private readonly T[] _stateBeforeStep;

    /// <summary>Creates a trainer for <paramref name="model"/>.</summary>
    /// <param name="model">The model to train; its parameters change in place.</param>
    /// <param name="loss">The loss (such as MSE for regression, BCE with logits for binary classification, softmax cross-entropy for classes).
    /// It gets the model's output <c>[batch, OutputSize]</c> and the targets as the datasets hold them, one value per row
    /// <c>[batch]</c>; a loss of your own (an <see cref="ILoss{T}"/>) takes them so, and must overwrite every element of its gradient.</param>
    /// <param name="optimizer">The optimizer over the model's whole parameter buffer.</param>
    /// <param name="task">The task, which chooses the metrics and the output width the model must have.</param>
    /// <param name="options">Loop settings; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">The optimizer's parameter count differs from the model's, the output width does not suit the task (1 for regression and binary classification, at least 2 for classes), or the loss is a built-in one of another task (each trains one: <see cref="MseLoss{T}"/> and <see cref="HuberLoss{T}"/> regression, <see cref="BceWithLogitsLoss{T}"/> binary classification, <see cref="SoftmaxCrossEntropyLoss{T}"/> classes).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="task"/> is not a <see cref="TaskKind"/>, or an option is out of range (the message names it).</exception>
    public Trainer(Sequential<T> model, ILoss<T> loss, Optimizer<T> optimizer, TaskKind task, TrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (optimizer.ParameterCount != model.Parameters.Length)
            throw new ArgumentException($"The optimizer covers {optimizer.ParameterCount} parameters; the model has {model.Parameters.Length}.", nameof(optimizer));
        if (!Enum.IsDefined(task))
            throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown task.");
        bool oneOutput = task is TaskKind.Regression or TaskKind.BinaryClassification;
        if (oneOutput ? model.OutputSize != 1 : model.OutputSize < 2)
            throw new ArgumentException($"A {task} model needs {(oneOutput ? "1 output" : "at least 2 outputs")}; this one has {model.OutputSize}.", nameof(model));
        CheckLossSuitsTask(loss, task);
        Options = options ?? new TrainerOptions();
        Options.Validate(model.MaxBatch);

        Model = model;
        Loss = loss;
        Optimizer = optimizer;
        Task = task;
        _batchFeatures = new T[model.MaxBatch * model.InputSize];
        _batchTargets = new T[model.MaxBatch];
        _lossGradient = new T[model.MaxBatch * model.OutputSize];
        _shuffleRandom = new FastRandom(Options.Seed is int seed ? (ulong)seed : (ulong)Random.Shared.NextInt64());
        ValidationSeed = Options.Seed ?? Random.Shared.Next();
        _variances = Variances(model);
        _stateBeforeStep = new T[model.State.Length];
    }

    // The model's variances (BatchNorm's running_var), each a slice of its state buffer: an array, so that a step walks
    // them without an enumerator.
    private static (string Name, int Offset, int Length)[] Variances(Sequential<T> model)
    {
        var variances = new List<(string, int, int)>();
        int offset = 0;
        foreach ((StateDeclaration s, _) in model.Chain.State)
        {
            if (s.IsVariance)
                variances.Add((s.Name, offset, s.Length));
            offset += s.BufferLength;
        }
        return [.. variances];
    }

    /// <summary>The model being trained.</summary>
    public Sequential<T> Model { get; }

    /// <summary>The loss.</summary>
    public ILoss<T> Loss { get; }

    /// <summary>The optimizer.</summary>
    public Optimizer<T> Optimizer { get; }

    /// <summary>The task.</summary>
    public TaskKind Task { get; }

    /// <summary>The loop settings.</summary>
    public TrainerOptions Options { get; }

    /// <summary>
    /// A penalty added to the loss and the gradients at every step (such as <see cref="L2Penalty{T}"/>), or null. A
    /// checkpoint resumes only under the built-in penalty it was saved with (type, λ and kinds), or without one if it had
    /// none; a regularizer of your own is not compared. Default null.
    /// </summary>
    public IRegularizer<T>? Regularizer { get; set; }

    /// <summary>
    /// A check of the gradients before every step, or null. With <see cref="NonFiniteGradientPolicy.Throw"/> a NaN or
    /// infinite gradient throws naming the tensor; with <see cref="NonFiniteGradientPolicy.SkipStep"/> the step is
    /// skipped and counted (the model's state, which its forward pass updated, put back), and
    /// <see cref="TrainStep(ReadOnlySpan{T}, ReadOnlySpan{T}, int)"/> returns NaN.
    /// Default null: no check, and a non-finite gradient under a finite loss reaches the optimizer (θ NaN or infinite).
    /// </summary>
    /// <exception cref="ArgumentException">The guard's tensor table does not fit the model's gradient buffer.</exception>
    public NonFiniteGradientGuard<T>? Guard
    {
        get => _guard;
        set => _guard = value is null || value.RequiredLength <= Model.Gradients.Length ? value
            : throw new ArgumentException($"The guard's tensors end at element {value.RequiredLength}; the model has {Model.Gradients.Length} gradients (a guard built for another model?).", nameof(value));
    }

    /// <summary>
    /// Clip the gradients to this global L2 norm before each step (as <c>clip_grad_norm_</c>), or null not to clip.
    /// Applied after the <see cref="Regularizer"/>'s gradient and after <see cref="MaxGradientValue"/> when both are set.
    /// A checkpoint resumes only under the value it was saved with. Default null.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, infinite or NaN.</exception>
    public double? MaxGradientNorm
    {
        get => _maxGradientNorm;
        set => _maxGradientNorm = value is not double norm || (norm >= 0 && double.IsFinite(norm)) ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxGradientNorm must be finite and non-negative (or null not to clip).");
    }

    /// <summary>
    /// Clamp every gradient into [−c, c] before each step (as <c>clip_grad_value_</c>), or null not to clamp.
    /// Applied after the <see cref="Regularizer"/>'s gradient, as a PyTorch loop calls <c>clip_grad_value_</c> after
    /// <c>backward()</c> on the penalized objective. With <see cref="MaxGradientNorm"/> also set, the values are clamped
    /// first and the clamped gradients then scaled to the norm (as Keras applies <c>clipvalue</c> before
    /// <c>clipnorm</c>): each gradient ends within [−c, c] and the whole within the norm, and one outlier is clamped
    /// before it can shrink every other gradient through the norm. A checkpoint resumes only under the value it was
    /// saved with. Default null.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, infinite or NaN.</exception>
    public double? MaxGradientValue
    {
        get => _maxGradientValue;
        set => _maxGradientValue = value is not double c || (c >= 0 && double.IsFinite(c)) ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxGradientValue must be finite and non-negative (or null not to clamp).");
    }

    /// <summary>
    /// A gradient monitor fed at every step (it samples at its own interval), or null. It reads the gradient of the loss
    /// alone, as the backward pass leaves it: before the <see cref="Regularizer"/> adds its penalty's gradient (λ·w for
    /// L2, which would make a layer whose loss gradient vanished look healthy) and before clipping (which would hide an
    /// explosion). A step then refused (the <see cref="Guard"/> skips it, or the loss or a running variance is not finite) is still sampled,
    /// with no update ratio: the monitor is where such a gradient shows. Such a step does not advance <see cref="Steps"/>, so the
    /// next step is sampled (if at all) under the same step number: the report's steps can repeat. Default null.
    /// </summary>
    /// <exception cref="ArgumentException">The monitor's tensor table does not fit the model's parameter buffer.</exception>
    public GradientMonitor<T>? Monitor
    {
        get => _monitor;
        set => _monitor = value is null || value.RequiredLength <= Model.Parameters.Length ? value
            : throw new ArgumentException($"The monitor's tensors end at element {value.RequiredLength}; the model has {Model.Parameters.Length} parameters (a monitor built for another model?).", nameof(value));
    }

    /// <summary>
    /// A learning-rate schedule, or null to leave the optimizer's rate alone. It is applied
    /// (<see cref="Optimizers.Optimizer{T}.ApplySchedule"/>: the base rate and every parameter group's own, as PyTorch)
    /// at the completed epoch count before each epoch, or at the step count before each step when <see cref="ScheduleEachStep"/>.
    /// Its rates replace the optimizer's from the first step: the schedule's rate at t = 0 (such as
    /// <see cref="CosineAnnealingSchedule"/>'s <c>initialLearningRate</c>, or behind a <see cref="WarmupSchedule"/> its
    /// start factor times that), not the <c>learningRate</c> the optimizer was built with, is the first step's base rate,
    /// so build the schedule from the optimizer's rate. t counts epochs, or steps with
    /// ScheduleEachStep: a <c>tMax</c> or <c>stepSize</c> is in those units. Default null.
    /// </summary>
    public ILearningRateSchedule? Schedule { get; set; }

    /// <summary>Advance <see cref="Schedule"/> every step instead of every epoch. Default false.</summary>
    public bool ScheduleEachStep { get; set; }

    /// <summary>Called after every epoch with its result, for progress display or logging.</summary>
    public Action<EpochResult>? EpochCompleted { get; set; }

    /// <summary>Optimizer steps taken by this trainer (restored by <c>Checkpoint.Load</c>).</summary>
    public long Steps { get; private set; }

    /// <summary>Epochs completed by this trainer, over every <see cref="Fit"/> (restored by <c>Checkpoint.Load</c>).</summary>
    public int CompletedEpochs { get; private set; }

    /// <summary>
    /// The stream the epochs' row orders are drawn from: seeded with <see cref="TrainerOptions.Seed"/>'s bits
    /// (<c>new FastRandom((ulong)seed)</c>) at construction, advanced by every shuffle of every <see cref="Fit"/>,
    /// saved and restored by checkpoints.
    /// </summary>
    internal FastRandom ShuffleRandom => _shuffleRandom;

    /// <summary>
    /// The seed of the validation split <see cref="Fit"/> takes when it gets no validation set: <see cref="TrainerOptions.Seed"/>,
    /// or one drawn at construction, so that every Fit and every resume holds out the same rows (saved by checkpoints).
    /// </summary>
    internal int ValidationSeed { get; private set; }

    /// <summary>The epoch a <see cref="Fit"/> cancelled, or ended by a step that threw, stopped part-way, which the next Fit finishes; null between epochs (saved by checkpoints).</summary>
    internal EpochInProgress? Unfinished { get; private set; }

    /// <summary>The batches the last epoch begun was trained in; null before any (saved by checkpoints, which compare it when resumed).</summary>
    internal EpochBatches? Batches { get; private set; }

    /// <summary>The run's early-stopping watch, kept across <see cref="Fit"/> calls; null until an epoch has been validated (saved by checkpoints).</summary>
    internal EarlyStoppingState? EarlyStopping { get; private set; }

    /// <summary>The best epoch's parameters, when <see cref="TrainerOptions.RestoreBest"/> keeps them and there is a best epoch; else empty (saved by checkpoints).</summary>
    internal ReadOnlyMemory<T> BestParameters => KeepsBestWeights ? _bestParameters : default;

    /// <summary>The best epoch's model state (running statistics), beside <see cref="BestParameters"/>.</summary>
    internal ReadOnlyMemory<T> BestState => KeepsBestWeights ? _bestState : default;

    private bool KeepsBestWeights => Options.RestoreBest && EarlyStopping?.Best is not null;

    /// <summary>
    /// Sets the progress counters, the validation split's seed, the unfinished epoch, the epochs' batches and the
    /// early-stopping watch with its best weights (model-sized when the watch has a best epoch and
    /// <see cref="TrainerOptions.RestoreBest"/>), as read from a checkpoint.
    /// </summary>
    internal void RestoreProgress(long steps, int completedEpochs, int validationSeed, EpochInProgress? unfinished, EpochBatches? batches,
        EarlyStoppingState? earlyStopping, ReadOnlySpan<T> bestParameters, ReadOnlySpan<T> bestState)
    {
        (Steps, CompletedEpochs, ValidationSeed, Unfinished, Batches, EarlyStopping) = (steps, completedEpochs, validationSeed, unfinished, batches, earlyStopping);
        if (!KeepsBestWeights)
            return;
        AllocateBestWeights();
        bestParameters.CopyTo(_bestParameters);
        bestState.CopyTo(_bestState);
    }

    // Once per trainer: every improved epoch copies into the same buffers.
    private void AllocateBestWeights()
    {
        _bestParameters ??= new T[Model.Parameters.Length];
        _bestState ??= new T[Model.State.Length];
    }

    /// <summary>
    /// One optimizer step on one mini-batch: zero the gradients, forward in training mode, loss and its gradient,
    /// backward, monitor, regularizer, guard, clipping (by value, then by norm), schedule (a per-step one, <see cref="ScheduleEachStep"/>: a
    /// per-epoch schedule is applied by <see cref="Fit"/> before each epoch, not here), optimizer step. Allocates nothing.
    /// </summary>
    /// <remarks><para>The monitor sees the loss's gradient before the penalty and before clipping, so it reports what they would hide. The backward
    /// pass runs with <see cref="Sequential{T}.ComputeInputGradient"/> off (the input gradient is not needed to train);
    /// the model's setting is restored afterwards, so <see cref="Sequential{T}.InputGradient"/> is not available after a step.</para>
    /// <para>Without a regularizer, guard, monitor or clipping, which read the gradients before the update, the backward
    /// pass writes the gradients instead of adding them to zeroed ones: the same values (but that a gradient summing to
    /// zero is +0, never −0) without the pass that zeroes them and without reading them back. A non-finite loss then
    /// throws before the backward pass, leaving the gradients as they were.</para>
    /// <para>A step that throws (in its forward pass, as a layer of your own refusing its input, or after it), or that the
    /// <see cref="Guard"/> skips, leaves the model's state (BatchNorm's running statistics and batch count, which the
    /// forward pass updates) as it was before the step, as it leaves the parameters
    /// (the stream of dropout masks is not rewound).</para>
    /// <para>The features are copied once into the model (see <see cref="TrainStep(ReadOnlyMemory{T}, ReadOnlySpan{T}, int)"/> to read them in place).</para></remarks>
    /// <param name="features">The batch's features <c>[batch, InputSize]</c>.</param>
    /// <param name="targets">One target per row.</param>
    /// <param name="batch">Rows, from 1 to the model's MaxBatch.</param>
    /// <returns>The batch's objective: the mean loss plus the penalty; NaN when the <see cref="Guard"/> skipped the step.</returns>
    /// <exception cref="ArgumentException">A span does not match the batch, or the loss refuses a target (for classes: a label that is not a class index in [0, OutputSize)).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is outside [1, MaxBatch]; or the optimizer refuses
    /// a rate the per-step <see cref="Schedule"/> gives (<see cref="Optimizers.Optimizer{T}.ApplySchedule"/>) or the step
    /// itself (<see cref="Optimizers.Optimizer{T}.Step"/>): the parameters are not updated and <see cref="Steps"/> does not advance.</exception>
    /// <exception cref="InvalidOperationException">No guard skipped the step, and the loss is NaN or infinite, or the forward pass left a variance of the model's state (BatchNorm's <c>running_var</c>) NaN or infinite, as a batch whose variance overflows does with a finite loss (no later step would bring it back, and no model file holds it; the message names the tensor). The step is not taken: the parameters and the model's state are left as they were.</exception>
    /// <exception cref="NonFiniteGradientException">A gradient is not finite and the <see cref="Guard"/> throws.</exception>
    public double TrainStep(ReadOnlySpan<T> features, ReadOnlySpan<T> targets, int batch) => Step(features, inPlace: null, targets, batch);

    /// <summary>
    /// <see cref="TrainStep(ReadOnlySpan{T}, ReadOnlySpan{T}, int)"/> on features read where they lie, not copied
    /// (<see cref="Sequential{T}.Forward(ReadOnlyMemory{T}, int)"/>): they must not change until the call returns.
    /// </summary>
    /// <param name="features">The batch's features <c>[batch, InputSize]</c>.</param>
    /// <param name="targets">One target per row.</param>
    /// <param name="batch">Rows, from 1 to the model's MaxBatch.</param>
    /// <returns>The batch's objective: the mean loss plus the penalty; NaN when the <see cref="Guard"/> skipped the step.</returns>
    /// <exception cref="ArgumentException">A span does not match the batch, or the loss refuses a target (for classes: a label that is not a class index in [0, OutputSize)).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is outside [1, MaxBatch]; or the optimizer refuses
    /// a rate the per-step <see cref="Schedule"/> gives (<see cref="Optimizers.Optimizer{T}.ApplySchedule"/>) or the step
    /// itself (<see cref="Optimizers.Optimizer{T}.Step"/>): the parameters are not updated and <see cref="Steps"/> does not advance.</exception>
    /// <exception cref="InvalidOperationException">No guard skipped the step, and the loss is NaN or infinite, or the forward pass left a variance of the model's state (BatchNorm's <c>running_var</c>) NaN or infinite, as a batch whose variance overflows does with a finite loss (no later step would bring it back, and no model file holds it; the message names the tensor). The step is not taken: the parameters and the model's state are left as they were.</exception>
    /// <exception cref="NonFiniteGradientException">A gradient is not finite and the <see cref="Guard"/> throws.</exception>
    public double TrainStep(ReadOnlyMemory<T> features, ReadOnlySpan<T> targets, int batch) => Step(default, features, targets, batch);

    // One step on features copied into the model, or read in place when given as memory. The forward pass in training
    // mode updates the model's state (BatchNorm's running statistics and batch count), and a layer after a BatchNorm may
    // throw within it: the state is kept, so that a step refused (it throws, in its forward pass or after it) or skipped
    // (the guard) leaves the state as it leaves the parameters. A copy of the state, which is small beside the parameters
    // the update passes over.
    private double Step(ReadOnlySpan<T> copied, ReadOnlyMemory<T>? inPlace, ReadOnlySpan<T> targets, int batch)
    {
        if (targets.Length != batch)
            throw new ArgumentException($"targets has {targets.Length} elements for a batch of {batch} rows.", nameof(targets));
        Model.Training = true;
        Model.State.CopyTo(_stateBeforeStep);
        try
        {
            ReadOnlySpan<T> output = inPlace is { } features ? Model.Forward(features, batch) : Model.Forward(copied, batch);
            return LossBackwardUpdate(output, targets, batch);
        }
        catch
        {
            RestoreState();
            throw;
        }
    }

    private void RestoreState() => _stateBeforeStep.CopyTo(Model.State);

    /// <summary>The loss, the backward pass and the update, unless the step is refused or skipped; the gradients overwritten where nothing reads them before the update.</summary>
    private double LossBackwardUpdate(ReadOnlySpan<T> output, ReadOnlySpan<T> targets, int batch)
    {
        Span<T> lossGradient = _lossGradient.AsSpan(0, batch * Model.OutputSize);
        T loss = Loss.Compute(output, targets, lossGradient, batch);
        if (Regularizer is null && Guard is null && Monitor is null && MaxGradientNorm is null && MaxGradientValue is null)
        {
            CheckFinite(loss);
            CheckVariances();
            if (Schedule is not null && ScheduleEachStep)
                Optimizer.ApplySchedule(Schedule, Steps);
            Backward(lossGradient, batch, accumulate: false);
            Optimizer.Step(Model.Parameters, Model.Gradients);
            Steps++;
            return double.CreateTruncating(loss);
        }

        Model.ZeroGrad();
        Backward(lossGradient, batch, accumulate: true);
        Monitor?.BeforeStep(Steps, Model.Parameters, Model.Gradients); // the loss's own gradient: before any penalty or clipping
        if (Regularizer is not null)
            loss += Regularizer.AddTo(Model.Parameters, Model.Gradients, Model.ParameterTensors);
        if (Guard is not null && !Guard.Check(Model.Gradients))
        {
            RestoreState();
            return double.NaN;
        }
        CheckFinite(loss);
        CheckVariances();

        if (MaxGradientValue is double maxValue)
            GradientClipping.ClipByValue(Model.Gradients, maxValue);
        if (MaxGradientNorm is double maxNorm)
            GradientClipping.ClipByGlobalNorm(Model.Gradients, maxNorm);
        if (Schedule is not null && ScheduleEachStep)
            Optimizer.ApplySchedule(Schedule, Steps);
        Optimizer.Step(Model.Parameters, Model.Gradients);
        Monitor?.AfterStep(Model.Parameters);
        Steps++;
        return double.CreateTruncating(loss);
    }

    private void Backward(ReadOnlySpan<T> lossGradient, int batch, bool accumulate)
    {
        bool computeInputGradient = Model.ComputeInputGradient;
        Model.ComputeInputGradient = false; // training needs no dLoss/dInput: skips the first layer's dX product
        try
        {
            Model.Backward(lossGradient, batch, accumulate);
        }
        finally
        {
            Model.ComputeInputGradient = computeInputGradient;
        }
    }

    private void CheckFinite(T loss)
    {
        if (!T.IsFinite(loss))
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The training objective is {loss} at step {Steps}; lower the learning rate, clip the gradients or check the data."));
    }

    // The forward pass in training mode has updated the running statistics. A batch whose variance overflows leaves a
    // finite loss (its normalized values are then 0) but a running variance of infinity, or NaN after a NaN, that every
    // later step would keep (the running average never brings it back), that no model file holds (ModelFile and
    // Checkpoint refuse it) and that makes the model output a constant or NaN in evaluation mode: the run has diverged
    // here, and is refused here, as a non-finite loss is, rather than at the save that ends it (TrainStep then puts the
    // state back).
    private void CheckVariances()
    {
        foreach ((string name, int offset, int length) in _variances)
        {
            if (TensorSpec.ValueProblem(isInteger: false, isVariance: true, (ReadOnlySpan<T>)Model.State.Slice(offset, length)) is { } problem)
                throw new InvalidOperationException($"The training diverged at step {Steps}, in its forward pass: '{name}' {problem} Lower the learning rate, clip the gradients or check the data.");
        }
    }

    /// <summary>
    /// Trains until <see cref="CompletedEpochs"/> reaches <see cref="TrainerOptions.Epochs"/>: all of them for a new
    /// trainer; the rest after a cancelled <see cref="Fit"/>, one a step's exception ended, or a <c>Checkpoint.Load</c>,
    /// which then continues exactly where the saved run stopped.
    /// </summary>
    /// <remarks>
    /// <para>Each epoch's row order is drawn afresh from the trainer's seeded shuffling stream, which carries over
    /// from one <see cref="Fit"/> to the next.</para>
    /// <para>A step that throws (the training diverged: a loss or a running variance no longer finite, or a
    /// <see cref="Guard"/>'s exception; or the optimizer refused a rate) ends the Fit and pauses the run there, as a
    /// cancellation does: the step is not taken, leaving the model and the optimizer as they were (the dropout stream is
    /// not rewound), and the epoch it was in is not counted. The next Fit resumes that epoch at the batch that threw, in
    /// the same row order, and so must get the same training rows in the same batches, as after a cancellation; a
    /// checkpoint saved after the exception resumes there too. That step then meets the same weights and rows again, so
    /// it throws again unless something changed for it: after a <see cref="NonFiniteGradientException"/>, a guard with
    /// <see cref="NonFiniteGradientPolicy.SkipStep"/> skips it and the epoch goes on from the next batch (a lower
    /// learning rate, with no <see cref="Schedule"/> to set it again, then eases the steps after it); a loss that is not
    /// finite on these weights and rows stays so (go on from an earlier checkpoint, with a lower rate). To begin the run
    /// afresh instead, build a new trainer.</para>
    /// <para>Early stopping and the best epoch are watched over the whole run, not one call: the best validation number
    /// so far, its epoch, the epochs since without improvement and (with <see cref="TrainerOptions.RestoreBest"/>) a copy
    /// of the best epoch's parameters and state carry over from one Fit to the next and are saved by checkpoints, so a run
    /// paused and resumed, in the same trainer or from a checkpoint, stops at the same epoch, puts back the same weights
    /// and reports the same best epoch as an uninterrupted one. Every Fit of a run whose epochs have been validated must
    /// therefore get the same validation rows (the same set, or the same <see cref="TrainerOptions.ValidationFraction"/>
    /// of the same training rows): none, or another row count, is refused (rows of the same count are not compared). A
    /// run early stopping has ended trains no more: a later Fit runs no epoch, puts the best epoch back again and reports
    /// <see cref="TrainingHistory.StoppedEarly"/>; to train on, build a new trainer over the model and optimizer.</para>
    /// <para>Fit returns the model in evaluation mode (<see cref="Sequential{T}.Training"/> false), with or without
    /// validation, and also when it throws once training has begun (a non-finite loss or running variance, a <see cref="Guard"/>'s
    /// exception, an exception from <see cref="EpochCompleted"/>), so that <see cref="Sequential{T}.Forward(ReadOnlySpan{T}, int)"/>
    /// on it predicts; each training step switches it back to training mode. Checks that fail before the first step leave
    /// the mode as it was.</para>
    /// </remarks>
    /// <param name="train">The training rows (standardized already, if wanted).</param>
    /// <param name="validation">Rows to validate on after each epoch; null to hold out <see cref="TrainerOptions.ValidationFraction"/> of <paramref name="train"/>, or to train without validation.</param>
    /// <param name="cancellationToken">Stops training between steps, and the history so far is returned. A run stopped this way before its last epoch is paused, not ended: the model stays as the last step left it (<see cref="TrainerOptions.RestoreBest"/> does not apply), so that the next Fit or a checkpoint continues it exactly, wherever it stopped. An epoch cut short is neither counted in <see cref="CompletedEpochs"/> nor validated nor recorded (nor passed to <see cref="EpochCompleted"/>): the next Fit finishes it, in the same row order, from the next step, and so must get the same training rows (the same dataset, or a checkpoint's run resumed on it) in the same batches: another row count or batch size is refused (rows of the same count are not compared).</param>
    /// <returns>The result of every epoch this call ran (none when the trainer had already completed its epochs, or early stopping had ended its run) and the run's best one.</returns>
    /// <exception cref="ArgumentException">A dataset's feature count differs from the model's input width, it has no rows, or a target does not suit the task (for classes: a label that is not a class index in [0, OutputSize); for a binary classifier: a target outside [0, 1], or, in the validation rows or in any row when <see cref="TrainerOptions.ValidationFraction"/> holds some out, other than 0 or 1), the message naming the dataset and the row; <see cref="TrainerOptions.ValidationFraction"/> leaves no training or no validation row (for classes it is rounded per class, so 3 classes of 2 rows at 0.2 hold out none); with <see cref="TrainerOptions.DropLast"/>, the training rows are fewer than one batch; the model holds a <see cref="BatchNorm1d{T}"/> (at any depth) and a batch would have one row (a last batch of one without DropLast, a BatchSize of 1, one training row). After a Fit cancelled (or ended by a step that threw) part-way through an epoch: <paramref name="train"/> (after any validation split) has another row count than that epoch was begun over, or fewer rows than it has done. When the run's earlier epochs were validated: <paramref name="validation"/> (or the held-out split) has another row count than they were validated on. All checked before the first step.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The optimizer refuses a rate the <see cref="Schedule"/> gives
    /// (<see cref="Optimizers.Optimizer{T}.ApplySchedule"/>: negative, NaN, or not finite in <typeparamref name="T"/>, such as
    /// an <see cref="ExponentialSchedule"/> grown past float's range) or a step (<see cref="Optimizers.Optimizer{T}.Step"/>):
    /// the step is not taken; the steps before it stand.</exception>
    /// <exception cref="NonFiniteGradientException">A gradient is not finite and the <see cref="Guard"/> throws.</exception>
    /// <exception cref="InvalidOperationException">Early stopping is asked for without validation rows, the run's earlier epochs were validated and this Fit has no validation rows, the loss became non-finite or a running variance NaN or infinite (see <see cref="TrainStep(ReadOnlySpan{T}, ReadOnlySpan{T}, int)"/>; the run is refused at that step, never left to end with a model that <c>ModelFile.Save</c> refuses), or (after a Fit cancelled, or ended by a step that threw, part-way through an epoch) the batch size differs from that epoch's.</exception>
    public TrainingHistory Fit(Dataset<T> train, Dataset<T>? validation = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        // Targets checked on the rows as given, so that a message names the caller's row, not one of a split part.
        bool splits = validation is null && Options.ValidationFraction > 0;
        CheckTargets(train, nameof(train), validated: splits);
        if (validation is not null)
            CheckTargets(validation, nameof(validation), validated: true);
        // Without Shuffle the training part keeps the dataset's order, which an unshuffled epoch visits; the seed alone
        // chooses the rows held out, whatever the order.
        if (splits)
            (train, validation) = train.Split(Options.ValidationFraction, ValidationSeed, stratified: Task != TaskKind.Regression, keepOrder: !Options.Shuffle,
                $"{nameof(TrainerOptions)}.{nameof(TrainerOptions.ValidationFraction)}", nameof(train));
        CheckFeatures(train, nameof(train));
        CheckNotEmpty(train, nameof(train));
        if (validation is not null)
        {
            CheckFeatures(validation, nameof(validation));
            CheckNotEmpty(validation, nameof(validation));
        }
        else if (Options.Patience > 0)
            throw new InvalidOperationException("Early stopping (Patience > 0) needs validation rows: pass a validation set or set ValidationFraction.");

        int batchSize = Options.BatchSizeFor(Model.MaxBatch);
        CheckBatches(train.Rows, batchSize);
        // DropLast: the epoch ends before the incomplete last batch.
        int epochRows = Options.DropLast ? train.Rows - train.Rows % batchSize : train.Rows;
        CheckUnfinished(train.Rows, epochRows, batchSize);
        CheckWatch(validation);
        var shuffler = new Shuffler(train.Rows, _shuffleRandom);
        // Grown as the epochs run, not sized for the budget: "until early stopping ends it" is a budget of int.MaxValue.
        var epochs = new List<EpochResult>();

        // A run early stopping has ended (in an earlier Fit, or before a checkpoint) trains no more.
        bool stopped = EarlyStopping?.Stops(Options) == true;
        try
        {
            for (int epoch = CompletedEpochs + 1; epoch <= Options.Epochs && !stopped && !cancellationToken.IsCancellationRequested; epoch++)
            {
                long start = Stopwatch.GetTimestamp();
                Batches = new EpochBatches(train.Rows, Math.Min(batchSize, train.Rows));
                // An epoch a Fit cut short (cancelled, or a step threw) resumes where it stopped, in the order it had drawn.
                (int first, double lossSum, int rowsStepped) = (0, 0, 0);
                if (Unfinished is { } unfinished)
                {
                    _shuffleRandom.Restore(unfinished.ShuffleRandom);
                    (first, lossSum, rowsStepped) = (unfinished.Rows, unfinished.LossSum, unfinished.RowsStepped);
                    Unfinished = null;
                }
                (ulong, ulong, ulong, ulong) beforeShuffle = _shuffleRandom.State;
                if (Options.Shuffle)
                    shuffler.Shuffle();
                try
                {
                    if (Schedule is not null && !ScheduleEachStep)
                        Optimizer.ApplySchedule(Schedule, CompletedEpochs);
                    for (; first < epochRows && !cancellationToken.IsCancellationRequested; first += batchSize)
                    {
                        int batch = Math.Min(batchSize, epochRows - first);
                        // Gathered once, into rows the model then reads in place.
                        train.Gather(shuffler.Order.Slice(first, batch), _batchFeatures, _batchTargets);
                        double loss = TrainStep(_batchFeatures.AsMemory(0, batch * Model.InputSize), _batchTargets.AsSpan(0, batch), batch);
                        if (!double.IsNaN(loss))
                            (lossSum, rowsStepped) = (lossSum + batch * loss, rowsStepped + batch);
                    }
                }
                finally
                {
                    // Cut short, cancelled or by a step that threw (the training diverged, or the optimizer refused a rate),
                    // which left the model and the optimizer as they were: the epoch is neither counted nor validated nor
                    // recorded, and the next Fit (or a checkpoint saved now) finishes it, from that step's batch.
                    if (first < epochRows)
                        Unfinished = new EpochInProgress(beforeShuffle, first, lossSum, rowsStepped, train.Rows, batchSize);
                }
                if (first < epochRows)
                    break;

                CompletedEpochs++;
                Evaluation? evaluation = validation is null ? null : Evaluate(validation);
                var result = new EpochResult(epoch, rowsStepped > 0 ? lossSum / rowsStepped : double.NaN, evaluation, Optimizer.LearningRate, Steps, Stopwatch.GetElapsedTime(start));
                epochs.Add(result);
                // Watched before the callback, so that a checkpoint it saves holds this epoch's watch.
                if (validation is not null)
                    stopped = Watch(result, validation.Rows);
                EpochCompleted?.Invoke(result);
            }
        }
        finally
        {
            // Left in evaluation mode whether or not the epochs were validated (which switches to it), and when a step, the
            // validation or the callback throws, so that a Forward on the model predicts, without dropout and with
            // BatchNorm's running statistics, which it would otherwise update.
            Model.Training = false;
        }

        // The run ends at its last epoch or when early stopping ends it; a cancelled Fit has only paused it (as has one a
        // step's exception ended, which does not get here), and the
        // next Fit (or a checkpoint) continues from the last step, so the best epoch is put back only at the end.
        bool ended = stopped || CompletedEpochs >= Options.Epochs;
        if (ended && KeepsBestWeights)
        {
            _bestParameters.CopyTo(Model.Parameters);
            _bestState.CopyTo(Model.State);
        }
        return new TrainingHistory(epochs, EarlyStopping?.Best?.Epoch ?? 0, stopped && CompletedEpochs < Options.Epochs)
        {
            RunBest = EarlyStopping?.Best,
        };
    }

    // One more validated epoch into the run's watch (its weights copied when it is the new best and RestoreBest keeps
    // them); true when early stopping ends the run there.
    private bool Watch(EpochResult epoch, int validationRows)
    {
        EarlyStoppingState state = (EarlyStopping ?? new EarlyStoppingState(null, 0, validationRows)).After(epoch, Options);
        EarlyStopping = state;
        if (ReferenceEquals(state.Best, epoch) && Options.RestoreBest)
        {
            AllocateBestWeights();
            Model.Parameters.CopyTo(_bestParameters);
            Model.State.CopyTo(_bestState);
        }
        return state.Stops(Options);
    }

    // The watch compares every epoch of the run with its best: on other validation rows, or none, the numbers would
    // not compare (and RestoreBest would put back an epoch judged on rows this Fit no longer watches).
    private void CheckWatch(Dataset<T>? validation)
    {
        if (EarlyStopping is not { } watch)
            return;
        string since = watch.Best is { } best ? $"its best epoch so far is {best.Epoch}" : "no epoch has been the best yet";
        if (validation is null)
        {
            throw new InvalidOperationException(
                $"This run's epochs were validated on {watch.ValidationRows} rows ({since}); give this Fit the same validation rows " +
                "(the validation set, or the trainer's ValidationFraction), so that early stopping and the best epoch watch the whole run.");
        }
        if (validation.Rows != watch.ValidationRows)
        {
            throw new ArgumentException(
                $"This run's epochs were validated on {watch.ValidationRows} rows ({since}); this Fit has {validation.Rows}: " +
                "give it the same validation rows (after any split), so that its epochs compare with the earlier ones.", nameof(validation));
        }
    }

    // The epoch a Fit cut short (cancelled, or a step threw) can only be finished over the rows and batches it was begun with: its row
    // order is a permutation of that many rows, and its rows done are whole batches of that size.
    private void CheckUnfinished(int trainRows, int epochRows, int batchSize)
    {
        if (Unfinished is not { } unfinished)
            return;
        if (unfinished.TrainRows != trainRows || unfinished.Rows >= epochRows)
            throw new ArgumentException(
                $"The epoch an earlier Fit cut short (cancelled, or a step threw) was begun over {unfinished.TrainRows} training rows ({unfinished.Rows} done); " +
                $"this Fit has {trainRows}: finish it on the same training rows (after any validation split).", "train");
        if (unfinished.BatchSize != batchSize || unfinished.Rows % batchSize != 0)
            throw new InvalidOperationException(
                $"The epoch an earlier Fit cut short (cancelled, or a step threw) was begun in batches of {unfinished.BatchSize}; " +
                $"this trainer's are {batchSize}: finish it with the same BatchSize (and the model's MaxBatch, when BatchSize is not set).");
    }

    /// <summary>The model's mean loss and task metrics on <paramref name="data"/>, in evaluation mode (the mode is left in evaluation).</summary>
    /// <exception cref="ArgumentException">The dataset's feature count differs from the model's input width, it has no rows, or a target does not suit the task (for classes: a label that is not a class index in [0, OutputSize); for a binary classifier: a label other than 0 or 1), the message naming the row.</exception>
    public Evaluation Evaluate(Dataset<T> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckFeatures(data, nameof(data));
        CheckNotEmpty(data, nameof(data));
        CheckTargets(data, nameof(data), validated: true);
        ReadOnlySpan<T> predictions = Predict(data);
        double lossSum = 0;
        for (int first = 0; first < data.Rows; first += Model.MaxBatch)
        {
            int batch = Math.Min(Model.MaxBatch, data.Rows - first);
            T loss = Loss.Compute(
                predictions.Slice(first * Model.OutputSize, batch * Model.OutputSize), data.Targets.Slice(first, batch),
                _lossGradient.AsSpan(0, batch * Model.OutputSize), batch);
            lossSum += batch * double.CreateTruncating(loss);
        }
        double meanLoss = lossSum / data.Rows;
        return Task switch
        {
            TaskKind.Regression => new Evaluation(meanLoss, double.NaN,
                Metrics.RootMeanSquaredError(predictions, data.Targets), Metrics.RSquared(predictions, data.Targets)),
            TaskKind.BinaryClassification => new Evaluation(meanLoss, Metrics.BinaryAccuracy(predictions, data.Targets), double.NaN, double.NaN),
            _ => new Evaluation(meanLoss, Metrics.Accuracy(predictions, data.Targets, data.Rows, Model.OutputSize), double.NaN, double.NaN),
        };
    }

    /// <summary>
    /// The model's outputs for every row of <paramref name="data"/>, <c>[Rows, OutputSize]</c>, in evaluation mode;
    /// a view of a buffer the trainer reuses (valid until the next call).
    /// </summary>
    /// <exception cref="ArgumentException">The dataset's feature count differs from the model's input width.</exception>
    public ReadOnlySpan<T> Predict(Dataset<T> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckFeatures(data, nameof(data));
        int width = Model.OutputSize;
        if (_predictions.Length < data.Rows * width)
            _predictions = new T[data.Rows * width];
        Model.Training = false;
        for (int first = 0; first < data.Rows; first += Model.MaxBatch)
        {
            int batch = Math.Min(Model.MaxBatch, data.Rows - first);
            Model.Forward(data.Features.Slice(first * data.FeatureCount, batch * data.FeatureCount), batch)
                .CopyTo(_predictions.AsSpan(first * width));
        }
        return _predictions.AsSpan(0, data.Rows * width);
    }

    // Each built-in loss trains one task, whose targets and metrics it fits; under another it would throw at the first
    // step or, worse, train on nothing or be scored as something else: softmax cross-entropy over a regression or binary
    // model's one output is 0 whatever the weights; MSE or Huber under binary classification fits the output to the 0/1
    // labels while the accuracy reads it as a logit, thresholded at 0 (a 99 % model reported 53 %); BCE under regression
    // fits a logit that RMSE and R² compare with the targets; the element-wise losses under classes take one target per
    // output where the dataset holds one class index per row. A loss of the user's own is not judged.
    private static void CheckLossSuitsTask(ILoss<T> loss, TaskKind task)
    {
        (string Name, TaskKind Task)? builtIn = loss switch
        {
            MseLoss<T> => ("MseLoss", TaskKind.Regression),
            HuberLoss<T> => ("HuberLoss", TaskKind.Regression),
            BceWithLogitsLoss<T> => ("BceWithLogitsLoss", TaskKind.BinaryClassification),
            SoftmaxCrossEntropyLoss<T> => ("SoftmaxCrossEntropyLoss", TaskKind.MultiClassClassification),
            _ => null,
        };
        if (builtIn is { } own && own.Task != task)
        {
            string use = task switch
            {
                TaskKind.Regression => "MseLoss or HuberLoss",
                TaskKind.BinaryClassification => "BceWithLogitsLoss (the output is a logit: the accuracy thresholds it at 0)",
                _ => "SoftmaxCrossEntropyLoss",
            };
            throw new ArgumentException($"{own.Name} trains {own.Task} models, not {task}: use {use} for {task}, or a loss of your own.", nameof(loss));
        }
    }

    // Checked before the first step: without it a BatchNorm1d model throws on a one-row batch in the middle of an
    // epoch, after the steps before it have changed the weights.
    private void CheckBatches(int rows, int batchSize)
    {
        if (Options.DropLast && rows < batchSize)
            throw new ArgumentException($"train has {rows} rows, fewer than one batch of {batchSize}: with DropLast every epoch would skip them all. Lower BatchSize or set DropLast = false.", "train");
        if (!HoldsBatchNorm(Model.Layers))
            return;
        string problem = "A BatchNorm1d layer needs at least 2 rows per batch in training, but ";
        if (batchSize == 1)
            throw new ArgumentException($"{problem}BatchSize is 1. Choose a BatchSize of at least 2.", "train");
        if (rows == 1)
            throw new ArgumentException($"{problem}train has 1 row. Give it at least 2 rows.", "train");
        if (!Options.DropLast && rows % batchSize == 1)
        {
            throw new ArgumentException(
                $"{problem}{rows} training rows in batches of {batchSize} leave a last batch of 1 row. Set TrainerOptions.DropLast = true to skip that batch in every epoch, or choose another BatchSize.", "train");
        }
    }

    private static bool HoldsBatchNorm(IEnumerable<ILayer<T>> layers) => layers.Any(layer => layer switch
    {
        BatchNorm1d<T> => true,
        Residual<T> residual => HoldsBatchNorm(residual.Body),
        Concat<T> concat => HoldsBatchNorm(concat.Body),
        _ => false,
    });

    private void CheckFeatures(Dataset<T> data, string name)
    {
        if (data.FeatureCount != Model.InputSize)
            throw new ArgumentException($"{name} has {data.FeatureCount} features; the model takes {Model.InputSize} inputs.", name);
    }

    // Checked before the first step and before any metric, naming the dataset's row: the loss and the metrics see
    // batches, and would refuse a bad label in the middle of an epoch (after the steps before it changed the weights)
    // naming its place in the batch. A class index must be one of the outputs; a binary target the metrics read
    // (validated) must be 0 or 1, while one trained on may be any probability in [0, 1], as BCE with logits takes (past
    // them its loss has no minimum: a count or a regression target given by mistake would drive the logits to infinity).
    private void CheckTargets(Dataset<T> data, string name, bool validated)
    {
        ReadOnlySpan<T> targets = data.Targets;
        if (Task == TaskKind.MultiClassClassification)
        {
            for (int row = 0; row < targets.Length; row++)
            {
                T t = targets[row];
                if (!SoftmaxCrossEntropyLoss<T>.IsClassIndex(t, Model.OutputSize))
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name}: the target of row {row} (counting from 0) is {t}, not a class index in [0, {Model.OutputSize})."), name);
            }
        }
        else if (Task == TaskKind.BinaryClassification)
        {
            for (int row = 0; row < targets.Length; row++)
            {
                T t = targets[row];
                if (validated && t != T.Zero && t != T.One)
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name}: the target of row {row} (counting from 0) is {t}; a binary classifier's accuracy needs labels 0 and 1."), name);
                if (!(t >= T.Zero && t <= T.One))
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name}: the target of row {row} (counting from 0) is {t}; a binary classifier trains on labels 0 and 1 (or probabilities between)."), name);
            }
        }
    }

    // Without rows an epoch takes no step yet counts against the budget, and a loss or metric is 0/0.
    private static void CheckNotEmpty(Dataset<T> data, string name)
    {
        if (data.Rows == 0)
            throw new ArgumentException($"{name} has no rows.", name);
    }
}
