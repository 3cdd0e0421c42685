using FastNN.Data;
using FastNN.Inference;
using FastNN.IO;
using FastNN.Models;
using FastNN.Tests.IO;
using FastNN.Training;

namespace FastNN.Tests.Inference;

/// <summary>
/// A predictor straight from a model file: raw features in (the file's input standardization applied inside),
/// regression values in the target's units, class probabilities and labels out; each against a reference written here
/// in double from the model's own Forward: x′ = (x − μ)/σ, s = Forward(x′), then y = s·σₜ + μₜ, σ(s) or softmax(s).
/// </summary>
public class PredictorFileTests
{
    private const int Rows = 7, Features = 4;

    // Features far from 0 on scales far from 1: a predictor that skipped the standardization would be far off.
    private static readonly Standardizer InputScaling = new([50, -3, 0.5, 1000], [10, 0.5, 2, 250]);

    private static double[] RawFeatures(int seed)
    {
        var random = new Random(seed);
        var x = new double[Rows * Features];
        for (int i = 0; i < x.Length; i++)
            x[i] = InputScaling.Means[i % Features] + 2 * InputScaling.Scales[i % Features] * (2 * random.NextDouble() - 1);
        return x;
    }

    private static Sequential<double> Model(int outputs, ulong seed) =>
        new SequentialBuilder<double>(Features).Dense(9).Tanh().Dense(6).Relu().Dense(outputs).Build(maxBatch: Rows, seed);

    /// <summary>The model's outputs for raw rows: standardized here, in double, then Forward.</summary>
    private static double[] Scores(Sequential<double> model, double[] raw, Standardizer? input)
    {
        double[] x = (double[])raw.Clone();
        if (input is not null)
        {
            for (int i = 0; i < x.Length; i++)
                x[i] = (x[i] - input.Means[i % Features]) / input.Scales[i % Features];
        }
        model.Training = false;
        return model.Forward(x, Rows).ToArray();
    }

    [Fact]
    public void RegressionValuesComeOutInTheTargetsUnits()
    {
        using var folder = new TempFolder();
        string path = folder.File("house.safetensors");
        Sequential<double> model = Model(1, 3);
        var target = new Standardizer([250_000], [80_000]);
        ModelFile.Save(path, model, new ModelInfo { Task = TaskKind.Regression, Input = InputScaling, Target = target, TargetName = "price" });
        double[] raw = RawFeatures(1);
        double[] scores = Scores(model, raw, InputScaling);

        Predictor<double> predictor = Predictor<double>.Load(path);
        Assert.Equal("price", predictor.Info.TargetName);
        Assert.Empty(predictor.ClassLabels);
        var values = new double[Rows];
        predictor.PredictValues(raw, values, Rows);
        Predictor<float> single = Predictor<float>.Load(path);
        var valuesF = new float[Rows];
        single.PredictValues(raw.Select(v => (float)v).ToArray(), valuesF, Rows);
        for (int r = 0; r < Rows; r++)
        {
            double expected = scores[r] * 80_000 + 250_000;
            Assert.True(Math.Abs(values[r] - expected) <= 1e-12 * (1 + Math.Abs(scores[r])) * 80_000, $"double row {r}: {values[r]}, expected {expected}");
            // Float: the features rounded to float and standardized, a float network; 1e-5 of the scores' scale, in price units.
            Assert.True(Math.Abs(valuesF[r] - expected) <= 1e-5 * (1 + Math.Abs(scores[r])) * 80_000, $"float row {r}: {valuesF[r]}, expected {expected}");
        }
    }

    [Fact]
    public void BinaryClassifierGivesBothProbabilitiesAndTheLabel()
    {
        using var folder = new TempFolder();
        string path = folder.File("tumour.safetensors");
        Sequential<double> model = Model(1, 4);
        double[] raw = RawFeatures(2);
        // The output bias shifted so that the median row's logit is 0: the rows reach both classes.
        model.Parameter("4.bias")[0] -= Scores(model, raw, InputScaling).Order().ElementAt(Rows / 2) + 1e-3;
        double[] scores = Scores(model, raw, InputScaling);
        ModelFile.Save(path, model, new ModelInfo { Task = TaskKind.BinaryClassification, ClassLabels = ["benign", "malignant"], Input = InputScaling });

        Predictor<double> predictor = Predictor<double>.Load(path);
        Assert.Equal(["benign", "malignant"], predictor.ClassLabels);
        var probabilities = new double[Rows * 2];
        var classes = new int[Rows];
        predictor.Classify(raw, probabilities, classes, Rows);
        var seen = new HashSet<int>();
        for (int r = 0; r < Rows; r++)
        {
            double positive = 1 / (1 + Math.Exp(-scores[r]));
            Assert.Equal(1 - positive, probabilities[2 * r], 1e-12);
            Assert.Equal(positive, probabilities[2 * r + 1], 1e-12);
            Assert.Equal(scores[r] > 0 ? 1 : 0, classes[r]);
            seen.Add(classes[r]);
            // One row at a time gives the same.
            var p = new double[2];
            Assert.Equal(classes[r], predictor.Classify(raw.AsSpan(r * Features, Features), p));
            Assert.Equal(probabilities.AsSpan(2 * r, 2).ToArray(), p);
        }
        Assert.Equal(2, seen.Count);
    }

    // A confident classifier's small probability is a number like any other (its log is the log-loss): 1 − σ(z) would
    // cancel to 0 or keep a few digits, σ(−z) keeps all of them. Reference: σ(z) = eᶻ/(1 + eᶻ) written for each sign.
    [Fact]
    public void ConfidentBinaryProbabilitiesKeepEveryDigit()
    {
        static double Sigma(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));
        double[] logits = [-60, -45, -30, -12, -0.5, 0, 0.5, 12, 30, 45, 60];
        var info = new ModelInfo { Task = TaskKind.BinaryClassification };
        var exact = new Predictor<double>(Identity<double>(), info);
        var single = new Predictor<float>(Identity<float>(), info);
        foreach (double z in logits)
        {
            var p = new double[2];
            var pf = new float[2];
            exact.Classify([z], p);
            single.Classify([(float)z], pf);
            double[] expected = [Sigma(-z), Sigma(z)];
            for (int c = 0; c < 2; c++)
            {
                Assert.True(Math.Abs(p[c] - expected[c]) <= 4e-16 * expected[c], $"double z = {z}, class {c}: {p[c]:R}, expected {expected[c]:R}");
                Assert.True(Math.Abs(pf[c] - expected[c]) <= 2e-7 * expected[c], $"float z = {z}, class {c}: {pf[c]:R}, expected {expected[c]:R}");
            }
        }
    }

    // One input, one output, the logit the input itself: Linear(1, 1) with weight 1 and bias 0.
    private static Sequential<T> Identity<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Sequential<T> model = new SequentialBuilder<T>(1).Dense(1).Build(maxBatch: 1, seed: 1);
        model.Parameter("0.weight")[0] = T.One;
        model.Parameter("0.bias")[0] = T.Zero;
        return model;
    }

    [Fact]
    public void MultiClassClassifierGivesTheSoftmaxAndTheMostProbableClass()
    {
        using var folder = new TempFolder();
        string path = folder.File("iris.safetensors");
        Sequential<double> model = Model(3, 6);
        ModelFile.Save(path, model, new ModelInfo { Task = TaskKind.MultiClassClassification });
        double[] raw = RawFeatures(3).Select(v => v / 500).ToArray(); // no standardization recorded: inputs near the model's scale
        double[] scores = Scores(model, raw, null);

        var predictor = new Predictor<double>(ModelFile.Load<double>(path));
        Assert.Equal(["0", "1", "2"], predictor.ClassLabels); // no labels recorded: the indices
        var probabilities = new double[Rows * 3];
        var classes = new int[Rows];
        predictor.Classify(raw, probabilities, classes, Rows);
        for (int r = 0; r < Rows; r++)
        {
            double[] s = scores.AsSpan(r * 3, 3).ToArray();
            double sum = s.Sum(v => Math.Exp(v));
            for (int c = 0; c < 3; c++)
                Assert.Equal(Math.Exp(s[c]) / sum, probabilities[r * 3 + c], 1e-12);
            Assert.Equal(Array.IndexOf(s, s.Max()), classes[r]);
        }
    }

    [Fact]
    public void TiesGoToTheFirstClass()
    {
        // All weights 0: every class equally probable, for every row; binary: logit 0, probabilities (½, ½).
        Sequential<double> classes = Model(3, 15), binary = Model(1, 16);
        classes.Parameters.Clear();
        binary.Parameters.Clear();
        double[] x = RawFeatures(7);
        var p = new double[3];
        Assert.Equal(0, new Predictor<double>(classes, new ModelInfo { Task = TaskKind.MultiClassClassification }).Classify(x.AsSpan(0, Features), p));
        Assert.Equal([1 / 3.0, 1 / 3.0, 1 / 3.0], p);
        Assert.Equal(0, new Predictor<double>(binary, new ModelInfo { Task = TaskKind.BinaryClassification }).Classify(x.AsSpan(0, Features), p.AsSpan(0, 2)));
        Assert.Equal([0.5, 0.5], p[..2]);
    }

    // A finite feature can take a score past the type's range (a large weight): +∞ outweighs every finite score, so its
    // class has all the probability, shared by the classes that reach it. Before: exp(∞ − ∞) made every probability
    // NaN and the row class 0, a class that passed for a prediction.
    [Fact]
    public void AnInfiniteScoreTakesAllTheProbability()
    {
        Check<float>(1e38f, [1, 10, -10], [0, 1, 0], 1);
        Check<float>(1e38f, [10, 1, 10], [0.5f, 0, 0.5f], 0);
        Check<double>(1e308, [-10, 1, 10], [0, 0, 1], 2);

        static void Check<T>(T feature, T[] weights, T[] expected, int expectedClass) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            Sequential<T> model = new SequentialBuilder<T>(1).Dense(3).Build(maxBatch: 1, seed: 1);
            weights.CopyTo(model.Parameter("0.weight"));
            model.Parameter("0.bias").Clear();
            var predictor = new Predictor<T>(model, new ModelInfo { Task = TaskKind.MultiClassClassification });
            var p = new T[3];
            Assert.Equal(expectedClass, predictor.Classify([feature], p));
            Assert.Equal(expected, p);
        }
    }

    // The other side: every score −∞ (each past the type's range downwards). exp(−∞ − (−∞)) made every probability NaN
    // and the row class 0, as +∞ did; tied at the maximum, the classes share the probability, and the first is the class.
    [Fact]
    public void ARowScoredMinusInfinityThroughoutSharesTheProbability()
    {
        Check<float>(1e38f, [-10, -20, -10], [1 / 3f, 1 / 3f, 1 / 3f]);
        Check<double>(1e308, [-10, -10, -10, -10], [0.25, 0.25, 0.25, 0.25]);

        static void Check<T>(T feature, T[] weights, T[] expected) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            Sequential<T> model = new SequentialBuilder<T>(1).Dense(weights.Length).Build(maxBatch: 1, seed: 1);
            weights.CopyTo(model.Parameter("0.weight"));
            model.Parameter("0.bias").Clear();
            var predictor = new Predictor<T>(model, new ModelInfo { Task = TaskKind.MultiClassClassification });
            var p = new T[weights.Length];
            Assert.Equal(0, predictor.Classify([feature], p));
            Assert.Equal(expected, p);
        }
    }

    [Fact]
    public void PredictStaysTheModelOnItsOwnInputs()
    {
        // The file's standardization is for the task methods only: Predict takes standardized rows and returns raw outputs.
        using var folder = new TempFolder();
        string path = folder.File("m.safetensors");
        Sequential<double> model = Model(1, 7);
        ModelFile.Save(path, model, new ModelInfo { Task = TaskKind.Regression, Input = InputScaling, Target = new Standardizer([5], [2]) });
        double[] x = RawFeatures(4).Select(v => v / 1000).ToArray();
        var fromFile = new double[Rows];
        Predictor<double>.Load(path).Predict(x, fromFile, Rows);
        var fromModel = new double[Rows];
        new Predictor<double>(model).Predict(x, fromModel, Rows);
        Assert.Equal(fromModel, fromFile);
    }

    [Fact]
    public void WithoutInfoPredictValuesIsPredictAndClassifyIsRefused()
    {
        Sequential<double> model = Model(3, 8);
        var predictor = new Predictor<double>(model);
        double[] x = RawFeatures(5).Select(v => v / 1000).ToArray();
        var values = new double[Rows * 3];
        var outputs = new double[Rows * 3];
        predictor.PredictValues(x, values, Rows);
        predictor.Predict(x, outputs, Rows);
        Assert.Equal(outputs, values);
        Assert.Empty(predictor.ClassLabels);
        var e = Assert.Throws<InvalidOperationException>(() => predictor.Classify(x, new double[Rows * 3], new int[Rows], Rows));
        Assert.Contains("no task", e.Message);
    }

    [Fact]
    public void AClassifierRefusesPredictValues()
    {
        var predictor = new Predictor<double>(Model(1, 9), new ModelInfo { Task = TaskKind.BinaryClassification });
        Assert.Throws<InvalidOperationException>(() => predictor.PredictValues(new double[Features], new double[1], 1));
    }

    [Fact]
    public void TaskMethodsAllocateNothing()
    {
        using var folder = new TempFolder();
        string regression = folder.File("r.safetensors"), classes = folder.File("c.safetensors");
        ModelFile.Save(regression, Model(1, 10), new ModelInfo { Task = TaskKind.Regression, Input = InputScaling, Target = new Standardizer([5], [2]) });
        ModelFile.Save(classes, Model(3, 11), new ModelInfo { Task = TaskKind.MultiClassClassification, Input = InputScaling, ClassLabels = ["a", "b", "c"] });
        Predictor<float> values = Predictor<float>.Load(regression), classifier = Predictor<float>.Load(classes, chunkRows: 4);
        float[] x = RawFeatures(6).Select(v => (float)v).ToArray();
        var y = new float[Rows];
        var p = new float[Rows * 3];
        var c = new int[Rows];
        void Calls()
        {
            for (int i = 0; i < 50; i++)
            {
                values.PredictValues(x, y, Rows);
                classifier.Classify(x, p, c, Rows); // 7 rows in chunks of 4
                classifier.Classify(x.AsSpan(0, Features), p.AsSpan(0, 3));
            }
        }
        Calls();
        Assert.Equal(0, SteadyStateAllocation.Least(5, Calls));
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        var predictor = new Predictor<double>(Model(3, 12), new ModelInfo { Task = TaskKind.MultiClassClassification });
        var x = new double[2 * Features];
        Assert.Equal("features", Assert.Throws<ArgumentException>(() => predictor.Classify(x, new double[6], new int[2], 3)).ParamName);
        Assert.Equal("probabilities", Assert.Throws<ArgumentException>(() => predictor.Classify(x, new double[5], new int[2], 2)).ParamName);
        Assert.Equal("classes", Assert.Throws<ArgumentException>(() => predictor.Classify(x, new double[6], new int[3], 2)).ParamName);
        var shared = new double[2 * Features + 6];
        Assert.Equal("probabilities", Assert.Throws<ArgumentException>(() => predictor.Classify(shared.AsSpan(0, 2 * Features), shared.AsSpan(2, 6), new int[2], 2)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => predictor.Classify(x, new double[6], new int[2], -1));
        Assert.Equal("probabilities", Assert.Throws<ArgumentException>(() => predictor.Classify(x.AsSpan(0, Features), new double[2])).ParamName);

        var regression = new Predictor<double>(Model(1, 13));
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => regression.PredictValues(x, new double[3], 2)).ParamName);
        // Info that does not fit the model: 3 labels for a one-output model.
        var e = Assert.Throws<ArgumentException>(() => new Predictor<double>(Model(1, 14), new ModelInfo { Task = TaskKind.MultiClassClassification, ClassLabels = ["a", "b", "c"] }));
        Assert.Equal("info", e.ParamName);
    }

    [Fact]
    public void LoadReportsFileProblems()
    {
        using var folder = new TempFolder();
        Assert.Throws<FileNotFoundException>(() => Predictor<float>.Load(folder.File("missing.safetensors")));
        string garbage = folder.File("garbage.safetensors");
        File.WriteAllBytes(garbage, [1, 2, 3]);
        var e = Assert.Throws<ModelFileException>(() => Predictor<float>.Load(garbage));
        Assert.Contains("garbage.safetensors", e.Message);
    }
}
