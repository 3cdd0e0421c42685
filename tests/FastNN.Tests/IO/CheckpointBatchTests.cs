using System.Text.Json.Nodes;
using FastNN.Data;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;

namespace FastNN.Tests.IO;

/// <summary>
/// A checkpoint saved between epochs resumes only in batches of the size its run ran (capped at the training rows, as
/// Fit caps them) and under its ValidationFraction: under others the remaining epochs would be another run's.
/// </summary>
public class CheckpointBatchTests
{
    // Three classes of 4-feature rows around three centres, 90 rows.
    private static Dataset<float> Blobs()
    {
        var random = new FastRandom(17);
        var x = new float[90 * 4];
        var y = new float[90];
        for (int r = 0; r < 90; r++)
        {
            y[r] = r % 3;
            for (int c = 0; c < 4; c++)
                x[4 * r + c] = (float)((c == r % 3 ? 2.0 : 0.0) + random.NextDouble(-1, 1));
        }
        return new Dataset<float>(x, y, 4);
    }

    private static Trainer<float> NewTrainer(int maxBatch, int? batchSize, double validationFraction = 0)
    {
        Sequential<float> model = new SequentialBuilder<float>(4).Dense(8).Relu().Dense(3).Build(maxBatch, seed: 1);
        return new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), new Sgd<float>(model.Parameters.Length, 0.05, momentum: 0.9),
            TaskKind.MultiClassClassification,
            new TrainerOptions { Epochs = 4, BatchSize = batchSize, Seed = 7, ValidationFraction = validationFraction });
    }

    // A run paused after its second epoch, between epochs (no unfinished epoch in the file).
    private static void SavePausedRun(string path, Trainer<float> trainer)
    {
        using var stop = new CancellationTokenSource();
        trainer.EpochCompleted = e =>
        {
            if (e.Epoch == 2)
                stop.Cancel();
        };
        trainer.Fit(Blobs(), cancellationToken: stop.Token);
        Assert.Equal(2, trainer.CompletedEpochs);
        Checkpoint.Save(path, trainer);
    }

    private static void Refused(string path, Trainer<float> trainer, string message)
    {
        float[] parameters = trainer.Model.Parameters.ToArray();
        var e = Assert.Throws<ModelFileException>(() => Checkpoint.Load(path, trainer));
        Assert.Contains("the checkpoint's run was trained under other options than the trainer's: " + message, e.Message);
        Assert.Equal(parameters, trainer.Model.Parameters.ToArray());
        Assert.Equal(0, trainer.CompletedEpochs);
    }

    // BatchSize unset runs min(32, MaxBatch): a model rebuilt at a smaller MaxBatch (which the architecture check
    // allows) would train the remaining epochs in batches of 8 where the run took 16.
    [Fact]
    public void AnEpochBoundaryCheckpointRefusesAnotherBatchSize()
    {
        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        SavePausedRun(path, NewTrainer(maxBatch: 16, batchSize: null));

        Refused(path, NewTrainer(maxBatch: 8, batchSize: null),
            "TrainerOptions.BatchSize is 16 (as run over its 90 training rows) in the checkpoint, 8 (unset: min(32, the model's MaxBatch of 8)) in the trainer's");
        Refused(path, NewTrainer(maxBatch: 64, batchSize: 12), "TrainerOptions.BatchSize is 16 (as run over its 90 training rows) in the checkpoint, 12 in the trainer's");
        Checkpoint.Load(path, NewTrainer(maxBatch: 64, batchSize: 16));
    }

    // A batch above the training rows runs as one batch of all of them, so 128 and 100 over 90 rows are the same run.
    [Fact]
    public void ABatchThatRunsAsTheSavedOneResumesBitIdentically()
    {
        Trainer<float> whole = NewTrainer(maxBatch: 128, batchSize: 128);
        whole.Fit(Blobs());

        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        SavePausedRun(path, NewTrainer(maxBatch: 128, batchSize: 128));
        Trainer<float> resumed = NewTrainer(maxBatch: 100, batchSize: 100);
        Checkpoint.Load(path, resumed);
        resumed.Fit(Blobs());
        Assert.Equal(whole.Model.Parameters.ToArray(), resumed.Model.Parameters.ToArray());

        Refused(path, NewTrainer(maxBatch: 128, batchSize: 89),
            "TrainerOptions.BatchSize is 90 (as run over its 90 training rows) in the checkpoint, 89 in the trainer's");
    }

    // A run with no validation split resumed with one would train on fewer rows; another fraction on other rows.
    [Fact]
    public void AnEpochBoundaryCheckpointRefusesAnotherValidationFraction()
    {
        using var folder = new TempFolder();
        string path = folder.File("none.ckpt.safetensors");
        SavePausedRun(path, NewTrainer(maxBatch: 16, batchSize: 16));
        Refused(path, NewTrainer(maxBatch: 16, batchSize: 16, validationFraction: 0.2),
            "TrainerOptions.ValidationFraction is 0 in the checkpoint, 0.2 in the trainer's");

        string split = folder.File("split.ckpt.safetensors");
        SavePausedRun(split, NewTrainer(maxBatch: 16, batchSize: 16, validationFraction: 0.2));
        Refused(split, NewTrainer(maxBatch: 16, batchSize: 16, validationFraction: 0.25),
            "TrainerOptions.ValidationFraction is 0.2 in the checkpoint, 0.25 in the trainer's");
        Refused(split, NewTrainer(maxBatch: 16, batchSize: 16),
            "TrainerOptions.ValidationFraction is 0.2 in the checkpoint, 0 in the trainer's");
        Checkpoint.Load(split, NewTrainer(maxBatch: 16, batchSize: 16, validationFraction: 0.2));
    }

    // A file of a build before the batch and the fraction were recorded loads, unchecked on them between epochs; an
    // epoch cut short is still finished only in its own batches, which Fit checks.
    [Fact]
    public void ACheckpointWithoutTheRecordLoadsUnchecked()
    {
        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        SavePausedRun(path, NewTrainer(maxBatch: 16, batchSize: null));
        WithoutTheRecord(path);
        Trainer<float> other = NewTrainer(maxBatch: 8, batchSize: null, validationFraction: 0.2);
        Checkpoint.Load(path, other);
        Assert.Equal(2, other.CompletedEpochs);

        Trainer<float> cut = NewTrainer(maxBatch: 16, batchSize: null);
        using var stop = new CancellationTokenSource();
        cut.Regularizer = new FastNN.Tests.Training.StepHook<float>(null, step =>
        {
            if (step == 2)
                stop.Cancel();
        });
        cut.Fit(Blobs(), cancellationToken: stop.Token);
        Assert.NotNull(cut.Unfinished);
        string partway = folder.File("partway.ckpt.safetensors");
        Checkpoint.Save(partway, cut);
        WithoutTheRecord(partway);
        Trainer<float> smaller = NewTrainer(maxBatch: 8, batchSize: null);
        Checkpoint.Load(partway, smaller);
        Assert.Contains("was begun in batches of 16; this trainer's are 8", Assert.Throws<InvalidOperationException>(() => smaller.Fit(Blobs())).Message);
    }

    private static void WithoutTheRecord(string path)
    {
        (string header, byte[] data) = SafetensorsReference.Split(File.ReadAllBytes(path));
        JsonObject root = JsonNode.Parse(header)!.AsObject();
        JsonObject progress = JsonNode.Parse((string)root["__metadata__"]!["fastnn.checkpoint"]!)!.AsObject();
        Assert.True(progress.Remove("batches"));
        Assert.True(progress.Remove("validation_fraction"));
        root["__metadata__"]!["fastnn.checkpoint"] = progress.ToJsonString();
        File.WriteAllBytes(path, SafetensorsReference.Build(root.ToJsonString(), data));
    }

    // A run writes 1 ≤ batch_size ≤ train_rows, both counts, and a fraction in [0, 1): any other value is a damaged
    // file, refused naming the key, not compared as a run's options (a batch_size of -1 would be "another batch size").
    [Fact]
    public void AMalformedRecordIsRefusedNamingTheKey()
    {
        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        SavePausedRun(path, NewTrainer(maxBatch: 16, batchSize: 16, validationFraction: 0.2));
        (string header, byte[] data) = SafetensorsReference.Split(File.ReadAllBytes(path));
        JsonObject root = JsonNode.Parse(header)!.AsObject();
        JsonObject progress = JsonNode.Parse((string)root["__metadata__"]!["fastnn.checkpoint"]!)!.AsObject();
        Assert.Equal("""{"train_rows":72,"batch_size":16}""", progress["batches"]!.ToJsonString());
        Assert.Equal(0.2, (double)progress["validation_fraction"]!);

        foreach ((string key, JsonNode? value, string message) in new (string, JsonNode?, string)[]
        {
            ("batches", new JsonObject { ["train_rows"] = 72, ["batch_size"] = 0 }, "batches.batch_size (0) must be from 1 to the training rows (72)."),
            ("batches", new JsonObject { ["train_rows"] = 72, ["batch_size"] = 73 }, "batches.batch_size (73) must be from 1 to the training rows (72)."),
            ("batches", new JsonObject { ["train_rows"] = 72, ["batch_size"] = -1 }, "batches.batch_size must be a non-negative integer."),
            ("batches", new JsonObject { ["train_rows"] = 72.5, ["batch_size"] = 16 }, "batches.train_rows must be a non-negative integer."),
            ("batches", new JsonObject { ["train_rows"] = 72 }, "batches.batch_size must be a JSON Number."),
            ("batches", new JsonObject { ["batch_size"] = 16 }, "batches.train_rows must be a JSON Number."),
            ("batches", null, "batches.train_rows must be a JSON Number."),
            ("validation_fraction", -0.1, "validation_fraction must be in [0, 1)."),
            ("validation_fraction", 1.0, "validation_fraction must be in [0, 1)."),
            ("validation_fraction", "NaN", "validation_fraction must be a JSON Number."),
            ("validation_fraction", null, "validation_fraction must be a JSON Number."),
        })
        {
            JsonObject damaged = progress.DeepClone().AsObject();
            damaged[key] = value?.DeepClone();
            root["__metadata__"]!["fastnn.checkpoint"] = damaged.ToJsonString();
            File.WriteAllBytes(path, SafetensorsReference.Build(root.ToJsonString(), data));
            Trainer<float> trainer = NewTrainer(maxBatch: 16, batchSize: 16, validationFraction: 0.2);
            var e = Assert.Throws<ModelFileException>(() => Checkpoint.Load(path, trainer));
            Assert.Equal(path + ": fastnn.checkpoint is malformed: " + message, e.Message);
            Assert.Equal(0, trainer.CompletedEpochs);
        }
    }

    // The record is restored with the run, so a checkpoint saved again before any Fit keeps it.
    [Fact]
    public void ACheckpointSavedAgainAfterLoadingKeepsTheRecord()
    {
        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors"), again = folder.File("again.ckpt.safetensors");
        SavePausedRun(path, NewTrainer(maxBatch: 16, batchSize: null));
        Trainer<float> loaded = NewTrainer(maxBatch: 16, batchSize: null);
        Checkpoint.Load(path, loaded);
        Checkpoint.Save(again, loaded);
        Refused(again, NewTrainer(maxBatch: 8, batchSize: null),
            "TrainerOptions.BatchSize is 16 (as run over its 90 training rows) in the checkpoint, 8 (unset: min(32, the model's MaxBatch of 8)) in the trainer's");
    }
}
