using FastNN.Intrinsics;

namespace FastNN.Tests.Elementwise;

/// <summary>The chunks that PReLU's shared-slope gradient and LogSoftmax's Σ exp walk their spans in.</summary>
public class ChunkWalkTests
{
    // Chunks must tile [0, total) exactly, up to the longest span (8 GB of float, too much to run the kernels on in a
    // test): stepping start by the chunk size wrapped it negative after the last chunk from int.MaxValue − size + 1 on,
    // and the loop went on to Slice(negative start), which threw ArgumentOutOfRangeException.
    [Theory]
    [InlineData(0, 256)]
    [InlineData(1, 256)]
    [InlineData(255, 256)]
    [InlineData(256, 256)]
    [InlineData(257, 256)]
    [InlineData(3000, 1024)]
    [InlineData(int.MaxValue - 256, 256)]
    [InlineData(int.MaxValue - 1, 256)]
    [InlineData(int.MaxValue, 256)]
    [InlineData(int.MaxValue - 1, 1024)]
    [InlineData(int.MaxValue, 1024)]
    public void ChunksTileTheWholeRange(int total, int size)
    {
        long chunks = ((long)total + size - 1) / size;
        long next = 0, count = 0;
        for (var c = new ChunkWalk(total, size); c.MoveNext();)
        {
            Assert.True(++count <= chunks, $"more than {chunks} chunks");
            Assert.Equal(next, c.Start);
            Assert.InRange(c.Length, 1, size);
            next = (long)c.Start + c.Length;
        }
        Assert.Equal(chunks, count);
        Assert.Equal(total, next);
    }
}
