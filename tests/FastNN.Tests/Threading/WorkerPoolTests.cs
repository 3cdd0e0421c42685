using FastNN.Intrinsics;

namespace FastNN.Tests.Threading;

[Collection(ParallelismCollection.Name)]
public class WorkerPoolTests
{
    private sealed class RecordParts(int parts) : IParallelWork
    {
        public readonly int[] Runs = new int[parts];
        public readonly int[] Threads = new int[parts];
        public int SeenPartCount;

        public void Execute(int part, int partCount)
        {
            Interlocked.Increment(ref Runs[part]);
            Threads[part] = Environment.CurrentManagedThreadId;
            SeenPartCount = partCount;
        }
    }

    private sealed class Throws(int failingPart) : IParallelWork
    {
        public void Execute(int part, int partCount)
        {
            if (part == failingPart)
                throw new InvalidOperationException($"part {part}");
        }
    }

    [Fact]
    public void EveryPartRunsExactlyOnceAndPartZeroOnTheCaller()
    {
        for (int parts = 1; parts <= 4; parts++)
        {
            for (int round = 0; round < 50; round++)
            {
                var work = new RecordParts(parts);
                WorkerPool.Run(work, parts);
                Assert.All(work.Runs, r => Assert.Equal(1, r));
                Assert.Equal(parts, work.SeenPartCount);
                Assert.Equal(Environment.CurrentManagedThreadId, work.Threads[0]);
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void AnExceptionInAPartReachesTheCallerAndThePoolStillWorks(int failingPart)
    {
        var e = Assert.Throws<InvalidOperationException>(() => WorkerPool.Run(new Throws(failingPart), 2));
        Assert.Equal($"part {failingPart}", e.Message);
        var work = new RecordParts(2);
        WorkerPool.Run(work, 2);
        Assert.All(work.Runs, r => Assert.Equal(1, r));
    }

    [Fact]
    public void MaxThreadsIsClampedToTheProcessorCount()
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 0;
            Assert.Equal(1, Parallelism.MaxThreads);
            Parallelism.MaxThreads = int.MaxValue;
            Assert.Equal(Environment.ProcessorCount, Parallelism.MaxThreads);
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }
}
