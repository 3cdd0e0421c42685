using FastNN.Intrinsics;
using FastNN.Tests.Threading;

namespace FastNN.Tests.Elementwise;

/// <summary>Maps above the parallel threshold give the same bits whatever the thread count, in place too.</summary>
[Collection(ParallelismCollection.Name)]
public class ParallelMapTests
{
    // The chunks of the longest spans an array or a span holds (Array.MaxLength floats: 8 GB, too much to map in a test):
    // the count was (length + Chunk − 1) / Chunk in int, negative from int.MaxValue − 32766 on, so a split map of such a
    // span ran no chunk and left its output as it was, without a word.
    [Theory]
    [InlineData(1 << 18)]
    [InlineData(int.MaxValue - 32767)]
    [InlineData(int.MaxValue - 32766)]
    [InlineData(0x7FFFFFC7)] // Array.MaxLength
    [InlineData(int.MaxValue)]
    public void ChunksCoverEveryLengthUpToTheLongestSpan(int length)
    {
        int chunks = ParallelMap.Chunks(length);
        Assert.Equal((length + (long)ParallelMap.Chunk - 1) / ParallelMap.Chunk, chunks);
        (int start, int last) = ParallelMap.Range(length, chunks - 1);
        Assert.Equal(length, (long)start + last);
        Assert.InRange(last, 1, ParallelMap.Chunk);
    }

    // A split's last chunk can be shorter than any vector (here 3 elements): it must give the bits the unsplit map's
    // last vector gives, not the scalar operator's (before the short-span fix: another thread count, other last bits).
    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    public void AShortLastChunkGivesTheSameBits(int tail)
    {
        var rng = new Random(tail);
        int n = 8 * (1 << 15) + tail;
        float[] x = TestData.Values<float>(rng, n);
        double[] xd = TestData.Values<double>(rng, n);
        int saved = Parallelism.MaxThreads;
        try
        {
            (float[], double[]) Map(int threads)
            {
                Parallelism.MaxThreads = threads;
                var y = new float[n];
                var yd = new double[n];
                Activations.Silu<float>(x, y);
                Activations.Softplus<double>(xd, yd, 1, 20);
                return (y, yd);
            }
            (float[] one, double[] oneD) = Map(1);
            (float[] two, double[] twoD) = Map(2);
            Assert.Equal(one, two);
            Assert.Equal(oneD, twoD);
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    [Fact]
    public void SplitMapsEqualSingleThreadedMaps()
    {
        var rng = new Random(21);
        int n = 3 * (1 << 17) + 13; // above the threshold, not a multiple of any part size
        float[] x = TestData.Values<float>(rng, n);
        float[] dy = TestData.Finite<float>(rng, n, 1);
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 1;
            var y1 = new float[n];
            var dx1 = new float[n];
            Activations.Gelu<float>(x, y1);
            Activations.SiluBackward<float>(x, dy, dx1);

            Parallelism.MaxThreads = Environment.ProcessorCount;
            var y2 = new float[n];
            var dx2 = new float[n];
            Activations.Gelu<float>(x, y2);
            Activations.SiluBackward<float>(x, dy, dx2);
            float[] inPlace = (float[])x.Clone();
            Activations.Gelu<float>(inPlace, inPlace);

            Assert.Equal(y1, y2);
            Assert.Equal(dx1, dx2);
            Assert.Equal(y1, inPlace);
            for (int i = 0; i < n; i += 997)
                Tolerance.AssertClose(Reference.Gelu(x[i]), y2[i], 8, $"gelu({x[i]:R}) at {i}", null, 1 + (float.IsFinite(x[i]) ? Math.Abs(x[i]) : 0));
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }
}
