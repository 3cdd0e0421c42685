using System.CommandLine;
using System.Globalization;
using System.Numerics;
using FastNN.Cli.Options;
using FastNN.Cli.Plots;
using FastNN.Cli.Training;
using FastNN.Data;
using FastNN.Models;
using FastNN.Training;

namespace FastNN.Cli.Commands;

/// <summary><c>fastnn train</c>: trains a network on a CSV file (default: the embedded digits), reports held-out metrics and plots the run.</summary>
internal static class TrainCommand
{
    private sealed record Settings(DataSettings Data, ModelSettings Model, OptimizerSettings Optimizer, LoopSettings Loop, string Plot);

    public static Command Create(CliConsole console)
    {
        var data = new DataOptions(testSplit: true);
        var model = new ModelOptions();
        var optimizer = new OptimizerOptions();
        var loop = new LoopOptions(defaultEpochs: 20);
        var plot = new Option<string>("--plot")
        {
            Description = "Where to write the PNG of the loss and held-out metric per epoch. Default model.png.",
            HelpName = "FILE.png",
            DefaultValueFactory = _ => "model.png",
        };

        var command = new Command("train",
            "Train a network on a CSV file (default: the embedded digits), print the held-out accuracy (or R² and RMSE) and plot the run.");
        data.AddTo(command);
        model.AddTo(command);
        optimizer.AddTo(command);
        loop.AddTo(command);
        command.Options.Add(plot);
        command.SetAction(parse => Fastnn.Guard(console, () =>
        {
            var settings = new Settings(data.Read(parse), model.Read(parse), optimizer.Read(parse), loop.Read(parse), parse.GetValue(plot)!);
            using (loop.ApplyThreads(parse))
                return settings.Loop.Double ? Run<double>(console, settings) : Run<float>(console, settings);
        }));
        return command;
    }

    private static int Run<T>(CliConsole console, Settings s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        (Dataset<T> all, string source) = DataLoader.Read<T>(s.Data);
        TaskChoice task = DataLoader.Task(all, s.Data.Task);
        console.Line($"data: {source}, {all.Rows} rows, {all.FeatureCount} features, target '{all.TargetName}'");
        console.Line(all.ClassLabels is { } labels
            ? $"task: {task.Name()}, {labels.Count} classes ({DataLoader.Describe(labels)}){(s.Data.Task is null ? ", inferred (--task to override)" : "")}"
            : $"task: {task.Name()}{(s.Data.Task is null ? ", inferred (--task to override)" : "")}");

        PreparedData<T> data = PreparedData<T>.Create(all, task, s.Data, s.Loop.Seed);
        console.Line(data.Test is { } held
            ? $"split: {data.Train.Rows} training rows, {held.Rows} held out{(task == TaskChoice.Regress ? "" : " (stratified)")}, seed {s.Loop.Seed}; "
              + (data.Input is null ? "not standardized" : $"standardized with training-row statistics{(data.Target is null ? "" : ", target too")}")
            : $"split: none (--test-fraction 0), {data.Train.Rows} training rows; {(data.Input is null ? "not standardized" : "standardized")}");

        Sequential<T> model = ModelFactory.Build<T>(s.Model, all.FeatureCount, TrainerFactory.Outputs(task, all.ClassLabels?.Count ?? 0),
            TrainerFactory.MaxBatch(s.Loop), s.Loop.Seed);
        Trainer<T> trainer = TrainerFactory.Create(model, task, s.Optimizer, s.Loop, s.Data.Shuffle);
        console.Line($"model: {ModelDescription.Network(model, s.Model)}");
        console.Line($"training: {ModelDescription.Optimizer(s.Optimizer, s.Loop)}");

        double targetScale = data.Target?.Scales[0] ?? 1;
        var format = new EpochFormat(task, targetScale, s.Loop.Epochs);
        TrainingHistory history = ProgressDisplay.Run(console, "training", s.Loop.Epochs, report =>
        {
            trainer.EpochCompleted = epoch => report(format.Describe(epoch));
            return trainer.Fit(data.Train, data.Test);
        });

        TrainingPlot.Save(s.Plot, history.Epochs, task, $"{source}: {task.Name()}, {ModelDescription.Network(model, s.Model)}");
        console.Line($"plot: {Path.GetFullPath(s.Plot)}");
        console.Line(FinalLine(trainer, data, task));
        return ExitCode.Success;
    }

    // The last line: held-out accuracy, or R² and RMSE in the target's own units.
    private static string FinalLine<T>(Trainer<T> trainer, PreparedData<T> data, TaskChoice task) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Dataset<T> rows = data.Test ?? data.Train;
        string where = data.Test is null ? "training-set" : "held-out";
        if (task != TaskChoice.Regress)
        {
            double accuracy = trainer.Evaluate(rows).Accuracy;
            return string.Create(CultureInfo.InvariantCulture,
                $"{where} accuracy {100 * accuracy:F2}% ({Math.Round(accuracy * rows.Rows)} of {rows.Rows} rows)");
        }
        double[] predictions = data.TargetUnits(trainer.Predict(rows));
        double[] targets = data.TargetUnits(rows.Targets);
        return string.Create(CultureInfo.InvariantCulture,
            $"{where} R² {Metrics.RSquared<double>(predictions, targets):F3}, RMSE {Metrics.RootMeanSquaredError<double>(predictions, targets):G4} ({rows.Rows} rows)");
    }
}
