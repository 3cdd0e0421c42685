using FastNN.Intrinsics;
using FastNN.Tests.Threading;

namespace FastNN.Tests.Gemm;

/// <summary>
/// The block sizes are read whole while another thread writes them: the table held them as nullable structs of seven
/// fields, which a read during the write of the first call's sizes could see half written (present, with KC and NC
/// still 0: that GEMM stepped through depth and columns by 0, forever). Here one thread keeps replacing the entry
/// while others read it; every read must be one of the entries written.
/// </summary>
[Collection(ParallelismCollection.Name)] // replaces the process-wide block sizes
public class BlockSizesTableTests
{
    [Fact]
    public void AReadDuringAWriteSeesOneWholeEntry()
    {
        IsaPath path = FastNN.Intrinsics.Gemm.SelectedPath;
        BlockSizes first = PinnedBlocking.Blocks<float>(96, 256, 1024), second = PinnedBlocking.Blocks<float>(192, 512, 2048);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        int readersLeft = 0;
        try
        {
            BlockSizes.Use<float>(path, first);
            Thread[] readers = [.. Enumerable.Range(0, 2).Select(_ => new Thread(() =>
            {
                for (int i = 0; i < 20_000_000; i++)
                {
                    BlockSizes seen = BlockSizes.For<float>(path);
                    if (seen != first && seen != second)
                    {
                        failures.Enqueue($"read {i}: {seen}");
                        break;
                    }
                }
                Interlocked.Decrement(ref readersLeft);
            }))];
            readersLeft = readers.Length;
            foreach (Thread r in readers)
                r.Start();
            for (long w = 0; Volatile.Read(ref readersLeft) > 0; w++)
                BlockSizes.Use<float>(path, w % 2 == 0 ? second : first);
            foreach (Thread r in readers)
                r.Join();
        }
        finally
        {
            BlockSizes.Use<float>(path, null);
        }
        Assert.True(failures.IsEmpty, $"a read saw neither entry written ({first}, {second}): {string.Join("; ", failures)}");
    }
}
