using FastNN.Data;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Regularization;
using FastNN.Tests.Data;
using FastNN.Training;
using Xunit.Abstractions;

namespace FastNN.Tests.Training;

/// <summary>The examples of the practice, trained by the library on the real data sets under data/.</summary>
public class PracticeTests(ITestOutputHelper output)
{
    [Fact]
    public void RidgeByGradientDescentReachesTheClosedFormMinimizer()
    {
        Dataset<double> raw = Csv.Read<double>(DataFiles.Path("diabetes.csv"));
        Dataset<double> data = Standardizer.Fit(raw).Transform(raw);
        const double lambda = 0.1;
        double[] expected = RidgeReference.Solve(data, lambda);

        // Objective (1/n)·Σ (y − x·w − b)² + (λ/2)·‖w‖²: MSE plus an L2 penalty on the weight only, by plain gradient descent.
        var model = new Sequential<double>([new Dense<double>(10, 1)], maxBatch: data.Rows, seed: 1);
        var trainer = new Trainer<double>(model, new MseLoss<double>(), new Sgd<double>(model.Parameters.Length, learningRate: 0.2),
            TaskKind.Regression, new TrainerOptions { Epochs = 1500, BatchSize = data.Rows, Shuffle = false })
        {
            Regularizer = new L2Penalty<double>(lambda),
        };
        TrainingHistory history = trainer.Fit(data);

        double[] actual = [.. model.Parameter("0.weight"), .. model.Parameter("0.bias")];
        double maxError = actual.Zip(expected, (a, e) => Math.Abs(a - e)).Max();
        output.WriteLine($"intercept {actual[^1]:F6} (closed form {expected[^1]:F6}), max |θ − θ*| = {maxError:E2}");
        Assert.True(maxError <= 1e-4, $"max |θ − θ*| = {maxError}");

        // The reported objective of the last epoch (measured before its step) is the minimum value.
        double sse = Enumerable.Range(0, data.Rows).Sum(r => Math.Pow(data.Targets[r] - RidgeReference.Predict(expected, data.Row(r)), 2));
        double minimum = sse / data.Rows + lambda / 2 * expected[..^1].Sum(w => w * w);
        Assert.Equal(minimum, history.Epochs[^1].TrainLoss, 1e-9 * minimum);
    }

    [Fact]
    public void CrossValidationPicksALambdaAndReportsItsFolds()
    {
        Dataset<double> data = Csv.Read<double>(DataFiles.Path("diabetes.csv"));
        double[] lambdas = [0.03, 0.3, 3];

        // Ridge by gradient descent with heavy-ball momentum, each fold standardized on its own training rows.
        GridSearchResult search = GridSearch.Run(data, [0.3], lambdas, k: 5, seed: 9, stratified: false, standardize: true,
            (setting, train, validation) =>
            {
                var model = new Sequential<double>([new Dense<double>(10, 1)], maxBatch: train.Rows, seed: 2);
                var sgd = new Sgd<double>(model.Parameters.Length, setting.LearningRate, momentum: 0.7, weightDecay: setting.Lambda,
                    groups: ParameterGroup.DecayWeightsOnly(model.ParameterTensors));
                var trainer = new Trainer<double>(model, new MseLoss<double>(), sgd, TaskKind.Regression,
                    new TrainerOptions { Epochs = 300, BatchSize = train.Rows, Shuffle = false });
                trainer.Fit(train);
                return trainer.Evaluate(validation);
            });

        // The same folds scored by the closed-form minimizer of each setting's objective.
        GridSearchResult reference = GridSearch.Run(data, [0.3], lambdas, k: 5, seed: 9, stratified: false, standardize: true,
            (setting, train, validation) =>
            {
                double[] theta = RidgeReference.Solve(train, setting.Lambda);
                double[] p = Enumerable.Range(0, validation.Rows).Select(r => RidgeReference.Predict(theta, validation.Row(r))).ToArray();
                return new Evaluation(0, double.NaN, 0, Metrics.RSquared<double>(p, validation.Targets));
            });

        foreach (var (setting, result) in search.Settings)
        {
            output.WriteLine($"lambda {setting.Lambda}: R² {result.MeanMetric:F4} ± {result.StdMetric:F4}, folds "
                + string.Join(" ", result.Folds.Select(f => f.Validation.RSquared.ToString("F4"))));
        }
        output.WriteLine($"best lambda {search.Best.Setting.Lambda}");

        Assert.Equal(reference.Best.Setting, search.Best.Setting);
        for (int s = 0; s < lambdas.Length; s++)
        {
            CrossValidationResult trained = search.Settings[s].Result, exact = reference.Settings[s].Result;
            Assert.Equal(5, trained.Folds.Count);
            for (int f = 0; f < 5; f++)
                Assert.Equal(exact.Folds[f].Validation.RSquared, trained.Folds[f].Validation.RSquared, 1e-6);
        }
        // The heaviest penalty shrinks the fit visibly: cross-validation must prefer a lighter one.
        Assert.NotEqual(3, search.Best.Setting.Lambda);
    }

    [Fact]
    public void XorMlpWithL2ReachesFullAccuracyForNineOfTenSeeds()
    {
        var xor = new Dataset<double>([0, 0, 0, 1, 1, 0, 1, 1], [0, 1, 1, 0], 2);
        int solved = 0;
        for (ulong seed = 0; seed < 10; seed++)
        {
            Sequential<double> model = new SequentialBuilder<double>(2).Dense(8).Tanh().Dense(1).Build(maxBatch: 4, seed);
            var trainer = new Trainer<double>(model, new BceWithLogitsLoss<double>(), new Adam<double>(model.Parameters.Length, learningRate: 0.05),
                TaskKind.BinaryClassification, new TrainerOptions { Epochs = 300, BatchSize = 4 })
            {
                Regularizer = new L2Penalty<double>(1e-4),
            };
            trainer.Fit(xor);
            double accuracy = trainer.Evaluate(xor).Accuracy;
            output.WriteLine($"seed {seed}: accuracy {accuracy}");
            if (accuracy == 1)
                solved++;
        }
        Assert.True(solved >= 9, $"{solved} of 10 seeds reached 100 %");
    }

    [Fact]
    public void BreastCancerClassifierWithAdamReaches95PercentHeldOut()
    {
        // Held-out accuracy of a 30-64-64-1 ReLU network, averaged over the 5 held-out folds of a stratified
        // cross-validation (one 20 % split alone moves by ±2 rows of 113 with the split seed).
        Dataset<float> data = Csv.Read<float>(DataFiles.Path("breast_cancer.csv"));
        CrossValidationResult result = CrossValidation.Run(data, k: 5, seed: 0, stratified: true, standardize: true, (train, test) =>
        {
            Sequential<float> model = new SequentialBuilder<float>(30).Dense(64).Relu().Dense(64).Relu().Dense(1).Build(maxBatch: 32, seed: 1);
            var trainer = new Trainer<float>(model, new BceWithLogitsLoss<float>(), new Adam<float>(model.Parameters.Length, learningRate: 1e-3),
                TaskKind.BinaryClassification, new TrainerOptions { Epochs = 30, BatchSize = 32, Seed = 1 });
            trainer.Fit(train);
            return trainer.Evaluate(test);
        });

        foreach (FoldResult fold in result.Folds)
            output.WriteLine($"fold {fold.Fold}: {fold.ValidationRows} held-out rows, accuracy {fold.Validation.Accuracy:P2}, loss {fold.Validation.Loss:F4}");
        output.WriteLine($"mean accuracy {result.MeanMetric:P2} ± {result.StdMetric:P2}");
        Assert.True(result.MeanMetric >= 0.95, $"mean held-out accuracy {result.MeanMetric}");
    }

    [Fact]
    public void DigitsClassifierReaches95PercentHeldOut()
    {
        Dataset<float> data = Csv.Read<float>(DataFiles.Path("digits.csv.gz"));
        var (rawTrain, rawTest) = data.Split(0.2, seed: 0, stratified: true);
        Standardizer standardizer = Standardizer.Fit(rawTrain);
        Dataset<float> train = standardizer.Transform(rawTrain), test = standardizer.Transform(rawTest);

        Sequential<float> model = new SequentialBuilder<float>(64).Dense(64).Relu().Dense(10).Build(maxBatch: 64, seed: 1);
        var trainer = new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), new Adam<float>(model.Parameters.Length, learningRate: 1e-3),
            TaskKind.MultiClassClassification, new TrainerOptions { Epochs = 15, BatchSize = 32, Seed = 1 });
        trainer.Fit(train);

        Evaluation held = trainer.Evaluate(test);
        output.WriteLine($"{test.Rows} held-out digits: accuracy {held.Accuracy:P2}, loss {held.Loss:F4}");
        Assert.True(held.Accuracy >= 0.95, $"held-out accuracy {held.Accuracy}");
    }
}
