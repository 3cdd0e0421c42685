using FastNN.Inference;
using FastNN.Layers;
using FastNN.Models;

namespace FastNN.Tests.Inference;

public class PredictorArgumentTests
{
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
}
