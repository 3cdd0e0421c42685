using System.Numerics;
using System.Text.Json;
using FastNN.Layers;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;

namespace FastNN.IO;

/// <summary>
/// Saves a training run so that it can resume exactly: the model (as <see cref="ModelFile"/> writes it), the optimizer's
/// state, the trainer's position (steps and completed epochs, which place any learning-rate schedule) and the states of
/// the random streams (the model's dropout generator and the trainer's shuffling generator), the seed of the
/// validation split the trainer takes, its Shuffle, DropLast and ValidationFraction options, the batch size its epochs ran
/// (capped at the training rows, with their count), its early-stopping watch (the best epoch so far,
/// the epochs since without improvement, the validation row count, and with RestoreBest the best epoch's weights), its
/// gradient clipping (<see cref="Trainer{T}.MaxGradientNorm"/> and <see cref="Trainer{T}.MaxGradientValue"/>) and,
/// for a Fit cancelled (or ended by a step that threw, as a divergence) part-way through an epoch, where in that epoch
/// it stopped, in one safetensors file.
/// </summary>
/// <remarks>
/// <para>Resuming: build the model, optimizer and trainer as for the original run (same architecture, same optimizer
/// type and groups, same loss, same <see cref="TrainerOptions"/>, same <see cref="Trainer{T}.Schedule"/> and clipping), call <see cref="Load{T}"/>, then <see cref="Trainer{T}.Fit"/>:
/// it trains the epochs that remain (first the rest of one a Fit cut short, cancelled or by a step that threw, which that Fit refuses to finish
/// over another number of training rows or in batches of another size), and a run stopped after any step
/// and resumed ends with bit-identical weights to an uninterrupted one, early stopping included: it stops at the same
/// epoch, puts back the same best weights and reports the same best epoch. A run early stopping has ended resumes ended (Fit
/// runs no epoch, whatever its Epochs). To extend a run under a larger <see cref="TrainerOptions.Epochs"/>, resume from a checkpoint saved before it
/// ended (from <see cref="Trainer{T}.EpochCompleted"/> at its last epoch, as the fastnn command saves them): with
/// RestoreBest, one saved after Fit returned holds the best epoch's weights beside the last epoch's optimizer state and
/// watch, and trains on from those weights, not as the longer run would. A trainer whose Shuffle, DropLast or
/// ValidationFraction differs from the saved run's, whose batch size would run otherwise over the saved run's training
/// rows (a BatchSize left unset runs min(32, the model's MaxBatch), so a model rebuilt at a smaller maxBatch counts; any
/// batch of at least those rows runs as one batch of all of them), or (when the file holds an early-stopping watch) whose Patience, MinDelta, EarlyStoppingOn or
/// RestoreBest does, or whose MaxGradientNorm or MaxGradientValue does, is refused, unchanged, with the settings named:
/// under them the resumed run would silently be another. The resumed Fit must validate on as many rows as the saved run
/// did. Files written before the watch and these settings were saved load as before: unchecked, with the watch starting
/// afresh; files written before the batch size and ValidationFraction were recorded are not checked on them (an epoch
/// a Fit cut short still finishes only in its own batches, which Fit checks). The trainer's guard, monitor and
/// regularizer are not saved: you set them up again. The optimizer's hyper-parameters are not compared but restored:
/// its learning rates, β, ε, momentum and weight decay become the saved run's, whatever it was built with (as
/// PyTorch's <c>optimizer.load_state_dict</c> restores its param groups), so a resumed run cannot change them; set
/// <see cref="Optimizer{T}.LearningRate"/> after loading to go on at another rate.</para>
/// <para>Layout: the model's tensors under their state-dict names, each optimizer buffer as <c>optimizer.&lt;name&gt;</c>
/// (<c>optimizer.exp_avg</c>, … flat, <c>[parameter count]</c>), the best epoch's weights when kept
/// (<c>early_stopping.best_parameters</c> and <c>early_stopping.best_state</c>, flat as the model's buffers; a best_state
/// written by a build before counts took two elements each, one element shorter per count, loads too), the model
/// metadata of <see cref="ModelFile"/> and a <c>fastnn.checkpoint</c> JSON value with the rest. Saving is atomic; loading checks everything before anything
/// changes.</para>
/// <para>Thread safety: both methods are thread-safe as long as no other thread uses the trainer or the file.</para>
/// </remarks>
public static class Checkpoint
{
    private const string OptimizerPrefix = "optimizer.";

    /// <summary>Saves <paramref name="trainer"/>'s run to <paramref name="path"/>, atomically.</summary>
    /// <param name="path">The file to create or replace. A symbolic link is written through: the file it names is replaced and the link stays; a replaced file keeps its mode (on Unix), as an editor or <c>cp</c> keeps it.</param>
    /// <param name="trainer">The trainer; not changed.</param>
    /// <param name="info">Task, labels, standardizations and names to record with the model; null records none.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty, <paramref name="trainer"/> is null (both <see cref="ArgumentNullException"/> when null), <paramref name="info"/> does not fit the model, a count (of the model or of the best epoch's state) is not a non-negative integer the model holds exactly (see <see cref="StateDeclaration.IsInteger"/>), or a variance (BatchNorm's <c>running_var</c>) is negative, NaN or infinite (a file could not load it), or <paramref name="info"/>'s texts make the file's header longer than the 100 MB a safetensors header may have (Load would refuse it; the message gives the size); nothing is written then.</exception>
    /// <exception cref="InvalidOperationException">The optimizer's state holds NaN or an infinity (a square average may hold +∞), as a run that diverged with no <see cref="Trainer{T}.Guard"/> leaves it (a step that took a non-finite gradient under a finite loss): <see cref="Load{T}"/> would refuse it. The message names the buffer and the element; nothing is written, and the previous file, if any, is intact.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    /// <exception cref="IOException">The file cannot be written; the previous file, if any, is intact.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder may not be written; the previous file, if any, is intact.</exception>
    public static void Save<T>(string path, Trainer<T> trainer, ModelInfo? info = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(trainer);
        SafetensorsDType values = SafetensorsDTypes.Of<T>();
        Sequential<T> model = trainer.Model;
        info ??= new ModelInfo();
        if (ModelMetadata.Problem(info, model.InputSize, model.OutputSize) is { } problem)
            throw new ArgumentException(problem, nameof(info));
        ModelTensors.CheckState(model, nameof(trainer));
        // Load checks the best epoch's state as the model's (it goes back into the model), so Save does too.
        if (trainer.BestState.Length > 0 && ModelTensors.StateProblem(model.Chain, trainer.BestState.Span) is { } bestProblem)
            throw new ArgumentException($"The best epoch's state (tensor '{CheckpointEarlyStopping.BestState}') cannot be saved: its {bestProblem}", nameof(trainer));
        // A state Load would refuse is refused here, before anything is written (and an earlier file stays as it was):
        // every file Save writes loads back.
        if (trainer.Optimizer.StateProblem() is { } stateProblem)
            throw new InvalidOperationException(
                $"The trainer's {trainer.Optimizer.Algorithm} optimizer's state cannot be saved: its {stateProblem} The training diverged: a step took " +
                "a gradient that was not finite under a finite loss (a Guard refuses such steps), and no checkpoint holding this state could be resumed.");

        OptimizerState<T> optimizer = trainer.Optimizer.SaveState();
        Dictionary<string, string> metadata = ModelMetadata.Write(model, info);
        metadata[CheckpointMetadata.Key] = new CheckpointMetadata(optimizer.Algorithm, optimizer.StepCount, optimizer.HyperParameters,
            trainer.Steps, trainer.CompletedEpochs, model.Random.State, trainer.ShuffleRandom.State, trainer.ValidationSeed,
            CheckpointSchedule.Of(trainer), trainer.Unfinished, trainer.Options.Shuffle, trainer.Options.DropLast, trainer.Batches, trainer.Options.ValidationFraction,
            CheckpointEarlyStopping.Of(trainer), CheckpointLoss.Of(trainer.Loss), CheckpointClipping.Of(trainer),
            CheckpointRegularizer.Of(trainer)).ToJson();
        string[] buffers = [.. optimizer.Buffers.Keys.Order(StringComparer.Ordinal)];
        // The best epoch's weights, when the trainer keeps them (empty otherwise: no tensor).
        ReadOnlyMemory<T> bestParameters = trainer.BestParameters, bestState = trainer.BestState;
        var best = new List<SafetensorsWriter.Tensor>();
        if (bestParameters.Length > 0)
            best.Add(new(CheckpointEarlyStopping.BestParameters, values, [bestParameters.Length]));
        if (bestState.Length > 0)
            best.Add(new(CheckpointEarlyStopping.BestState, values, [bestState.Length]));
        byte[] header = SafetensorsWriter.Header(
            [.. ModelTensors.Header(model), .. buffers.Select(b => new SafetensorsWriter.Tensor(OptimizerPrefix + b, values, [optimizer.Buffers[b].Length])), .. best],
            metadata);
        AtomicFile.Write(path, stream =>
        {
            var writer = new SafetensorsWriter(stream);
            writer.WriteHeader(header);
            ModelTensors.Write(writer, model);
            foreach (string b in buffers)
                writer.WriteTensor<T>(optimizer.Buffers[b], values);
            if (bestParameters.Length > 0)
                writer.WriteTensor<T>(bestParameters.Span, values);
            if (bestState.Length > 0)
                writer.WriteTensor<T>(bestState.Span, values);
        });
    }

    /// <summary>
    /// Restores a run saved by <see cref="Save{T}"/> into <paramref name="trainer"/>: its model's tensors and dropout
    /// generator, its optimizer's state, its step and epoch counts, its shuffling generator, its validation split's seed,
    /// the epoch a Fit left unfinished (cancelled, or ended by a step that threw) and the early-stopping watch with the best epoch's weights (a file
    /// without a watch leaves the trainer with none). The trainer must train under the saved run's loss: a built-in one
    /// of another type or with other parameters (<c>HuberLoss(0.5)</c> for <c>HuberLoss(1)</c>, MSE for Huber) is
    /// refused, since its gradients and its validation losses, which early stopping compares with the saved best, would
    /// be another run's. A loss of your own is recorded by its type name only (its parameters cannot be known: one of
    /// the same type with other settings resumes unchecked). Files written before the loss was recorded load as before.
    /// Its regularizer, too, must be the saved run's built-in penalty (type, λ and kinds), or none when the run had none;
    /// one of your own is not compared (it may wrap a penalty or only watch the steps).
    /// </summary>
    /// <param name="path">A checkpoint file.</param>
    /// <param name="trainer">A trainer set up as the saved one was; changed only when the whole file has been checked and read.</param>
    /// <returns>The info recorded with the model.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null (<see cref="ArgumentNullException"/>) or empty, or <paramref name="trainer"/> is null (<see cref="ArgumentNullException"/>).</exception>
    /// <exception cref="ModelFileException">The file is malformed or not a checkpoint, or its model, optimizer, learning-rate schedule (its type, per step or per epoch, its rate at 0 and, for the built-in schedules, every parameter but the horizon, such as a warm-up's length; its horizon may change, to extend a run; a file written before the parameters were recorded is compared on the rest), loss (a built-in one by type and parameters, such as <see cref="Losses.HuberLoss{T}"/>'s δ, both named; a loss of your own by its type name only, as its parameters cannot be known; a file written before the loss was recorded is not compared on it), options (Shuffle, DropLast, ValidationFraction, the batch size as run over the saved run's training rows, each when the file records it, and with an early-stopping watch Patience, MinDelta, EarlyStoppingOn and RestoreBest; all differences are named), gradient clipping (MaxGradientNorm and MaxGradientValue, both named; a file written before the clipping was recorded is not compared on it), regularizer (a built-in penalty by type, λ and kinds; one of your own by its type name only; a file written before it was recorded is not compared on it) or metadata do not fit the trainer's (strict loading: all tensor mismatches are listed), or a count or variance of the model's state or of the best epoch's holds a value no run leaves (see <see cref="ModelFile"/>); the trainer is unchanged.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    /// <exception cref="IOException">The file cannot be read (for instance <see cref="FileNotFoundException"/>).</exception>
    /// <exception cref="UnauthorizedAccessException">The path is a folder, or the file may not be read.</exception>
    public static ModelInfo Load<T>(string path, Trainer<T> trainer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(trainer);
        SafetensorsDTypes.Of<T>();
        Sequential<T> model = trainer.Model;
        using SafetensorsFile file = SafetensorsFile.Open(path);
        CheckpointMetadata progress = CheckpointMetadata.Read(file);
        if (progress.Schedule?.Difference(trainer) is { } schedule)
            throw file.Error($"the checkpoint's learning-rate schedule differs from the trainer's: {schedule}.");
        if (progress.Loss?.Difference(trainer.Loss) is { } loss)
            throw file.Error($"the checkpoint's loss differs from the trainer's: {loss}; resume with the saved run's loss.");
        if (progress.OptionsDifference(trainer.Options, model.MaxBatch) is { } options)
            throw file.Error($"the checkpoint's run was trained under other options than the trainer's: {options}; resume with the saved run's TrainerOptions.");
        if (progress.Clipping?.Difference(trainer) is { } clipping)
            throw file.Error($"the checkpoint's run clipped its gradients otherwise than the trainer does: {clipping}; resume with the saved run's clipping.");
        if (progress.Regularizer?.Difference(trainer) is { } regularizer)
            throw file.Error($"the checkpoint's run was regularized otherwise than the trainer is: {regularizer}; resume with the saved run's Regularizer.");
        CheckArchitecture(file, model);
        ModelInfo info = ModelMetadata.ReadInfo(file, model.InputSize, model.OutputSize);
        string[] buffers = [.. trainer.Optimizer.BufferNames];
        List<TensorSpec> specs = ModelTensors.Specs(model);
        specs.AddRange(buffers.Select(b => new TensorSpec(OptimizerPrefix + b, [trainer.Optimizer.ParameterCount], false)));
        if (progress.EarlyStopping?.HasBestWeights == true)
        {
            specs.Add(new TensorSpec(CheckpointEarlyStopping.BestParameters, [model.Parameters.Length], false));
            if (model.State.Length > 0)
                specs.Add(new TensorSpec(CheckpointEarlyStopping.BestState, [BestStateLength(file, model)], false));
        }
        Dictionary<string, T[]> tensors = StrictLoad.Read<T>(file, specs, $"the trainer's model and {trainer.Optimizer.Algorithm} optimizer");
        if (tensors.TryGetValue(CheckpointEarlyStopping.BestState, out T[]? bestState) && bestState.Length != model.State.Length)
            tensors[CheckpointEarlyStopping.BestState] = bestState = ModelTensors.FromOneElementPerCount(model, bestState);
        // The best epoch's state goes back into the model when training ends, so its counts and variances obey the model's rules.
        if (bestState is not null && ModelTensors.StateProblem(model.Chain, bestState) is { } bestProblem)
            throw file.Error($"tensor '{CheckpointEarlyStopping.BestState}' holds the best epoch's state, whose {bestProblem}");

        // The optimizer checks its state before changing anything, so it goes first: after it nothing can fail.
        var state = new OptimizerState<T>(progress.Algorithm, progress.OptimizerSteps, progress.HyperParameters,
            buffers.ToDictionary(b => b, b => tensors[OptimizerPrefix + b]));
        try
        {
            trainer.Optimizer.LoadState(state);
        }
        catch (ArgumentException e)
        {
            throw file.Error($"the optimizer state does not fit the trainer's optimizer: {e.Message}", e);
        }
        ModelTensors.Apply(model, tensors);
        model.Random.Restore(progress.DropoutRandom);
        trainer.ShuffleRandom.Restore(progress.ShuffleRandom);
        trainer.RestoreProgress(progress.TrainerSteps, progress.CompletedEpochs, progress.ValidationSeed ?? trainer.ValidationSeed, progress.Unfinished,
            progress.Batches, progress.EarlyStopping?.State, tensors.GetValueOrDefault(CheckpointEarlyStopping.BestParameters), tensors.GetValueOrDefault(CheckpointEarlyStopping.BestState));
        return info;
    }

    // The best epoch's state is the model's state buffer, whose counts take two elements each; a build before that wrote
    // one each, a shorter buffer, which is read as such (any other length is refused as before).
    private static int BestStateLength<T>(SafetensorsFile file, Sequential<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int older = ModelTensors.OneElementPerCountLength(model);
        return file.Header.ByName.TryGetValue(CheckpointEarlyStopping.BestState, out SafetensorsEntry? entry) && entry.Shape is [long length] && length == older
            ? older
            : model.State.Length;
    }

    // Layers without tensors (activations, dropout) are invisible to strict loading, so the described architecture
    // is compared too, when both sides have one (the largest batch may differ).
    private static void CheckArchitecture<T>(SafetensorsFile file, Sequential<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (LayerJson.Undescribed(model.Layers) is not null || !file.Header.Metadata.ContainsKey(ModelMetadata.ArchitectureKey))
            return;
        (List<ILayer<T>> layers, _, _) = ModelMetadata.ReadArchitecture<T>(file);
        string saved = LayerJson.Write(layers, model.MaxBatch), current = model.ToJson();
        if (saved != current)
            throw file.Error($"the checkpoint's model differs from the trainer's: {FirstDifference(saved, current)}.");
    }

    // Where two architecture descriptions part: the input width, a layer, or the number of layers.
    private static string FirstDifference(string saved, string current)
    {
        using JsonDocument a = JsonDocument.Parse(saved), b = JsonDocument.Parse(current);
        string inputs = a.RootElement.GetProperty("input_size").GetRawText(), trainerInputs = b.RootElement.GetProperty("input_size").GetRawText();
        if (inputs != trainerInputs)
            return $"{inputs} inputs in the checkpoint, {trainerInputs} in the trainer's";
        JsonElement[] layers = [.. a.RootElement.GetProperty("layers").EnumerateArray()], trainerLayers = [.. b.RootElement.GetProperty("layers").EnumerateArray()];
        for (int i = 0; i < Math.Min(layers.Length, trainerLayers.Length); i++)
        {
            if (layers[i].GetRawText() != trainerLayers[i].GetRawText())
                return $"layer {i} is {layers[i].GetRawText()} in the checkpoint, {trainerLayers[i].GetRawText()} in the trainer's";
        }
        return $"{layers.Length} layers in the checkpoint, {trainerLayers.Length} in the trainer's";
    }
}
