using System.CommandLine;
using System.Globalization;
using System.Numerics;
using FastNN.Cli.Options;
using FastNN.Cli.Training;
using FastNN.Data;
using FastNN.Models;
using FastNN.Training;
using Spectre.Console;

namespace FastNN.Cli.Commands;

/// <summary>
/// <c>fastnn cv</c>: a grid search over learning rates and regularization strengths, each setting scored by k-fold
/// cross-validation on the same folds (standardized per fold on its training rows); a table of the mean and standard
/// deviation of the held-out metric per setting, and the best setting. Ctrl-C or SIGTERM stops it between two training
/// steps: the table then holds the folds done, and the command exits 130 or 143 (also when the signal comes in the last
/// step of the last fold, or while that fold is scored, when no step is left to stop at: the table is complete).
/// </summary>
internal static class CvCommand
{
    private static readonly string[] LambdaKinds = ["l2", "l1", "weight-decay"];

    private sealed record Settings(DataSettings Data, ModelSettings Model, OptimizerSettings Optimizer, LoopSettings Loop,
        int Folds, double[] LearningRates, double[] Lambdas, string LambdaKind);

    public static Command Create(CliConsole console)
    {
        var data = new DataOptions(testSplit: false);
        var model = new ModelOptions();
        var optimizer = new OptimizerOptions();
        var loop = new LoopOptions(defaultEpochs: null);
        var folds = new Option<int?>("--folds") { Description = "k, the number of folds. Default 5.", HelpName = "K" };
        var learningRates = new Option<string?>("--learning-rates")
        {
            Description = "Learning rates to try, comma-separated. Default: the one --lr gives.",
            HelpName = "LR1,LR2,...",
        };
        var lambdas = new Option<string?>("--lambdas")
        {
            Description = "Regularization strengths λ to try, comma-separated. Default 0,1e-4,1e-3,1e-2.",
            HelpName = "L1,L2,...",
        };
        var lambdaKind = new Option<string?>("--lambda-kind")
        {
            Description = "What λ sets: l2 (an L2 penalty, replacing --l2), l1 (an L1 penalty, replacing --l1) or weight-decay (replacing --weight-decay). Default l2.",
        }.AcceptOnlyFromAmong(LambdaKinds);

        var command = new Command("cv",
            "Grid search over learning rates and λ, each setting scored by k-fold cross-validation on the same folds: the mean and standard deviation per setting, and the best one.")
        {
            folds, learningRates, lambdas, lambdaKind,
        };
        data.AddTo(command);
        model.AddTo(command);
        optimizer.AddTo(command);
        loop.AddTo(command);
        command.SetAction(parse => Fastnn.Guard(console, () =>
        {
            OptimizerSettings optimizerSettings = optimizer.Read(parse);
            var settings = new Settings(data.Read(parse), model.Read(parse), optimizerSettings, loop.Read(parse),
                OptionValues.AtLeast(parse.GetValue(folds) ?? 5, 2, "--folds"),
                parse.GetValue(learningRates) is string rates
                    ? OptionValues.NumberList(rates, "--learning-rates").Select(r => OptionValues.Positive(r, "--learning-rates")).ToArray()
                    : [optimizerSettings.LearningRate],
                OptionValues.NumberList(parse.GetValue(lambdas) ?? "0,1e-4,1e-3,1e-2", "--lambdas"),
                parse.GetValue(lambdaKind) ?? "l2");
            using (loop.ApplyThreads(parse))
                return settings.Loop.Double ? Run<double>(console, settings) : Run<float>(console, settings);
        }));
        return command;
    }

    private static int Run<T>(CliConsole console, Settings s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        (Dataset<T> data, string source) = DataLoader.Read<T>(s.Data);
        TaskChoice task = DataLoader.Task(data, s.Data.Task);
        if (s.Folds > data.Rows)
            throw new UsageException($"--folds {s.Folds} is more than the {Counted.Of(data.Rows, "row")}.");
        // R² compares a fold's errors with its targets' variance, which one row does not have: the fold would score NaN.
        if (task == TaskChoice.Regress && data.Rows / s.Folds < 2)
            throw new UsageException($"--folds {s.Folds}: {Counted.Of(data.Rows, "row")} in {s.Folds} folds leave a fold of 1 row, and R² needs at least 2 held-out rows; "
                + (data.Rows >= 4 ? $"give at most {data.Rows / 2} folds." : "cross-validating a regression takes at least 4 rows (2 folds of 2)."));
        // The folds' training parts: the rows less one fold, of ⌈rows / folds⌉ or ⌊rows / folds⌋ rows.
        int fewest = data.Rows - (data.Rows + s.Folds - 1) / s.Folds, most = data.Rows - data.Rows / s.Folds;
        foreach (int trainingRows in new[] { fewest, most })
            s.Loop.CheckBatches(trainingRows, s.Model.BatchNorm ? "--batch-norm" : null);
        // Every fold trains as long: the default epochs are those of the smallest training part (the parts differ by a row at most).
        s = s with { Loop = s.Loop.ForTrainingRows(fewest) };
        RefuseBeforeTraining<T>(s, task, data.FeatureCount, data.ClassLabels?.Count ?? 0, fewest);
        // Each fold clamps the batch to its own training rows (FitFold); the line says what the folds run.
        string batch = s.Loop.BatchSize <= fewest ? s.Loop.BatchSize.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{(fewest == most ? $"{fewest}" : $"{fewest} or {most}")} (all of a fold's training rows)");
        console.Line($"data: {source}, {Counted.Of(data.Rows, "row")}, {Counted.Of(data.FeatureCount, "feature")}, task {task.Name()}{(s.Data.Task is null ? " (inferred)" : "")}");
        console.Line($"grid: lr {string.Join(", ", s.LearningRates.Select(Number))} × λ ({s.LambdaKind}) {string.Join(", ", s.Lambdas.Select(Number))}; "
            + $"{s.Folds}-fold{(task == TaskChoice.Regress ? "" : " stratified")} cross-validation, seed {s.Loop.Seed}");
        // The set-up of every setting: the grid replaces the learning rate and the λ of its kind (left out at 0).
        string training = ModelDescription.Optimizer(Optimizer(s, s.LearningRates[0], 0), s.Loop, batch, learningRate: "from the grid");
        console.Line($"model: {string.Join("-", new[] { data.FeatureCount }.Concat(s.Model.Layers))}-{TrainerFactory.Outputs(task, data.ClassLabels?.Count ?? 0)}; training: {training}");

        int settings = s.LearningRates.Length * s.Lambdas.Length;
        var folds = new List<(GridPoint Setting, FoldResult Fold)>(); // every fold finished, in the order run
        var diverged = new HashSet<GridPoint>(); // the settings with a fold whose training diverged
        using var stop = new StopSignal();
        GridSearchResult? search = null;
        try
        {
            search = ProgressDisplay.Run(console, "cross-validation", settings * s.Folds, report =>
                GridSearch.Run(data, s.LearningRates, s.Lambdas, s.Folds, s.Loop.Seed, stratified: task != TaskChoice.Regress, standardize: s.Data.Standardize,
                    (point, train, validation) =>
                    {
                        (Evaluation evaluation, long? divergedAfter) = FitFold(s, task, data.ClassLabels?.Count ?? 0, point, train, validation, stop.Token);
                        folds.Add((point, new FoldResult(folds.Count % s.Folds, train.Rows, validation.Rows, evaluation)));
                        if (divergedAfter is not null)
                            diverged.Add(point);
                        report(string.Create(CultureInfo.InvariantCulture,
                            $"lr {Number(point.LearningRate)}, λ {Number(point.Lambda)}: fold {(folds.Count - 1) % s.Folds + 1}/{s.Folds} ")
                            + (divergedAfter is long steps ? $"diverged after {Counted.Of(steps, "step")}" : Metric(task, evaluation.Metric)));
                        return evaluation;
                    }));
        }
        catch (OperationCanceledException) when (stop.Received)
        {
        }
        // A fold's validation rows standardized with its training rows' statistics (which refuse none of their own rows).
        catch (ArgumentException e) when (e.ParamName == "data" && s.Data.Standardize)
        {
            throw PreparedData<T>.HeldOutRefused(e, "validation rows of a fold (--folds, drawn by --seed");
        }
        // A signal after the last fold's last poll (in its last step, or while it is scored) still wins once the search is
        // over: in any earlier fold the next step or fold stops at once; this one ran on to its end (or diverged) and
        // completed the table.
        bool signalled = stop.Received;

        // A stopped search reports the settings it began: the complete ones, and the folds done of the one it was in.
        IReadOnlyList<(GridPoint Setting, CrossValidationResult Result)> begun = search?.Settings
            ?? folds.Chunk(s.Folds).Select(chunk => (chunk[0].Setting, new CrossValidationResult(chunk.Select(f => f.Fold).ToArray()))).ToArray();
        WriteResults(console, s, task, begun, diverged, stopped: search is null ? settings : null);
        if (search is not null)
        {
            // Each setting of the grid run, not each distinct (lr, λ): a grid may name one twice (1e-3,0.001).
            bool none = search.Settings.All(r => diverged.Contains(r.Setting));
            if (none)
                console.Tell("fastnn: the training diverged in every setting, so none is best; lower the learning rates, clip the gradients (--clip-norm) or check the data.");
            if (signalled)
                console.Tell($"fastnn: {stop.Description} in the last fold of the last setting, which ran to its end; the table holds every fold.");
            return signalled ? stop.ExitCode : none ? ExitCode.Failure : ExitCode.Success;
        }
        int fold = folds.Count % s.Folds + 1, at = folds.Count / s.Folds;
        console.Tell(string.Create(CultureInfo.InvariantCulture,
            $"fastnn: {stop.Description} in fold {fold} of {s.Folds} of setting {at + 1} of {settings} (lr {Number(s.LearningRates[at / s.Lambdas.Length])}, λ {Number(s.Lambdas[at % s.Lambdas.Length])}); ")
            + (folds.Count == 0 ? "no fold was done." : $"the table holds the {folds.Count} fold{(folds.Count == 1 ? "" : "s")} done."));
        return stop.ExitCode;
    }

    // The table of the settings cross-validated, the complete ones first, and the best of those. A search stopped short of
    // its <paramref name="stopped"/> settings marks the one it was in with its folds done and names the best so far.
    private static void WriteResults(CliConsole console, Settings s, TaskChoice task, IReadOnlyList<(GridPoint Setting, CrossValidationResult Result)> begun,
        IReadOnlySet<GridPoint> diverged, int? stopped)
    {
        if (begun.Count == 0)
            return;
        int complete = begun.Count(r => r.Result.Folds.Count == s.Folds);
        // A diverged fold scores NaN, which the library's search never makes best unless every setting has one.
        int best = complete == 0 ? -1 : IndexOfBest(begun.Take(complete).ToArray());
        if (best >= 0 && diverged.Contains(begun[best].Setting))
            best = -1;
        string metric = task == TaskChoice.Regress ? "R²" : "accuracy";
        var table = new Table().AddColumns(new[] { "lr", $"λ ({s.LambdaKind})", $"mean {metric}", "std", "mean loss", "" }.Select(h => new TableColumn(h).RightAligned()).ToArray());
        for (int i = 0; i < begun.Count; i++)
        {
            var (setting, result) = begun[i];
            string note = i == best ? "best" : i < complete ? "" : $"{result.Folds.Count} of {s.Folds} folds";
            if (diverged.Contains(setting))
            {
                // No metric to average: a '-' where a number would be NaN.
                table.AddRow(Number(setting.LearningRate), Number(setting.Lambda), "-", "-", "-", note.Length == 0 ? "diverged" : $"diverged, {note}");
                continue;
            }
            table.AddRow(Number(setting.LearningRate), Number(setting.Lambda), Metric(task, result.MeanMetric), Metric(task, result.StdMetric),
                Fixed.Of(result.MeanLoss, 4), note);
        }
        console.Write(table);
        if (best < 0)
            return;
        var (bestSetting, bestResult) = begun[best];
        console.Line($"best{(stopped is int all ? $" so far ({complete} of {Counted.Of(all, "setting")} done)" : "")}: lr {Number(bestSetting.LearningRate)}, λ {Number(bestSetting.Lambda)} ({s.LambdaKind}): {metric} {Metric(task, bestResult.MeanMetric)} ± {Metric(task, bestResult.StdMetric)} over {s.Folds} folds");
    }

    // Where the library's best setting (GridSearchResult.Best: the highest mean metric, the first on ties) is.
    private static int IndexOfBest(IReadOnlyList<(GridPoint Setting, CrossValidationResult Result)> settings)
    {
        CrossValidationResult best = new GridSearchResult(settings).Best.Result;
        return settings.Select((setting, i) => (setting.Result, i)).First(s => ReferenceEquals(s.Result, best)).i;
    }

    // Trains a fresh model on one fold's rows (the features already standardized on them; a regression target
    // standardized here the same way) and scores it on the fold's held-out rows, RMSE back in the target's units.
    // A signal stops the training between two steps: the fold unfinished, the search ends (OperationCanceledException).
    // A fold whose training diverged scores NaN, with the steps it took: a result of its setting (a grid search tries
    // learning rates too large to train), as the library's grid search takes it (NaN is never best).
    private static (Evaluation Evaluation, long? DivergedAfter) FitFold<T>(Settings s, TaskChoice task, int classes, GridPoint point, Dataset<T> train, Dataset<T> validation,
        CancellationToken stop)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double scale = 1;
        if (task == TaskChoice.Regress && s.Data.Standardize)
        {
            Standardizer target = Standardizer.Fit(train.Targets, train.Rows, 1);
            (train, validation, scale) = (PreparedData<T>.StandardizeTarget(train, target), PreparedData<T>.StandardizeTarget(validation, target), target.Scales[0]);
        }
        OptimizerSettings optimizer = Optimizer(s, point.LearningRate, point.Lambda);
        LoopSettings loop = s.Loop.AtMostRows(train.Rows);
        Sequential<T> model = ModelFactory.Build<T>(s.Model, train.FeatureCount, TrainerFactory.Outputs(task, classes), TrainerFactory.MaxBatch(loop), loop.Seed);
        Trainer<T> trainer = TrainerFactory.Create(model, task, optimizer, loop, s.Data.Shuffle);
        try
        {
            trainer.Fit(train, cancellationToken: stop);
        }
        catch (InvalidOperationException)
        {
            // With these options Fit throws this only for a run that diverged: a loss or a BatchNorm running variance
            // no longer finite (it refuses that step).
            return (new Evaluation(double.NaN, double.NaN, double.NaN, double.NaN), trainer.Steps);
        }
        if (trainer.CompletedEpochs < loop.Epochs)
            throw new OperationCanceledException(stop);
        // A last step that left the weights NaN or infinite, or the outputs (or their loss) NaN or infinite, which no later
        // loss told.
        Evaluation evaluation = trainer.Evaluate(validation);
        if (DivergedWeights.Problem(model, evaluation, task == TaskChoice.Regress, "validation") is not null)
            return (new Evaluation(double.NaN, double.NaN, double.NaN, double.NaN), trainer.Steps);
        return (evaluation with { Rmse = evaluation.Rmse * scale }, null);
    }

    // Every setting of the grid set up as a fold's trainer is (FitFold), so that a value the element type cannot hold (a
    // rate, a λ, a schedule's later rates) is refused before the first fold trains, not once the search reaches its setting.
    private static void RefuseBeforeTraining<T>(Settings s, TaskChoice task, int features, int classes, int trainingRows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        LoopSettings loop = s.Loop.AtMostRows(trainingRows);
        Sequential<T> model = ModelFactory.Build<T>(s.Model, features, TrainerFactory.Outputs(task, classes), TrainerFactory.MaxBatch(loop), loop.Seed);
        foreach (double learningRate in s.LearningRates)
            foreach (double lambda in s.Lambdas)
                TrainerFactory.Create(model, task, Optimizer(s, learningRate, lambda), loop, s.Data.Shuffle);
    }

    // The optimizer of one setting of the grid: its learning rate, and its λ in place of the option --lambda-kind names.
    private static OptimizerSettings Optimizer(Settings s, double learningRate, double lambda) => s.LambdaKind switch
    {
        "l1" => s.Optimizer with { LearningRate = learningRate, L1 = lambda },
        "weight-decay" => s.Optimizer with { LearningRate = learningRate, WeightDecay = lambda },
        _ => s.Optimizer with { LearningRate = learningRate, L2 = lambda },
    };

    private static string Metric(TaskChoice task, double value) => task == TaskChoice.Regress
        ? Fixed.Of(value, 4)
        : string.Create(CultureInfo.InvariantCulture, $"{100 * value:F2}%");

    // A value of the grid with the fewest significant figures, from 3, that read back as the same double: two values read
    // apart however close (3 figures gave 0.001 and 0.0010001 one label), each as typed up to notation, a script copying
    // a setting into train gets the value that ran, and a value that 3 figures give exactly reads as it always has
    // (0.0001, 1E-05, 10, 1E+10: the shortest round-trip text would read 1E+10 as 10000000000). 17 figures give back
    // every double.
    private static string Number(double value)
    {
        int figures = 3;
        while (figures < 17 && double.Parse(value.ToString($"G{figures}", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) != value)
            figures++;
        return value.ToString($"G{figures}", CultureInfo.InvariantCulture);
    }
}
