using FastNN.Inference;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Models;
using FastNN.Tests.IO;

namespace FastNN.Tests.Inference;

/// <summary>
/// The chunk a predictor runs when rows are too wide for <see cref="Predictor{T}.DefaultChunkRows"/>: the default is
/// lowered to the most rows whose workspace fits in an array, a chunkRows the caller gives that does not fit is refused
/// with that bound, and a model not even one row of which fits is refused as such. Before: Predictor.Load of a model
/// whose rows held about 4 to 13 million elements threw ArgumentOutOfRangeException naming chunkRows, which the caller
/// had not given. The predictors here are built but never run (a run would allocate their 8 GB workspaces).
/// </summary>
public class PredictorChunkTests
{
    // 2^22 features: between the two ReLU steps, two activation buffers of 256 such rows hold 2^31 elements, past
    // Array.MaxLength (2^31 − 57); the model itself, for one row, holds about 6·2^22 floats (100 MB).
    private const int Wide = 1 << 22;

    [Fact]
    public void ADefaultChunkTooLargeForAnArrayIsLoweredToTheMostRowsThatFitAndAGivenOneRefusedWithThatBound()
    {
        var model = new Sequential<float>([new Relu<float>(Wide), new Relu<float>(Wide)], maxBatch: 1);
        // The predictor's workspace for r rows: its two activation buffers of r rows of the first ReLU's output.
        int expected = (int)(Array.MaxLength / (2L * Wide));
        Assert.Equal(255, expected);

        var predictor = new Predictor<float>(model);
        Assert.Equal(expected, predictor.ChunkRows);
        Assert.Equal(2L * expected * Wide * sizeof(float), predictor.WorkspaceBytes);
        Assert.Equal(expected, new Predictor<float>(model, chunkRows: expected).ChunkRows);
        Assert.Equal(7, new Predictor<float>(model, chunkRows: 7).ChunkRows);
        foreach (int chunkRows in new[] { 256, int.MaxValue })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Predictor<float>(model, chunkRows));
            Assert.Equal("chunkRows", e.ParamName);
            Assert.Contains($"chunks of {chunkRows} rows", e.Message);
            Assert.Contains($"chunkRows can be at most {expected}", e.Message);
        }

        // The reported case: the file of such a model, loaded with the default chunk.
        using var folder = new TempFolder();
        string path = folder.File("wide.safetensors");
        ModelFile.Save(path, model);
        Assert.Equal(expected, Predictor<float>.Load(path).ChunkRows);
    }

    [Fact]
    public void RowsThatFitIsTheLargestChunkWhoseWorkspaceAnArrayHolds()
    {
        // Linear workspaces: r·w elements fit while r·w ≤ Array.MaxLength.
        foreach (long w in new long[] { 1, 3, 1 << 22, 5_000_000, 13_000_000, Array.MaxLength / 2, Array.MaxLength })
        {
            int most = (int)Math.Min(256, Array.MaxLength / w);
            Assert.Equal(most, RowsThatFit.Most(r => r * w, 256));
        }
        // The bound itself fits, one element more does not; a workspace growing faster than the rows is searched too.
        Assert.Equal(256, RowsThatFit.Most(r => r == 256 ? Array.MaxLength : 0, 256));
        Assert.Equal(255, RowsThatFit.Most(r => r == 256 ? Array.MaxLength + 1L : 0, 256));
        Assert.Equal(46_340, RowsThatFit.Most(r => (long)r * r, int.MaxValue)); // ⌊√(2^31 − 57)⌋
        // Not one row: 0, whatever the rows asked for.
        Assert.Equal(0, RowsThatFit.Most(_ => Array.MaxLength + 1L, 256));
        Assert.Equal(0, RowsThatFit.Most(_ => long.MaxValue, 1));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(1)]
    public void AModelNotOneRowOfWhichFitsIsRefusedAsSuchWhateverTheChunk(int? chunkRows)
    {
        var layer = new ScratchLayer(2);
        var model = new Sequential<float>([new Dense<float>(2, 2), layer], maxBatch: 1);
        layer.Scratch = Array.MaxLength; // with the two activation buffers, one row's workspace passes Array.MaxLength
        var e = Assert.Throws<ArgumentException>(() => new Predictor<float>(model, chunkRows));
        Assert.Equal("model", e.ParamName);
        Assert.Contains("workspace for one row", e.Message);
        Assert.Contains(Array.MaxLength.ToString(), e.Message);
    }

    // Before: the SavedModel constructor's refusals named model and info, arguments its caller never passed.
    [Fact]
    public void ASavedModelRefusedIsNamedAsTheArgumentSaved()
    {
        var layer = new ScratchLayer(2);
        var model = new Sequential<float>([new Dense<float>(2, 2), layer], maxBatch: 1);
        layer.Scratch = Array.MaxLength;
        var wide = Assert.Throws<ArgumentException>(() => new Predictor<float>(new SavedModel<float>(model, new ModelInfo())));
        Assert.Equal("saved", wide.ParamName);
        Assert.Contains("workspace for one row", wide.Message);

        // ModelFile.Load checks a file's info against its model, so only a SavedModel made here can hold one that does not fit.
        layer.Scratch = 0;
        var misfit = Assert.Throws<ArgumentException>(() => new Predictor<float>(new SavedModel<float>(model, new ModelInfo { FeatureNames = ["a"] })));
        Assert.Equal("saved", misfit.ParamName);
        Assert.Contains("FeatureNames has 1 names; the model takes 2 inputs.", misfit.Message);
        Assert.Equal(2, new Predictor<float>(new SavedModel<float>(model, new ModelInfo { FeatureNames = ["a", "b"] })).InputSize);
    }

    /// <summary>A user layer (y = x) asking for a scratch that can be raised after its model was built.</summary>
    private sealed class ScratchLayer(int features) : ILayer<float>
    {
        public int Scratch { get; set; }
        public int InputSize => features;
        public int OutputSize => features;
        public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => [];
        public IReadOnlyList<StateDeclaration> StateDeclarations => [];
        public int ScratchLength(int batch) => Scratch;
        public void Initialize(LayerBuffers<float> buffers) { }
        public void Forward(Span<float> y, ReadOnlySpan<float> x, LayerBuffers<float> buffers, int batch) => x.CopyTo(y);
        public void Backward(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> y, LayerBuffers<float> buffers, int batch) => dy.CopyTo(dx);
    }
}
