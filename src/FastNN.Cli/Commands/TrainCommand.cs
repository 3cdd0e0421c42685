using System.CommandLine;
using System.Globalization;
using System.Numerics;
using FastNN.Cli.Options;
using FastNN.Cli.Plots;
using FastNN.Cli.Training;
using FastNN.Data;
using FastNN.IO;
using FastNN.Models;
using FastNN.Training;

namespace FastNN.Cli.Commands;

/// <summary><c>fastnn train</c>: trains a network on a CSV file (default: the embedded digits), reports held-out metrics and plots the run.</summary>
internal static class TrainCommand
{
    private sealed record Settings(DataSettings Data, ModelSettings Model, OptimizerSettings Optimizer, LoopSettings Loop, string Plot,
        FileSettings Files);

    /// <summary>The model files a run reads and writes.</summary>
    private sealed record FileSettings(string Save, string? InitWeights, string? Resume, int CheckpointEvery, string Checkpoint);

    public static Command Create(CliConsole console)
    {
        var data = new DataOptions(testSplit: true);
        var model = new ModelOptions();
        var optimizer = new OptimizerOptions();
        var loop = new LoopOptions(defaultEpochs: null);
        var plot = new Option<string?>("--plot")
        {
            Description = "Where to write the PNG of the loss and held-out metric per epoch. Default model.png.",
            HelpName = "FILE.png",
        };

        var save = new Option<string?>("--save")
        {
            Description = "Where to save the trained model: a safetensors file holding the weights, the architecture, the standardization, the class labels and the column names. Default model.safetensors.",
            HelpName = "FILE.safetensors",
        };
        var initWeights = new Option<string?>("--init-weights")
        {
            Description = "Start from the weights in this safetensors file (strict: every tensor of the network, nothing else, as PyTorch's load_state_dict), for instance to compare a run step by step with PyTorch.",
            HelpName = "FILE.safetensors",
        };
        var resume = new Option<string?>("--resume")
        {
            Description = "Continue the run a checkpoint saved (model, optimizer, schedule position, random streams) up to --epochs (the original run's under --schedule cosine, which anneals over them), ending as the run would have without the stop. The other options must be the original run's: the checkpoint records them, and one that differs is an error that names it (--data by the rows read, not the file's name: a renamed or moved copy resumes).",
            HelpName = "CHECKPOINT",
        };
        var checkpointEvery = new Option<int>("--checkpoint-every")
        {
            Description = "Save a checkpoint every N epochs (and after the last) to --checkpoint, and where Ctrl-C or SIGTERM stops the run. Default 0: none.",
            HelpName = "N",
        };
        var checkpoint = new Option<string?>("--checkpoint")
        {
            Description = "The checkpoint file --checkpoint-every writes. Default: the --save file's name with .checkpoint.safetensors.",
            HelpName = "FILE",
        };

        var command = new Command("train",
            "Train a network on a CSV file (default: the embedded digits), print the held-out accuracy (or R² and RMSE), save the model and plot the run.");
        data.AddTo(command);
        model.AddTo(command);
        optimizer.AddTo(command);
        loop.AddTo(command);
        foreach (Option option in new Option[] { initWeights, resume, checkpointEvery, checkpoint, save, plot })
            command.Options.Add(option);
        command.SetAction(parse => Fastnn.Guard(console, () =>
        {
            string savePath = parse.GetValue(save) ?? "model.safetensors", plotPath = parse.GetValue(plot) ?? "model.png";
            var files = new FileSettings(savePath, parse.GetValue(initWeights), parse.GetValue(resume),
                Options.OptionValues.AtLeast(parse.GetValue(checkpointEvery), 0, "--checkpoint-every"),
                parse.GetValue(checkpoint) ?? Path.ChangeExtension(savePath, null) + ".checkpoint.safetensors");
            if (files.InitWeights is not null && files.Resume is not null)
                throw new UsageException("--init-weights and --resume exclude each other: a checkpoint holds the weights.");
            // A resume keeps the original command's --init (its weights are the checkpoint's too): give the same command again.
            if (files.InitWeights is not null && model.InitGiven(parse))
                throw new UsageException("--init: --init-weights loads every weight of the network, leaving none for --init to set; give one of them.");
            if (parse.GetValue(checkpoint) is string named && files.CheckpointEvery == 0)
                throw new UsageException($"--checkpoint: nothing is written to '{named}' without --checkpoint-every N (1: after every epoch).");
            OutputFile.Check(files.Save, "--save", renamedOver: true);
            OutputFile.CheckNotStandardStream(plotPath, "--plot");
            OutputFile.CheckPngName(plotPath, "--plot");
            OutputFile.Check(plotPath, "--plot");
            if (files.CheckpointEvery > 0)
                OutputFile.Check(files.Checkpoint, "--checkpoint", renamedOver: true);
            if (files.InitWeights is not null)
                InputFile.Existing(files.InitWeights, "--init-weights");
            if (files.Resume is not null)
                InputFile.Existing(files.Resume, "--resume");
            var settings = new Settings(data.Read(parse), model.Read(parse), optimizer.Read(parse), loop.Read(parse), plotPath, files);
            // A resumed run writes its checkpoints where it may have read the last one; its model and plot go elsewhere.
            OutputFile.CheckDistinct(
                [("--save", files.Save), ("--plot", settings.Plot), ("--checkpoint", files.CheckpointEvery > 0 ? files.Checkpoint : null)],
                [("--data", settings.Data.Path), ("--init-weights", files.InitWeights)]);
            OutputFile.CheckDistinct([("--save", files.Save), ("--plot", settings.Plot)], [("--resume", files.Resume)]);
            using (loop.ApplyThreads(parse))
                return settings.Loop.Double ? Run<double>(console, settings) : Run<float>(console, settings);
        }));
        return command;
    }

    private static int Run<T>(CliConsole console, Settings s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        (Dataset<T> all, string source) = DataLoader.Read<T>(s.Data);
        TaskChoice task = DataLoader.Task(all, s.Data.Task);
        console.Line($"data: {source}, {Counted.Of(all.Rows, "row")}, {Counted.Of(all.FeatureCount, "feature")}, target '{all.TargetName}'");
        console.Line(all.ClassLabels is { } labels
            ? $"task: {task.Name()}, {labels.Count} classes ({DataLoader.Describe(labels)}){(s.Data.Task is null ? ", inferred (--task to override)" : "")}"
            : $"task: {task.Name()}{(s.Data.Task is null ? ", inferred (--task to override)" : "")}");

        PreparedData<T> data = Prepare(all, source, task, s);
        s.Loop.CheckBatches(data.Train.Rows, s.Model.BatchNorm ? "--batch-norm" : null);
        s = s with { Loop = s.Loop.ForTrainingRows(data.Train.Rows).AtMostRows(data.Train.Rows) };
        console.Line(data.Test is { } held
            ? $"split: {Counted.Of(data.Train.Rows, "training row")}, {held.Rows} held out{(task == TaskChoice.Regress ? "" : " (stratified)")}, seed {s.Loop.Seed}; "
              + (data.Input is null ? "not standardized" : $"standardized with training-row statistics{(data.Target is null ? "" : ", target too")}")
            : $"split: none (--test-fraction 0), {Counted.Of(data.Train.Rows, "training row")}; {(data.Input is null ? "not standardized" : "standardized")}");

        Sequential<T> model = ModelFactory.Build<T>(s.Model, all.FeatureCount, TrainerFactory.Outputs(task, all.ClassLabels?.Count ?? 0),
            TrainerFactory.MaxBatch(s.Loop), s.Loop.Seed);
        Trainer<T> trainer = TrainerFactory.Create(model, task, s.Optimizer, s.Loop, s.Data.Shuffle);
        console.Line($"model: {ModelDescription.Network(model, s.Model)}");
        console.Line($"training: {ModelDescription.Optimizer(s.Optimizer, s.Loop)}");
        var info = new ModelInfo
        {
            Task = task.Kind(),
            ClassLabels = task == TaskChoice.Regress ? null : all.ClassLabels,
            Input = data.Input,
            Target = data.Target,
            FeatureNames = all.FeatureNames,
            TargetName = all.TargetName,
            Notes = RunNotes.Of(source, all.TargetName, task, s.Data, s.Model, s.Optimizer, s.Loop, RunNotes.Rows(all)),
        };
        if (s.Files.InitWeights is string weights)
        {
            LoadWeights(weights, model);
            console.Line($"weights: loaded from {weights}");
        }
        if (s.Files.Resume is string resume)
        {
            // A model file (what --save writes) is the likeliest wrong file to resume from, and records the run's options as
            // a checkpoint does: told apart first, so that its options are not compared as if it could be resumed.
            if (IsModelFile<T>(resume))
                throw new UsageException(
                    $"--resume: {resume} is a model file, not a checkpoint: a run writes checkpoints to resume from with --checkpoint-every N (to --checkpoint); to start a new run from a model file's weights, give it to --init-weights.");
            // The options next (the checkpoint's header alone), so that a mistake is named as an option, then the run itself.
            RunNotes.CheckResume(resume, ModelFile.ReadInfo(resume).Notes, info.Notes!, data.Train.Rows);
            RunNotes.CheckData(resume, Checkpoint.Load(resume, trainer), info);
            if (trainer.CompletedEpochs > s.Loop.Epochs)
                throw new UsageException($"--epochs {s.Loop.Epochs}: {resume} has completed {Counted.Of(trainer.CompletedEpochs, "epoch")} already; give at least that many.");
            console.Line($"resumed: {resume}, {trainer.CompletedEpochs} of {Counted.Of(s.Loop.Epochs, "epoch")} done");
        }

        double targetScale = data.Target?.Scales[0] ?? 1;
        var format = new EpochFormat(task, targetScale, s.Loop.Epochs);
        using var stop = new StopSignal();
        TrainingHistory? history = stop.Run(() => ProgressDisplay.Run(console, "training", s.Loop.Epochs - trainer.CompletedEpochs, report =>
        {
            trainer.EpochCompleted = epoch =>
            {
                report(format.Describe(epoch));
                // The last epoch's checkpoint is saved once the run's end has been checked (below).
                if (s.Files.CheckpointEvery > 0 && epoch.Epoch % s.Files.CheckpointEvery == 0 && epoch.Epoch < s.Loop.Epochs
                    && SaveCheckpoint(s, trainer, info) is { } refused)
                    console.Tell($"fastnn: no checkpoint saved after epoch {epoch.Epoch}: {refused}");
            };
            return trainer.Fit(data.Train, data.Test, stop.Token);
        }));
        if (history is null || (stop.Received && trainer.CompletedEpochs < s.Loop.Epochs))
            return Stopped(console, stop, trainer, s, info);
        // With no guard, a step whose gradient is not finite under a finite loss (or whose update overflows) is taken: the
        // next step's loss fails the run (exit 1, nothing saved), but the last step has none, and would end the run with
        // its model NaN or infinite, or finite with outputs (or their loss) that overflow to NaN or ±∞.
        Dataset<T> rows = data.Test ?? data.Train;
        string where = data.Test is null ? "training-set" : "held-out";
        Evaluation final = trainer.Evaluate(rows);
        if (DivergedWeights.Problem(model, final, task == TaskChoice.Regress, where) is { } diverged)
            throw new InvalidOperationException(
                $"The training diverged: after its last step (step {trainer.Steps - 1}), {diverged}; nothing saved. Lower the learning rate, clip the gradients or check the data.");
        // The last epoch's checkpoint (also of a run resumed at its end, which runs no epoch), written once the run's end
        // has been found sound: the checkpoint of a run that diverged would replace the last good one, for nothing a
        // resume could get past.
        if (s.Files.CheckpointEvery > 0)
        {
            if (SaveCheckpoint(s, trainer, info) is { } refused)
                console.Tell($"fastnn: no checkpoint saved after epoch {trainer.CompletedEpochs}: {refused}");
            else
                console.Line($"checkpoint: {Path.GetFullPath(s.Files.Checkpoint)}");
        }

        OutputFile.Write(s.Files.Save, "--save", () => ModelFile.Save(s.Files.Save, model, info));
        console.Line($"model: {Path.GetFullPath(s.Files.Save)}");
        if (history.Epochs.Count > 0)
        {
            OutputFile.Write(s.Plot, "--plot", () => TrainingPlot.Save(s.Plot, history.Epochs, task, $"{source}: {task.Name()}, {ModelDescription.Network(model, s.Model)}"));
            console.Line($"plot: {Path.GetFullPath(s.Plot)}");
        }
        console.Line(FinalLine(trainer, data, task, rows, where, final));
        return ExitCode.Success;
    }

    // Ctrl-C or SIGTERM stopped the run between two steps. A checkpoint saved there resumes it exactly, the epoch cut
    // short included; an unfinished run writes no model and no plot. A run that diverged in the step under way when the
    // signal came saves nothing: a checkpoint there would resume into the same step; nor does one whose weights or state
    // an earlier step's non-finite gradient left NaN or infinite (SaveCheckpoint).
    private static int Stopped<T>(CliConsole console, StopSignal stop, Trainer<T> trainer, Settings s, ModelInfo info)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string where = string.Create(CultureInfo.InvariantCulture,
            $"in epoch {trainer.CompletedEpochs + 1} of {s.Loop.Epochs}, after {Counted.Of(trainer.Steps, "step")}");
        if (stop.Diverged is not null)
        {
            console.Tell($"fastnn: {stop.Description} {where}{stop.DivergedNote}; nothing saved.");
            return stop.ExitCode;
        }
        if (s.Files.CheckpointEvery == 0)
        {
            console.Tell($"fastnn: {stop.Description} {where}; nothing saved (--checkpoint-every N writes checkpoints that --resume continues from).");
            return stop.ExitCode;
        }
        if (SaveCheckpoint(s, trainer, info) is { } refused)
        {
            console.Tell($"fastnn: {stop.Description} {where}; nothing saved: {refused}");
            return stop.ExitCode;
        }
        console.Tell($"fastnn: {stop.Description} {where}; the run so far is in {s.Files.Checkpoint}: give the same command with --resume {s.Files.Checkpoint} to go on.");
        return stop.ExitCode;
    }

    // Saves a checkpoint of the run; returns why not when the run's state cannot be resumed (weights or an optimizer
    // state NaN or infinite, which a step whose gradient was not finite under a finite loss leaves),
    // the message for a line of its own. The run goes on as it would: that is no mistake of the user's (exit 2), and
    // the run has diverged (its next step fails, exit 1) or a signal stopped it (130, 143).
    private static string? SaveCheckpoint<T>(Settings s, Trainer<T> trainer, ModelInfo info) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // The library saves weights that are not finite under an optimizer state it keeps (none for sgd, a square
        // average of +∞ for rmsprop), which would replace the last good checkpoint with one no resume gets past.
        if (DivergedWeights.Problem(trainer.Model) is { } diverged)
            return $"the training diverged: {diverged}, which no resumed run could train on.";
        try
        {
            OutputFile.Write(s.Files.Checkpoint, "--checkpoint", () => Checkpoint.Save(s.Files.Checkpoint, trainer, info));
            return null;
        }
        catch (InvalidOperationException e)
        {
            return Fastnn.OneLine(e.Message);
        }
    }

    // The split refuses a part with no row; on a small file that is the user's --test-fraction, named as such. A
    // regression's held-out R² compares the errors with the targets' variance, which one row does not have (as cv's folds).
    private static PreparedData<T> Prepare<T>(Dataset<T> all, string source, TaskChoice task, Settings s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        PreparedData<T> data;
        try
        {
            data = PreparedData<T>.Create(all, source, task, s.Data, s.Loop.Seed);
        }
        catch (ArgumentException e) when (e.ParamName == "validationFraction")
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"--test-fraction {s.Data.TestFraction}: {Counted.Of(all.Rows, "row")} {Counted.Be(all.Rows)} too few to split this way (no row would be held out, or none trained on); give another fraction, or 0 to train on every row."));
        }
        if (task == TaskChoice.Regress && data.Test is { Rows: 1 })
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"--test-fraction {s.Data.TestFraction}: {all.Rows} rows hold out 1, and R² needs at least 2 held-out rows; give a larger fraction, or 0 to train on every row."));
        }
        return data;
    }

    // A checkpoint holds its run's weights beside the optimizer state: given to start a new run, it was most likely meant to be resumed.
    private static void LoadWeights<T>(string path, Sequential<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        try
        {
            ModelFile.LoadWeights(path, model);
        }
        catch (ModelFileException e) when (e.IsCheckpoint)
        {
            throw new UsageException(
                $"--init-weights: {path} is a FastNN checkpoint (a training run saved to be resumed), not a weights file: to go on with its run, give it to --resume instead.");
        }
        catch (ModelFileException e) when (e.NeedsDouble)
        {
            throw InputFile.NeedsDouble("--init-weights", e);
        }
    }

    // A checkpoint does not load as a model, nor does a damaged file: only a file that does is a model file.
    private static bool IsModelFile<T>(string path) where T : unmanaged, IFloatingPointIeee754<T>
    {
        try
        {
            ModelFile.Load<T>(path, maxBatch: 1); // one row: a model file of any recorded max_batch is one
            return true;
        }
        catch (ModelFileException)
        {
            return false;
        }
    }

    // The last line: held-out accuracy, or R² and RMSE in the target's own units.
    private static string FinalLine<T>(Trainer<T> trainer, PreparedData<T> data, TaskChoice task, Dataset<T> rows, string where,
        Evaluation final) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (task != TaskChoice.Regress)
        {
            double accuracy = final.Accuracy;
            return string.Create(CultureInfo.InvariantCulture,
                $"{where} accuracy {100 * accuracy:F2}% ({Math.Round(accuracy * rows.Rows)} of {Counted.Of(rows.Rows, "row")})");
        }
        double[] predictions = data.TargetUnits(trainer.Predict(rows));
        double[] targets = data.TargetUnits(rows.Targets);
        return string.Create(CultureInfo.InvariantCulture,
            $"{where} R² {Fixed.Of(Metrics.RSquared<double>(predictions, targets), 3)}, RMSE {Metrics.RootMeanSquaredError<double>(predictions, targets):G4} ({Counted.Of(rows.Rows, "row")})");
    }
}
