using System.Globalization;
using FastNN.Data;
using FastNN.Inference;
using FastNN.IO;
using FastNN.Models;
using FastNN.Training;

namespace FastNN.Tests.Inference;

/// <summary>
/// The task methods take features as the training data held them, and a <see cref="Dataset{T}"/> holds finite features
/// only: a NaN or an infinity given to <see cref="Predictor{T}.PredictValues"/> or <see cref="Predictor{T}.Classify(ReadOnlySpan{T}, Span{T}, Span{int}, int)"/>
/// is bad data, refused with an <see cref="ArgumentException"/> naming <c>features</c>, the row, the column and the
/// feature's name, before any output is written (not a NaN value, or NaN probabilities with class 0 as a label).
/// </summary>
public class PredictorNonFiniteFeatureTests
{
    private const int Features = 3, ChunkRows = 2, Rows = 5;

    private static readonly Sequential<float> Model =
        new SequentialBuilder<float>(Features).Dense(4).Relu().Dense(2).Build(maxBatch: Rows, seed: 5);

    private static readonly ModelInfo Classes = new()
    {
        Task = TaskKind.MultiClassClassification,
        Input = new Standardizer([1, 2, 3], [1, 1, 1]),
        FeatureNames = ["age", "bmi", "bp"],
    };

    public static TheoryData<float, int> BadFeatures => new()
    {
        { float.NaN, 0 },
        { float.PositiveInfinity, 3 * Features + 1 }, // row 3, in the second chunk
        { float.NegativeInfinity, Rows * Features - 1 },
    };

    private static float[] Rows5(float bad, int at)
    {
        float[] x = Enumerable.Range(0, Rows * Features).Select(i => i * 0.25f).ToArray();
        x[at] = bad;
        return x;
    }

    private static void AssertNamed(ArgumentException e, float bad, int at)
    {
        Assert.Equal("features", e.ParamName);
        string name = Classes.FeatureNames![at % Features];
        Assert.Contains($"row {at / Features}, column {at % Features} ('{name}'), is {bad.ToString(CultureInfo.InvariantCulture)}", e.Message);
    }

    [Theory]
    [MemberData(nameof(BadFeatures))]
    public void ClassifyRefusesANonFiniteFeatureNamingItsRowAndColumn(float bad, int at)
    {
        var predictor = new Predictor<float>(Model, Classes, chunkRows: ChunkRows);
        float[] x = Rows5(bad, at);
        var probabilities = new float[Rows * 2];
        var classes = new int[Rows];
        Array.Fill(classes, -1);
        AssertNamed(Assert.Throws<ArgumentException>(() => predictor.Classify(x, probabilities, classes, Rows)), bad, at);
        Assert.All(classes, c => Assert.Equal(-1, c)); // refused before any chunk ran
        int row = at / Features;
        var e = Assert.Throws<ArgumentException>(() => predictor.Classify(x.AsSpan(row * Features, Features), new float[2]));
        AssertNamed(e, bad, at % Features);
    }

    [Theory]
    [MemberData(nameof(BadFeatures))]
    public void PredictValuesRefusesANonFiniteFeatureNamingItsRowAndColumn(float bad, int at)
    {
        var predictor = new Predictor<float>(Model, Classes with { Task = null }, chunkRows: ChunkRows);
        float[] x = Rows5(bad, at);
        var values = new float[Rows * 2];
        Array.Fill(values, -7f);
        AssertNamed(Assert.Throws<ArgumentException>(() => predictor.PredictValues(x, values, Rows)), bad, at);
        Assert.All(values, v => Assert.Equal(-7f, v));
    }

    // A finite feature far outside the recorded spread standardizes beyond float's range (3e38 / 1e-3): the model would
    // see an infinity. Refused as a non-finite feature is, naming the row of the whole batch (not of its chunk).
    [Fact]
    public void AFeatureThatStandardizesBeyondTheRangeIsRefusedNamingItsRowAndColumn()
    {
        const int at = 3 * Features + 1; // row 3, in the second chunk
        ModelInfo tiny = Classes with { Task = null, Input = new Standardizer([1, 2, 3], [1, 1e-3, 1]) };
        var predictor = new Predictor<float>(Model, tiny, chunkRows: ChunkRows);
        float[] x = Rows5(3e38f, at);
        var values = new float[Rows * 2];
        Array.Fill(values, -7f);
        var e = Assert.Throws<ArgumentException>(() => predictor.PredictValues(x, values, Rows));
        Assert.Equal("features", e.ParamName);
        Assert.Contains("row 3, column 1 ('bmi'), is 3E+38", e.Message);
        Assert.Contains("standardizes to", e.Message);
        Assert.Contains("beyond the range of float", e.Message);
        Assert.All(values, v => Assert.Equal(-7f, v));

        var classifier = new Predictor<float>(Model, tiny with { Task = TaskKind.MultiClassClassification }, chunkRows: ChunkRows);
        var classes = new int[Rows];
        Array.Fill(classes, -1);
        e = Assert.Throws<ArgumentException>(() => classifier.Classify(x, new float[Rows * 2], classes, Rows));
        Assert.Contains("row 3, column 1 ('bmi'), is 3E+38", e.Message);
        Assert.All(classes, c => Assert.Equal(-1, c));

        // A value that standardizes into float's range (to about 3e38) is taken.
        x[at] = 3e35f;
        predictor.PredictValues(x, values, Rows);
        Assert.All(values, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void AFiniteFeatureThatStandardizesPastTheTypeIsRefusedAtItsRowBeforeAnyChunkRuns()
    {
        // σ = 1e-30 for 'bmi': 1e10 standardizes to about 1e40, past float. It sits in row 3, the second row of the
        // second chunk: the standardizer, run chunk by chunk, named row 1 of that chunk, after the first chunk's
        // outputs were written.
        var predictor = new Predictor<float>(Model, Classes with { Task = null, Input = new Standardizer([1, 2, 3], [1, 1e-30, 1]) }, chunkRows: ChunkRows);
        float[] x = Rows5(1e10f, 3 * Features + 1);
        var values = new float[Rows * 2];
        Array.Fill(values, -7f);
        var e = Assert.Throws<ArgumentException>(() => predictor.PredictValues(x, values, Rows));
        Assert.Equal("features", e.ParamName);
        Assert.Contains("features row 3, column 1 ('bmi'), is 1E+10 (counting from 0), which standardizes to", e.Message);
        Assert.All(values, v => Assert.Equal(-7f, v));
    }

    [Fact]
    public void WithoutFeatureNamesTheRowAndColumnAreNamed()
    {
        var predictor = new Predictor<float>(Model);
        float[] x = Rows5(float.NaN, 4);
        var e = Assert.Throws<ArgumentException>(() => predictor.PredictValues(x, new float[Rows * 2], Rows));
        Assert.Equal("features", e.ParamName);
        Assert.Contains("row 1, column 1, is NaN", e.Message);
    }
}
