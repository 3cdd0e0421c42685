using FastNN.Inference;
using FastNN.Layers;
using FastNN.Models;

namespace FastNN.Tests.Inference;

public class PredictorArgumentTests
{
    [Fact]
    public void AnyCacheSizeIsAcceptedAndCostsOnlyTheArraysKept()
    {
        // Before: the pool allocated int.MaxValue slots up front (OutOfMemoryException from the constructor).
        var model = new Sequential<float>([new Dense<float>(2, 8), new Relu<float>(8), new Dense<float>(8, 2)], maxBatch: 4);
        var predictor = new Predictor<float>(model, maxCachedWorkspaces: int.MaxValue);
        Assert.Equal(int.MaxValue, predictor.MaxCachedWorkspaces);
        float[] input = [0.5f, -1, 2, 0.25f], output = new float[4], expected = new float[4];
        predictor.Predict(input, output, 2);
        new Predictor<float>(model).Predict(input, expected, 2);
        Assert.Equal(expected, output);

        // Past the first slots, the pool still keeps every array returned, up to its capacity.
        var pool = new WorkspacePool<float>(8, 40);
        float[][] lent = [.. Enumerable.Range(0, 50).Select(_ => pool.Rent())];
        foreach (float[] array in lent)
            pool.Return(array);
        var again = Enumerable.Range(0, 50).Select(_ => pool.Rent()).ToList();
        Assert.Equal(40, again.Count(a => lent.Contains(a)));
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(300_000_000)] // 300M rows of 8 features: the two activation buffers alone pass int.MaxValue
    public void AChunkTooLargeForAWorkspaceNamesChunkRows(int chunkRows)
    {
        // Before: OverflowException from the workspace arithmetic.
        var model = new Sequential<float>([new Dense<float>(2, 8), new Relu<float>(8), new Dense<float>(8, 2)], maxBatch: 4);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Predictor<float>(model, chunkRows));
        Assert.Equal("chunkRows", e.ParamName);
        Assert.Contains(chunkRows.ToString(), e.Message);
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(null, 0)]
    public void LoadRefusesABadSizeByNameBeforeReadingTheFile(int? chunkRows, int? maxCachedWorkspaces)
    {
        // Before: maxCachedWorkspaces was checked only after the file was read, so a missing file was reported instead
        // (FileNotFoundException), and an existing one was read in full before the argument was refused.
        string missing = Path.Combine(Path.GetTempPath(), $"fastnn-missing-{Guid.NewGuid():N}.safetensors");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Predictor<float>.Load(missing, chunkRows, maxCachedWorkspaces));
        Assert.Equal(chunkRows is null ? "maxCachedWorkspaces" : "chunkRows", e.ParamName);
    }

    [Fact]
    public void DescribeNamesEachStepAsItsDocsShow()
    {
        // The docs' example read "0 Linear + 1 ReLU: dense 784→256, fused"; the steps are named by layer type and index.
        var model = new Sequential<float>([new Dense<float>(3, 4), new Relu<float>(4), new Dropout<float>(4, 0.5),
            new Residual<float>(new Dense<float>(4, 4), new Tanh<float>(4)), new Dense<float>(4, 2)], maxBatch: 1);
        Assert.Equal(["0 Dense + 1 Relu: 3→4", "3 Residual: 4→4", "4 Dense: 4→2"], new Predictor<float>(model).Describe().Split(Environment.NewLine));
    }
}
