using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using FastNN.Data;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Tests.IO;
using FastNN.Training;

namespace FastNN.Tests.Training;

/// <summary>
/// Early stopping across a paused run: paused at every epoch boundary and in the middle of epochs, in the same trainer
/// and through checkpoints loaded into fresh trainers, a run with Patience and RestoreBest stops at the same epoch, puts
/// back the same weights (bit for bit) and reports the same best epoch as an uninterrupted one; a resume that would
/// silently be another run (other Shuffle, DropLast or early-stopping options, other validation rows) is refused; a
/// checkpoint written before the watch was saved still resumes, with a fresh watch.
/// </summary>
public class EarlyStoppingResumeTests
{
    // Three overlapping classes of 4-feature rows, 60 (36 trained on, 24 held out): the held-out loss falls for six
    // epochs, then rises, then falls again but not below epoch 6's, so Patience 3 stops the run at epoch 9 of 30.
    private static Dataset<float> Data()
    {
        var random = new FastRandom(5);
        var x = new float[60 * 4];
        var y = new float[60];
        for (int r = 0; r < 60; r++)
        {
            y[r] = r % 3;
            for (int c = 0; c < 4; c++)
                x[4 * r + c] = (float)((c == r % 3 ? 1.0 : 0.0) + random.NextDouble(-2, 2));
        }
        return new Dataset<float>(x, y, 4);
    }

    private static readonly TrainerOptions Options = new() { Epochs = 30, BatchSize = 8, Seed = 3, ValidationFraction = 0.4, Patience = 3, RestoreBest = true };

    // BatchNorm (state the best epoch's copy must hold too) and dropout (a stream the resume must restore). The step
    // hook gives every trainer the same gradient path (one with a regularizer), and acts between steps when asked.
    private static Trainer<float> New(ulong modelSeed = 1, TrainerOptions? options = null, Action<int>? onStep = null)
    {
        Sequential<float> model = new SequentialBuilder<float>(4).Dense(32).BatchNorm().Relu().Dropout(0.1).Dense(3).Build(maxBatch: 8, modelSeed);
        return new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), new AdamW<float>(model.Parameters.Length, learningRate: 0.01),
            TaskKind.MultiClassClassification, options ?? Options)
        {
            Regularizer = new StepHook<float>(null, onStep ?? (_ => { })),
        };
    }

    private static (Trainer<float> Trainer, TrainingHistory History) Uninterrupted()
    {
        Trainer<float> whole = New();
        TrainingHistory history = whole.Fit(Data());
        // The run this file is about: stopped early, its best epoch neither the first nor the last.
        Assert.Equal((6, 9, true), (history.BestEpoch, whole.CompletedEpochs, history.StoppedEarly));
        return (whole, history);
    }

    private static void SameRun(Trainer<float> whole, TrainingHistory all, Trainer<float> resumed, TrainingHistory last)
    {
        Assert.Equal(Bits(whole.Model.Parameters), Bits(resumed.Model.Parameters));
        Assert.Equal(Bits(whole.Model.State), Bits(resumed.Model.State));
        Assert.Equal((whole.CompletedEpochs, whole.Steps), (resumed.CompletedEpochs, resumed.Steps));
        Assert.Equal((all.BestEpoch, all.StoppedEarly), (last.BestEpoch, last.StoppedEarly));
        Assert.Equal(Summary(all.Best), Summary(last.Best));
    }

    private static byte[] Bits(Span<float> values) => MemoryMarshal.AsBytes(values).ToArray();

    // An epoch's result but its wall time.
    private static (int, double, Evaluation?, double, long) Summary(EpochResult e) => (e.Epoch, e.TrainLoss, e.Validation, e.LearningRate, e.Steps);

    [Fact]
    public void PausedAtEveryEpochBoundaryInOneTrainerTheRunStopsAndRestoresAsUninterrupted()
    {
        (Trainer<float> whole, TrainingHistory all) = Uninterrupted();
        Trainer<float> paused = New();
        var fits = new List<TrainingHistory>();
        do
        {
            using var stop = new CancellationTokenSource();
            paused.EpochCompleted = _ => stop.Cancel();
            fits.Add(paused.Fit(Data(), cancellationToken: stop.Token));
        }
        while (fits[^1].Epochs.Count > 0 && !fits[^1].StoppedEarly);

        Assert.Equal(9, fits.Count);
        SameRun(whole, all, paused, fits[^1]);
        // The run has ended: another Fit trains no more, and says why.
        TrainingHistory after = paused.Fit(Data());
        Assert.Equal((0, 6, true), (after.Epochs.Count, after.BestEpoch, after.StoppedEarly));
        SameRun(whole, all, paused, after);
    }

    [Fact]
    public void PausedInTheMiddleOfEpochsInOneTrainerTheRunStopsAndRestoresAsUninterrupted()
    {
        (Trainer<float> whole, TrainingHistory all) = Uninterrupted();
        // 5 steps an epoch; a pause every 3 steps falls within epochs and, every third time, at an epoch's end.
        CancellationTokenSource? stop = null;
        Trainer<float> paused = New(onStep: step =>
        {
            if (step % 3 == 0)
                stop!.Cancel();
        });
        TrainingHistory last;
        do
        {
            stop = new CancellationTokenSource();
            last = paused.Fit(Data(), cancellationToken: stop.Token);
        }
        while (stop.IsCancellationRequested && !last.StoppedEarly);
        SameRun(whole, all, paused, last);
    }

    // As the fastnn command saves them: from the epoch callback, before Fit has returned (at the stopping epoch, before
    // the best weights are put back), each loaded into a trainer built anew with other model and shuffling seeds.
    [Fact]
    public void CheckpointedAtEveryEpochBoundaryIntoFreshTrainersTheRunStopsAndRestoresAsUninterrupted()
    {
        (Trainer<float> whole, TrainingHistory all) = Uninterrupted();
        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        TrainingHistory last;
        int fits = 0;
        do
        {
            Trainer<float> trainer = fits++ == 0 ? New() : New(modelSeed: 99, Options with { Seed = 12345 });
            if (fits > 1)
                Checkpoint.Load(path, trainer);
            using var stop = new CancellationTokenSource();
            trainer.EpochCompleted = _ =>
            {
                Checkpoint.Save(path, trainer);
                stop.Cancel();
            };
            last = trainer.Fit(Data(), cancellationToken: stop.Token);
            if (last.Epochs.Count == 0)
                SameRun(whole, all, trainer, last);
        }
        while (last.Epochs.Count > 0);
        Assert.Equal(10, fits);
        Assert.True(last.StoppedEarly);
    }

    [Fact]
    public void CheckpointedInTheMiddleOfEpochsIntoFreshTrainersTheRunStopsAndRestoresAsUninterrupted()
    {
        (Trainer<float> whole, TrainingHistory all) = Uninterrupted();
        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        TrainingHistory last;
        bool paused;
        int fits = 0;
        do
        {
            using var stop = new CancellationTokenSource();
            int steps = 0;
            void PauseAfterFour(int _)
            {
                if (++steps == 4)
                    stop.Cancel();
            }
            Trainer<float> trainer = fits++ == 0 ? New(onStep: PauseAfterFour) : New(modelSeed: 99, Options with { Seed = 12345 }, PauseAfterFour);
            if (fits > 1)
                Checkpoint.Load(path, trainer);
            last = trainer.Fit(Data(), cancellationToken: stop.Token);
            Checkpoint.Save(path, trainer);
            paused = stop.IsCancellationRequested && !last.StoppedEarly;
            if (!paused)
                SameRun(whole, all, trainer, last);
        }
        while (paused);
        Assert.Equal(12, fits); // 45 steps, 4 a Fit
    }

    // Epochs is the trainer's budget: a checkpoint saved at the last epoch of a smaller one (from the epoch callback, as
    // the fastnn command saves it, before the best weights are put back) resumes in a trainer with a larger budget and
    // another callback, and trains on as the run under the larger budget, its watch carried over: Options' run stops at
    // epoch 9 with epoch 6 the best, whichever epoch the smaller budget ended at.
    [Theory]
    [InlineData(5)]
    [InlineData(8)]
    public void ACheckpointOfASmallerBudgetsLastEpochTrainsOnUnderALargerOne(int budget)
    {
        (Trainer<float> whole, TrainingHistory all) = Uninterrupted();
        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        Trainer<float> smaller = New(options: Options with { Epochs = budget });
        smaller.EpochCompleted = e =>
        {
            if (e.Epoch == budget)
                Checkpoint.Save(path, smaller);
        };
        Assert.False(smaller.Fit(Data()).StoppedEarly);

        Trainer<float> larger = New(modelSeed: 99, Options with { Seed = 12345 });
        var epochs = new List<int>();
        larger.EpochCompleted = e => epochs.Add(e.Epoch);
        Checkpoint.Load(path, larger);
        SameRun(whole, all, larger, larger.Fit(Data()));
        Assert.Equal(Enumerable.Range(budget + 1, 9 - budget), epochs);
    }

    // Cross-entropy in training; in evaluation, the scripted validation loss of the epoch being validated.
    private sealed class ScriptedValidationLoss(Func<Trainer<float>> trainer, float[] script) : ILoss<float>
    {
        private readonly SoftmaxCrossEntropyLoss<float> _loss = new();

        public float Compute(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, Span<float> gradient, int batch)
        {
            float loss = _loss.Compute(prediction, target, gradient, batch);
            return trainer().Model.Training ? loss : script[trainer().CompletedEpochs - 1];
        }
    }

    // Validation losses the watch must judge by the documented rule, across checkpoints: a NaN is no improvement (not
    // even first), an infinite loss is a best to beat, an improvement of exactly MinDelta is none. With MinDelta 0.25
    // and Patience 3: epoch 2 (∞) is the first best, 3 (1) beats it, 4 (0.75) does not, 6 (0.625) does, 7 and 8 (by
    // 0.125 and exactly 0.25) do not, 9 (NaN) is the third without: the run stops at 9 of 10 with epoch 6 put back.
    [Fact]
    public void NonFiniteAndMinDeltaEdgeValidationLossesAreJudgedTheSameAcrossCheckpoints()
    {
        float[] script = [float.NaN, float.PositiveInfinity, 1, 0.75f, float.NaN, 0.625f, 0.5f, 0.375f, float.NaN, 0.25f];
        TrainerOptions options = Options with { Epochs = 10, MinDelta = 0.25, Patience = 3 };
        Trainer<float> Scripted()
        {
            Sequential<float> model = new SequentialBuilder<float>(4).Dense(8).BatchNorm().Relu().Dense(3).Build(maxBatch: 8, seed: 1);
            Trainer<float>? trainer = null;
            trainer = new Trainer<float>(model, new ScriptedValidationLoss(() => trainer!, script), new AdamW<float>(model.Parameters.Length, learningRate: 0.01),
                TaskKind.MultiClassClassification, options);
            return trainer;
        }

        Trainer<float> whole = Scripted();
        var snapshots = new Dictionary<int, byte[]>();
        whole.EpochCompleted = e => snapshots[e.Epoch] = Bits(whole.Model.Parameters);
        TrainingHistory all = whole.Fit(Data());
        Assert.Equal((6, 9, true), (all.BestEpoch, whole.CompletedEpochs, all.StoppedEarly));
        Assert.Equal(snapshots[6], Bits(whole.Model.Parameters));

        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        TrainingHistory last;
        int fits = 0;
        do
        {
            Trainer<float> trainer = Scripted();
            if (fits++ > 0)
                Checkpoint.Load(path, trainer);
            using var stop = new CancellationTokenSource();
            trainer.EpochCompleted = _ =>
            {
                Checkpoint.Save(path, trainer);
                stop.Cancel();
            };
            last = trainer.Fit(Data(), cancellationToken: stop.Token);
            if (fits == 2)
                Assert.Contains("\"loss\":\"Infinity\"", SafetensorsReference.Decode(File.ReadAllBytes(path))!.Value.Metadata["fastnn.checkpoint"]);
            if (last.Epochs.Count == 0)
                SameRun(whole, all, trainer, last);
        }
        while (last.Epochs.Count > 0);
        Assert.Equal(10, fits);
    }

    // A checkpoint of Options' run paused after `steps` steps (5 an epoch).
    private static string PausedCheckpoint(TempFolder folder, int steps)
    {
        using var stop = new CancellationTokenSource();
        Trainer<float> trainer = New(onStep: step =>
        {
            if (step == steps)
                stop.Cancel();
        });
        trainer.Fit(Data(), cancellationToken: stop.Token);
        string path = folder.File($"paused-{steps}.ckpt.safetensors");
        Checkpoint.Save(path, trainer);
        return path;
    }

    private static void Refused(string path, TrainerOptions options, string named)
    {
        Trainer<float> trainer = New(modelSeed: 99, options);
        byte[] parameters = Bits(trainer.Model.Parameters);
        var e = Assert.Throws<ModelFileException>(() => Checkpoint.Load(path, trainer));
        Assert.Contains(named, e.Message);
        Assert.Equal(parameters, Bits(trainer.Model.Parameters));
        Assert.Equal((0L, 0), (trainer.Steps, trainer.CompletedEpochs));
        Assert.Null(trainer.EarlyStopping);
    }

    // Shuffle and DropLast place every row of every remaining epoch: under others the resumed run is silently another,
    // whether the checkpoint was saved in the middle of an epoch or between two.
    [Theory]
    [InlineData(7)]
    [InlineData(10)]
    public void ACheckpointUnderOtherShuffleOrDropLastIsRefusedNamingTheOption(int steps)
    {
        using var folder = new TempFolder();
        string path = PausedCheckpoint(folder, steps);
        Refused(path, Options with { Shuffle = false }, "the checkpoint's run was trained under other options than the trainer's: TrainerOptions.Shuffle is true in the checkpoint, false in the trainer's");
        Refused(path, Options with { DropLast = true }, "TrainerOptions.DropLast is false in the checkpoint, true in the trainer's");
    }

    // With a watch (an epoch has been validated), the options that judge it must be the saved run's: each one that
    // differs is named, all in one message.
    [Fact]
    public void ACheckpointWithAWatchUnderOtherEarlyStoppingOptionsIsRefusedNamingThem()
    {
        using var folder = new TempFolder();
        string path = PausedCheckpoint(folder, 10);
        Refused(path, Options with { Patience = 4 }, "TrainerOptions.Patience is 3 in the checkpoint, 4 in the trainer's");
        Refused(path, Options with { MinDelta = 0.01 }, "TrainerOptions.MinDelta is 0 in the checkpoint, 0.01 in the trainer's");
        Refused(path, Options with { EarlyStoppingOn = EarlyStoppingOn.ValidationMetric }, "TrainerOptions.EarlyStoppingOn is ValidationLoss in the checkpoint, ValidationMetric in the trainer's");
        Refused(path, Options with { RestoreBest = false }, "TrainerOptions.RestoreBest is true in the checkpoint, false in the trainer's");
        Refused(path, Options with { Shuffle = false, Patience = 0, RestoreBest = false },
            "TrainerOptions.Shuffle is true in the checkpoint, false in the trainer's; TrainerOptions.Patience is 3 in the checkpoint, 0 in the trainer's; TrainerOptions.RestoreBest is true in the checkpoint, false in the trainer's");
    }

    // Before the first validated epoch there is no watch to keep: other early-stopping options are the run's from the
    // start, and the resumed run is the uninterrupted run under them.
    [Fact]
    public void ACheckpointWithoutAWatchResumesUnderOtherEarlyStoppingOptionsAsARunUnderThem()
    {
        using var folder = new TempFolder();
        string path = PausedCheckpoint(folder, 3);
        TrainerOptions other = Options with { Patience = 1, MinDelta = 0.001 };
        Trainer<float> whole = New(options: other);
        TrainingHistory all = whole.Fit(Data());
        Trainer<float> resumed = New(modelSeed: 99, other);
        Checkpoint.Load(path, resumed);
        SameRun(whole, all, resumed, resumed.Fit(Data()));
    }

    // In one trainer: the validation rows of a run whose epochs have been validated cannot vanish or change count.
    [Fact]
    public void AFitWithoutTheRunsValidationRowsOrWithAnotherCountIsRefusedBeforeAnyStep()
    {
        (Dataset<float> train, Dataset<float> validation) = Data().Split(0.4, seed: 3, stratified: true);
        // Without Patience (which needs validation rows in every Fit anyway), RestoreBest still watches the run.
        TrainerOptions explicitValidation = Options with { ValidationFraction = 0, Patience = 0, Epochs = 8 };
        Trainer<float> whole = New(options: explicitValidation);
        TrainingHistory all = whole.Fit(train, validation);

        Assert.Equal(6, all.BestEpoch);
        Trainer<float> paused = New(options: explicitValidation);
        using (var stop = new CancellationTokenSource())
        {
            paused.EpochCompleted = _ => stop.Cancel();
            paused.Fit(train, validation, stop.Token);
            paused.EpochCompleted = null;
        }
        byte[] parameters = Bits(paused.Model.Parameters);
        Assert.Contains("This run's epochs were validated on 24 rows (its best epoch so far is 1); give this Fit the same validation rows",
            Assert.Throws<InvalidOperationException>(() => paused.Fit(train)).Message);
        (Dataset<float> fewer, _) = validation.Split(0.5, seed: 1);
        Assert.Equal("validation", Assert.Throws<ArgumentException>(() => paused.Fit(train, fewer)).ParamName);
        Assert.Equal(parameters, Bits(paused.Model.Parameters));
        Assert.Equal((5L, 1), (paused.Steps, paused.CompletedEpochs));

        SameRun(whole, all, paused, paused.Fit(train, validation));
    }

    // The watch is read as strictly as the rest: counts beyond the run's epochs (also when their sum would overflow an
    // int), negative counts or counts past an int, an unknown watched number or a value that is neither a number nor a
    // named non-finite one make the file malformed, the message naming the key from the checkpoint value's root (as
    // unfinished_epoch's do), and the trainer is left unchanged. The checkpoint's run has completed 2 epochs, the second
    // its best.
    [Theory]
    [InlineData("epochs_since_best", "5")]
    [InlineData("epochs_since_best", "2147483647")]
    [InlineData("epochs_since_best", "-1")]
    [InlineData("best.epoch", "3")]
    [InlineData("best.epoch", "0")]
    [InlineData("best.steps", "-1")]
    [InlineData("best.validation.loss", "\"nan\"")]
    [InlineData("patience", "-3")]
    [InlineData("patience", "4294967296")]
    [InlineData("watch", "\"accuracy\"")]
    [InlineData("restore_best", "1")]
    [InlineData("validation_rows", "0")]
    public void AMalformedWatchIsRefusedNamingTheFile(string key, string value)
    {
        using var folder = new TempFolder();
        string path = PausedCheckpoint(folder, 10);
        EditProgress(path, progress =>
        {
            string[] names = key.Split('.');
            JsonNode parent = names[..^1].Aggregate(progress["early_stopping"]!, (node, name) => node[name]!);
            Assert.NotNull(parent[names[^1]]);
            parent[names[^1]] = JsonNode.Parse(value);
        });
        AssertMalformed(path, $"early_stopping.{key} ");
    }

    // The unfinished epoch is read as strictly: more rows with a loss than rows done, more rows done than training rows,
    // or no batch size cannot come from a run, and would give a wrong epoch loss or no step; nor can a negative count.
    // The message names the key, and the trainer is left unchanged.
    [Theory]
    [InlineData("rows_stepped", 1)]
    [InlineData("rows", 1)]
    [InlineData("batch_size", 0)]
    [InlineData("batch_size", -1)]
    [InlineData("train_rows", -5)]
    public void AMalformedUnfinishedEpochIsRefusedNamingTheFile(string key, int change)
    {
        using var folder = new TempFolder();
        string path = PausedCheckpoint(folder, 12); // mid-epoch 3
        EditProgress(path, progress =>
        {
            JsonObject unfinished = progress["unfinished_epoch"]!.AsObject();
            unfinished[key] = key switch
            {
                "rows_stepped" => (int)unfinished["rows"]! + change,
                "rows" => (int)unfinished["train_rows"]! + change,
                _ => change,
            };
        });
        AssertMalformed(path, $"unfinished_epoch.{key}");
    }

    // Rewrites the file's fastnn.checkpoint value through edit, the tensors as they were.
    private static void EditProgress(string path, Action<JsonObject> edit)
    {
        (string header, byte[] data) = SafetensorsReference.Split(File.ReadAllBytes(path));
        JsonObject root = JsonNode.Parse(header)!.AsObject();
        JsonObject progress = JsonNode.Parse((string)root["__metadata__"]!["fastnn.checkpoint"]!)!.AsObject();
        edit(progress);
        root["__metadata__"]!["fastnn.checkpoint"] = progress.ToJsonString();
        File.WriteAllBytes(path, SafetensorsReference.Build(root.ToJsonString(), data));
    }

    // Loading the file into a fresh trainer is refused as malformed, naming the file and the key, the trainer unchanged.
    private static void AssertMalformed(string path, string key)
    {
        Trainer<float> trainer = New(modelSeed: 99);
        var e = Assert.Throws<ModelFileException>(() => Checkpoint.Load(path, trainer));
        Assert.Contains("fastnn.checkpoint is malformed", e.Message);
        Assert.Contains(key, e.Message);
        Assert.Contains(path, e.Message);
        Assert.Equal((0L, 0), (trainer.Steps, trainer.CompletedEpochs));
    }

    // The best weights are read as strictly as the model's tensors: one missing, of another size or of a count's dtype,
    // or present where the watch has no best epoch to go with them, is refused naming the file and the tensor, the
    // trainer unchanged.
    [Theory]
    [InlineData("no best_state", "missing 'early_stopping.best_state'")]
    [InlineData("short best_state", "'early_stopping.best_state' is [64] in the file but [66]")]
    [InlineData("I64 best_parameters", "'early_stopping.best_parameters' is I64 in the file but a value (F32 or F64)")]
    [InlineData("no best epoch", "unexpected 'early_stopping.best_parameters', 'early_stopping.best_state'")]
    [InlineData("no watch", "unexpected 'early_stopping.best_parameters', 'early_stopping.best_state'")]
    public void MalformedBestWeightsAreRefusedNamingTheFileAndTensor(string change, string named)
    {
        using var folder = new TempFolder();
        string path = PausedCheckpoint(folder, 10);
        var (tensors, metadata) = SafetensorsReference.Decode(File.ReadAllBytes(path))!.Value;
        JsonObject progress = JsonNode.Parse(metadata["fastnn.checkpoint"])!.AsObject();
        RawTensor state = tensors["early_stopping.best_state"], parameters = tensors["early_stopping.best_parameters"];
        Assert.Equal([66L], state.Shape); // BatchNorm1d(32): running_mean, running_var, num_batches_tracked (value, remainder: StateCount)
        switch (change)
        {
            case "no best_state":
                tensors.Remove("early_stopping.best_state");
                break;
            case "short best_state":
                tensors["early_stopping.best_state"] = state with { Shape = [64], Bytes = state.Bytes[..^8] }; // [65] is an older build's
                break;
            case "I64 best_parameters":
                tensors["early_stopping.best_parameters"] = parameters with
                {
                    DType = "I64", Bytes = [.. parameters.Values().SelectMany(v => BitConverter.GetBytes((long)v))],
                };
                break;
            case "no best epoch":
                Assert.True(progress["early_stopping"]!.AsObject().Remove("best"));
                progress["early_stopping"]!["epochs_since_best"] = 2;
                break;
            default:
                Assert.True(progress.Remove("early_stopping"));
                break;
        }
        metadata["fastnn.checkpoint"] = progress.ToJsonString();
        File.WriteAllBytes(path, Encode(tensors, metadata));

        Trainer<float> trainer = New(modelSeed: 99);
        byte[] before = Bits(trainer.Model.Parameters);
        var e = Assert.Throws<ModelFileException>(() => Checkpoint.Load(path, trainer));
        Assert.Contains(path, e.Message);
        Assert.Contains(named, e.Message);
        Assert.Equal(before, Bits(trainer.Model.Parameters));
        Assert.Equal((0L, 0), (trainer.Steps, trainer.CompletedEpochs));
        Assert.Null(trainer.EarlyStopping);
    }

    // Builds before StateCount wrote a best_state of one element per count (BatchNorm1d(32): [65], num_batches_tracked
    // last, its value): such a checkpoint still loads, its count put back with a remainder of 0, and resumes as the
    // file of today's layout does.
    [Fact]
    public void ABestStateOfAnOlderBuildWithOneElementPerCountLoads()
    {
        using var folder = new TempFolder();
        string path = PausedCheckpoint(folder, 10);
        var (tensors, metadata) = SafetensorsReference.Decode(File.ReadAllBytes(path))!.Value;
        RawTensor state = tensors["early_stopping.best_state"];
        Assert.Equal(0.0, state.Values()[65]); // the remainder of a small count
        tensors["early_stopping.best_state"] = state with { Shape = [65], Bytes = state.Bytes[..^4] };
        string older = folder.File("older.ckpt.safetensors");
        File.WriteAllBytes(older, Encode(tensors, metadata));

        Trainer<float> today = New(modelSeed: 99), before = New(modelSeed: 98);
        Checkpoint.Load(path, today);
        Checkpoint.Load(older, before);
        Assert.True(before.BestState.Span[64] > 0); // the best epoch's num_batches_tracked
        Assert.Equal(today.BestState.ToArray(), before.BestState.ToArray());
        today.Fit(Data());
        before.Fit(Data());
        Assert.Equal(Bits(today.Model.Parameters), Bits(before.Model.Parameters));
        Assert.Equal(today.Model.State.ToArray(), before.Model.State.ToArray());
    }

    // A well-formed file of these tensors, laid out one after another in name order, and metadata.
    private static byte[] Encode(Dictionary<string, RawTensor> tensors, Dictionary<string, string> metadata)
    {
        var header = new JsonObject { ["__metadata__"] = new JsonObject([.. metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value))]) };
        var data = new List<byte>();
        foreach ((string name, RawTensor t) in tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            header[name] = new JsonObject
            {
                ["dtype"] = t.DType,
                ["shape"] = new JsonArray([.. t.Shape.Select(d => (JsonNode?)d)]),
                ["data_offsets"] = new JsonArray(data.Count, data.Count + t.Bytes.Length),
            };
            data.AddRange(t.Bytes);
        }
        return SafetensorsReference.Build(header.ToJsonString(), [.. data]);
    }

    [Fact]
    public void TheBestEpochsNonFiniteNumbersRoundTripThroughTheFile()
    {
        using var folder = new TempFolder();
        string path = PausedCheckpoint(folder, 10);
        string progress = SafetensorsReference.Decode(File.ReadAllBytes(path))!.Value.Metadata["fastnn.checkpoint"];
        Assert.Contains("\"rmse\":\"NaN\"", progress);
        Trainer<float> trainer = New(modelSeed: 99);
        Checkpoint.Load(path, trainer);
        Assert.True(double.IsNaN(trainer.EarlyStopping!.Best!.Validation!.Rmse));
    }

    // A checkpoint as FastNN wrote them before the watch and the two options were saved: the same file without the
    // early_stopping, shuffle and drop_last keys and without the best weights (the last tensors, so the other tensors'
    // offsets stand).
    private static void WriteTheOldWay(string path)
    {
        (string header, byte[] data) = SafetensorsReference.Split(File.ReadAllBytes(path));
        JsonObject root = JsonNode.Parse(header)!.AsObject();
        foreach (string best in new[] { "early_stopping.best_parameters", "early_stopping.best_state" })
            root.Remove(best);
        JsonObject metadata = root["__metadata__"]!.AsObject();
        JsonObject progress = JsonNode.Parse((string)metadata["fastnn.checkpoint"]!)!.AsObject();
        Assert.True(progress.Remove("early_stopping") && progress.Remove("shuffle") && progress.Remove("drop_last"));
        metadata["fastnn.checkpoint"] = progress.ToJsonString();
        long end = root.Where(t => t.Key != "__metadata__").Max(t => (long)t.Value!["data_offsets"]![1]!);
        File.WriteAllBytes(path, SafetensorsReference.Build(root.ToJsonString(), data[..(int)end]));
    }

    // An older file holds no watch and no options: it is not checked against them, it resumes the run's steps exactly
    // (as it always did), and the watch starts afresh at the resume (as it always did).
    [Fact]
    public void ACheckpointWrittenBeforeTheWatchWasSavedResumesAsBefore()
    {
        using var folder = new TempFolder();
        string path = PausedCheckpoint(folder, 35); // after epoch 7: best 6, one epoch since
        WriteTheOldWay(path);

        Trainer<float> other = New(modelSeed: 99, Options with { Shuffle = false, DropLast = true, Patience = 1, RestoreBest = false });
        Checkpoint.Load(path, other);
        Assert.Equal((35L, 7), (other.Steps, other.CompletedEpochs));

        TrainerOptions unwatched = Options with { Patience = 0, RestoreBest = false };
        Trainer<float> whole = New(options: unwatched);
        TrainingHistory all = whole.Fit(Data());
        Trainer<float> steps = New(modelSeed: 99, unwatched);
        Checkpoint.Load(path, steps);
        Assert.Null(steps.EarlyStopping);
        TrainingHistory rest = steps.Fit(Data());
        Assert.Equal(Bits(whole.Model.Parameters), Bits(steps.Model.Parameters));
        Assert.Equal(Bits(whole.Model.State), Bits(steps.Model.State));
        Assert.Equal(all.Epochs.Skip(7).Select(Summary), rest.Epochs.Select(Summary));

        // The fresh watch, by the documented rule over the epochs after the resume (their numbers as the run above had them).
        Trainer<float> watched = New(modelSeed: 99);
        Checkpoint.Load(path, watched);
        TrainingHistory fresh = watched.Fit(Data());
        int best = 0, since = 0, stop = 0;
        foreach (EpochResult e in all.Epochs.Skip(7))
        {
            if (best == 0 || e.Validation!.Loss < all.Epochs[best - 1].Validation!.Loss)
                (best, since) = (e.Epoch, 0);
            else if (++since == Options.Patience)
            {
                stop = e.Epoch;
                break;
            }
        }
        Assert.Equal((best, stop, true), (fresh.BestEpoch, watched.CompletedEpochs, fresh.StoppedEarly));
        Assert.True(stop > 9, $"the fresh watch stops at {stop}, where the carried one stops");
    }

    // A file FastNN wrote before the watch was saved (commit 8e38d73, by Fixtures/checkpoints/make_checkpoint_fixtures.sh:
    // this file's run paused after epoch 7). Its numbers came from another build on another instruction-set path, so
    // they are compared with the file, not with a run here.
    [Fact]
    public void ACheckpointFixtureWrittenByAnOlderFastNNLoadsAndStartsAFreshWatch()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "checkpoints", "paused_before_watch_f32.safetensors");
        var (tensors, metadata) = SafetensorsReference.Decode(File.ReadAllBytes(path))!.Value;
        Assert.DoesNotContain("early_stopping", metadata["fastnn.checkpoint"]);
        Assert.DoesNotContain("shuffle\"", metadata["fastnn.checkpoint"]);

        Checkpoint.Load(path, New(modelSeed: 99, Options with { Shuffle = false, DropLast = true, Patience = 1, RestoreBest = false }));
        Trainer<float> resumed = New(modelSeed: 99);
        Checkpoint.Load(path, resumed);
        Assert.Equal((35L, 7), (resumed.Steps, resumed.CompletedEpochs));
        Assert.Null(resumed.EarlyStopping);
        Assert.Equal(tensors["0.weight"].Values(), resumed.Model.Tensor("0.weight").ToArray().Select(v => (double)v));

        var snapshots = new Dictionary<int, byte[]>();
        resumed.EpochCompleted = e => snapshots[e.Epoch] = Bits(resumed.Model.Parameters);
        TrainingHistory fresh = resumed.Fit(Data());
        Assert.Equal(8, fresh.Epochs[0].Epoch);
        Assert.InRange(fresh.BestEpoch, 8, resumed.CompletedEpochs);
        Assert.Equal(snapshots[fresh.BestEpoch], Bits(resumed.Model.Parameters));
    }
}
