using System.Globalization;
using FastNN.Data;
using FastNN.Layers;

namespace FastNN.Tests.Data;

public class DatasetTests
{
    private static Dataset<double> Numbered(int rows, int classes) =>
        // Row r has features (r, −r) and class r mod classes, so rows can be traced after a split.
        new(Enumerable.Range(0, rows).SelectMany(r => new double[] { r, -r }).ToArray(),
            Enumerable.Range(0, rows).Select(r => (double)(r % classes)).ToArray(), 2);

    [Fact]
    public void SplitPartitionsTheRowsWithTheRequestedFraction()
    {
        Dataset<double> data = Numbered(101, 3);
        var (train, validation) = data.Split(0.2, seed: 3);
        Assert.Equal(20, validation.Rows);
        Assert.Equal(81, train.Rows);
        var ids = Ids(train).Concat(Ids(validation)).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 101), ids);
        // Targets travel with their rows.
        for (int i = 0; i < train.Rows; i++)
            Assert.Equal(train.Features[2 * i] % 3, train.Targets[i]);
    }

    [Fact]
    public void StratifiedSplitHoldsOutThatFractionOfEachClass()
    {
        Dataset<double> data = Csv.Read<double>(DataFiles.Path("breast_cancer.csv"));
        var (train, validation) = data.Split(0.2, seed: 11, stratified: true);
        int malignant = data.Targets.ToArray().Count(y => y == 0), benign = data.Rows - malignant;   // 212 and 357
        Assert.Equal((int)Math.Round(0.2 * malignant, MidpointRounding.AwayFromZero), validation.Targets.ToArray().Count(y => y == 0));
        Assert.Equal((int)Math.Round(0.2 * benign, MidpointRounding.AwayFromZero), validation.Targets.ToArray().Count(y => y == 1));
        Assert.Equal(data.Rows, train.Rows + validation.Rows);
    }

    // Each class rounds its own share: 3 classes of 2 rows hold out round(0.2 · 2) = 0 rows each, where 0.2 of all 6
    // rows would be 1; the message must say why no row is held out.
    [Fact]
    public void AStratifiedSplitThatHoldsOutNoRowSaysItRoundsPerClass()
    {
        var e = Assert.Throws<ArgumentException>(() => Numbered(6, 3).Split(0.2, seed: 1, stratified: true));
        Assert.StartsWith("Splitting 6 rows of 3 classes with validation fraction 0.2, rounded per class, leaves 6 training and 0 validation rows; both must be non-empty.", e.Message);
        Assert.Equal("validationFraction", e.ParamName);
    }

    [Fact]
    public void SplitIsReproducibleForASeed()
    {
        Dataset<double> data = Numbered(40, 2);
        Assert.Equal(Ids(data.Split(0.25, 5).Validation), Ids(data.Split(0.25, 5).Validation));
        Assert.NotEqual(Ids(data.Split(0.25, 5).Validation), Ids(data.Split(0.25, 6).Validation));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void KeepOrderHoldsOutTheSameRowsAndKeepsTheirFileOrder(bool stratified)
    {
        Dataset<double> data = Numbered(50, 3);
        var (train, validation) = data.Split(0.2, seed: 4, stratified);
        var (orderedTrain, orderedValidation) = data.Split(0.2, seed: 4, stratified, keepOrder: true);
        Assert.Equal(Ids(validation).Order(), Ids(orderedValidation));
        Assert.Equal(Ids(train).Order(), Ids(orderedTrain));
        Assert.NotEqual(Ids(train), Ids(orderedTrain)); // the plain split shuffles
    }

    [Fact]
    public void GatherCopiesTheChosenRowsInOrder()
    {
        Dataset<double> data = Numbered(10, 2);
        var features = new double[6];
        var targets = new double[3];
        data.Gather([7, 0, 3], features, targets);
        Assert.Equal([7, -7, 0, 0, 3, -3], features);
        Assert.Equal([1, 0, 1], targets);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Gather([10], features, targets));
        Assert.Throws<ArgumentException>(() => data.Gather([1, 2, 3, 4], features, new double[4]));
    }

    [Fact]
    public void ConstructorRejectsInconsistentShapes()
    {
        Assert.Throws<ArgumentException>(() => new Dataset<float>(new float[5], new float[2], 2));
        Assert.Throws<ArgumentException>(() => new Dataset<float>(new float[4], new float[2], 2, ["only one"]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset<float>([], [], 0));
    }

    [Fact]
    public void ShufflerVisitsEveryRowOnceEachEpochWithoutAllocating()
    {
        var shuffler = new Shuffler(1000, new FastRandom(42));
        shuffler.Shuffle();
        Assert.Equal(0, SteadyStateAllocation.Least(3, () =>
        {
            for (int epoch = 0; epoch < 20; epoch++)
                shuffler.Shuffle();
        }));
        Assert.Equal(Enumerable.Range(0, 1000), shuffler.Order.ToArray().Order());
        Assert.NotEqual(Enumerable.Range(0, 1000), shuffler.Order.ToArray());

        var again = new Shuffler(1000, new FastRandom(42));
        for (int epoch = 0; epoch < 1 + 3 * 20; epoch++)
            again.Shuffle();
        Assert.Equal(shuffler.Order.ToArray(), again.Order.ToArray());
    }

    [Fact]
    public void AShuffleDependsOnlyOnTheGeneratorStateSoASavedStateReplaysTheNextEpochs()
    {
        var random = new FastRandom(9);
        var shuffler = new Shuffler(50, random);
        shuffler.Shuffle();
        var saved = random.State;
        shuffler.Shuffle();
        int[] second = shuffler.Order.ToArray();
        shuffler.Shuffle();
        int[] third = shuffler.Order.ToArray();

        // A new shuffler (identity order) over a generator restored to the saved state draws the same two orders.
        var restored = new FastRandom(0);
        restored.Restore(saved);
        var replay = new Shuffler(50, restored);
        replay.Shuffle();
        Assert.Equal(second, replay.Order.ToArray());
        replay.Shuffle();
        Assert.Equal(third, replay.Order.ToArray());
        Assert.NotEqual(second, third);
    }

    [Theory]
    [InlineData(double.NaN, 1, 2)]
    [InlineData(double.PositiveInfinity, 0, 0)]
    [InlineData(double.NegativeInfinity, 2, 1)]
    public void ConstructorRejectsANonFiniteFeatureNamingItsRowAndColumn(double bad, int row, int column)
    {
        double[] features = Enumerable.Range(0, 9).Select(i => (double)i).ToArray();
        features[3 * row + column] = bad;
        var e = Assert.Throws<ArgumentException>(() => new Dataset<double>(features, [0, 1, 2], 3, ["a", "b", "c"]));
        Assert.Equal("features", e.ParamName);
        Assert.Contains($"'{"abc"[column]}' (column {column}) of row {row} ", e.Message);
        Assert.Contains(bad.ToString(), e.Message);
    }

    // Before: a target named as a feature was taken, trained and saved, and eval then refused the model file's columns
    // ("asked for both as a feature and as the target"). A target left unnamed ("target") may share a feature's name.
    [Theory]
    [InlineData("b", "b")]
    [InlineData("cafe\u0301", "caf\u00e9")]
    public void ConstructorRejectsATargetNamedAsAFeatureNamingIt(string targetName, string feature)
    {
        var e = Assert.Throws<ArgumentException>(() => new Dataset<float>(new float[6], [0, 1], 3, ["a", "b", "caf\u00e9"], targetName));
        Assert.Equal("targetName", e.ParamName);
        Assert.Contains($"'{targetName}' is also the name of feature {Array.IndexOf(["a", "b", "caf\u00e9"], feature)}", e.Message);
        Assert.Equal("target", new Dataset<float>(new float[6], [0, 1], 3, ["a", "target", "c"]).TargetName);
    }

    // Before: with featureNames null the features are x0, x1, …, and a target named "x1" was taken; ModelFile.Save
    // refused that model's info only after the training ("TargetName 'x1' is also FeatureNames[1]").
    [Fact]
    public void ConstructorRejectsATargetNamedAsADefaultFeatureName()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dataset<float>(new float[6], [0, 1], 3, targetName: "x1"));
        Assert.Equal("targetName", e.ParamName);
        Assert.Contains("'x1' is also the name of feature 1 (counting from 0, named x0, x1, … as featureNames is null)", e.Message);
        Assert.Equal("x3", new Dataset<float>(new float[6], [0, 1], 3, targetName: "x3").TargetName);
    }

    // Before: a Dataset took a name twice, trained, and only ModelFile.Save refused the names, after the training.
    [Theory]
    [InlineData(new[] { "a", "b", "a" }, "'a' twice (features 0 and 2, counting from 0)")]
    [InlineData(new[] { "x", "x", "y" }, "'x' twice (features 0 and 1, counting from 0)")]
    [InlineData(new[] { "a", null, "b" }, "featureNames[1] is null.")]
    [InlineData(new[] { "caf\u00e9", "b", "cafe\u0301" }, "'caf\u00e9' twice (features 0 and 2, counting from 0; the second written 'cafe\u0301'")]
    public void ConstructorRejectsARepeatedOrNullFeatureNameNamingIt(string[] names, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new Dataset<float>(new float[6], [0, 1], 3, names));
        Assert.Equal("featureNames", e.ParamName);
        Assert.Contains(message, e.Message);
        // Names are compared as a model file and a CSV header compare them: ordinally, in Unicode normal form C (the
        // decomposed 'é' above was a second name, which the CSV header of a file to predict from could not hold).
        Assert.Equal(["a", "A", "b"], new Dataset<float>(new float[6], [0, 1], 3, ["a", "A", "b"]).FeatureNames);
    }

    [Fact]
    public void ConstructorRejectsANonFiniteTargetNamingItsRow()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dataset<float>(new float[6], [0, float.NaN, 1], 2, targetName: "price"));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("'price' of row 1 ", e.Message);
        // Finite extremes are data, not errors.
        Assert.Equal(2, new Dataset<float>([float.MaxValue, -float.MaxValue], [float.Epsilon, 0], 1).Rows);
    }

    [Fact]
    public void MessagesWriteNumbersWithADecimalPointWhateverTheCurrentCulture()
    {
        // Under de-DE a class target 0.5 was "Target 0,5 at row 0" and a fraction 0.1 "validation fraction 0,1": a comma
        // where every file and argument uses a point (and in a CSV context, two values).
        CultureInfo saved = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            var target = Assert.Throws<ArgumentException>(() => new Dataset<double>([1, 2], [0.5, 1], 1, classLabels: ["a", "b"]));
            Assert.Contains("Target 0.5 at row 0", target.Message);
            var index = Assert.Throws<ArgumentException>(() => new Dataset<double>([1, 2], [1, 1.5], 1).Split(0.5, seed: 0, stratified: true));
            Assert.Contains("Target 1.5 at row 1", index.Message);
            var split = Assert.Throws<ArgumentException>(() => new Dataset<double>([1, 2, 3], [0, 1, 0], 1).Split(0.1, seed: 0));
            Assert.Contains("validation fraction 0.1 leaves", split.Message);
            var scale = Assert.Throws<ArgumentException>(() => new Standardizer([0.5], [-1.5]));
            Assert.Contains("scales[0] = -1.5 is", scale.Message);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void FisherYatesIsUniformOverThePermutationsOfThree()
    {
        // 6 orders, 60000 draws: each count ~ Binomial(60000, 1/6), σ ≈ 91; allow 5σ.
        var counts = new Dictionary<string, int>();
        var random = new FastRandom(1);
        Span<int> values = stackalloc int[3];
        for (int i = 0; i < 60000; i++)
        {
            values[0] = 0; values[1] = 1; values[2] = 2;
            Shuffler.Shuffle(values, random);
            string key = $"{values[0]}{values[1]}{values[2]}";
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        Assert.Equal(6, counts.Count);
        Assert.All(counts.Values, n => Assert.InRange(n, 10000 - 455, 10000 + 455));
    }

    private static int[] Ids(Dataset<double> d) => Enumerable.Range(0, d.Rows).Select(i => (int)d.Features[2 * i]).ToArray();

    [Fact]
    public void SubsetCopiesTheChosenRowsInOrderWithRepeatsAndKeepsTheNames()
    {
        var data = new Dataset<double>([1, 10, 2, 20, 3, 30], [0, 1, 0], 2, ["a", "b"], "y", ["no", "yes"]);
        Dataset<double> subset = data.Subset([2, 0, 2]);
        Assert.Equal([3.0, 30, 1, 10, 3, 30], subset.Features.ToArray());
        Assert.Equal([0.0, 0, 0], subset.Targets.ToArray());
        Assert.Equal(["a", "b"], subset.FeatureNames);
        Assert.Equal("y", subset.TargetName);
        Assert.Equal(["no", "yes"], subset.ClassLabels!);
        Assert.Equal(0, data.Subset([]).Rows);
        Assert.Equal("rows", Assert.Throws<ArgumentOutOfRangeException>(() => data.Subset([0, 3])).ParamName);
    }

    /// <summary>
    /// 65 537 rows of 65 536 features are 2³² + 65 536 values: the size wrapped to 65 536 in int, and Gather refused the
    /// subset's own buffer as "features holds 65536 elements". The rows argument is named, and nothing that large is allocated.
    /// </summary>
    [Fact]
    public void ASubsetTooLargeForOneArrayIsRefusedNamingRows()
    {
        const int features = 65536;
        var data = new Dataset<float>(new float[features], [0f], features);
        var e = Assert.Throws<ArgumentException>(() => data.Subset(new int[features + 1]));
        Assert.Equal("rows", e.ParamName);
        Assert.Contains("65537 rows of 65536 features", e.Message);
    }
}
