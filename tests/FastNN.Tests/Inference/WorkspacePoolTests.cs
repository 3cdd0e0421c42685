using FastNN.Inference;

namespace FastNN.Tests.Inference;

public class WorkspacePoolTests
{
    // Before: the slots grew under the pool's spin lock, so an OutOfMemoryException there left the lock held, and every
    // later call of the predictor spun forever on it (here: the Rent on another thread never returned).
    [Fact]
    public void AFailureToGrowTheSlotsLeavesThePoolUsable()
    {
        bool fail = true;
        var pool = new WorkspacePool<float>(4, 64) { NewSlots = count => fail ? throw new OutOfMemoryException() : new float[count][] };
        float[][] lent = [.. Enumerable.Range(0, 17).Select(_ => pool.Rent())];
        foreach (float[] array in lent[..16])
            pool.Return(array); // the first 16 slots
        Assert.Throws<OutOfMemoryException>(() => pool.Return(lent[16]));

        float[]? again = null;
        var other = new Thread(() => again = pool.Rent()) { IsBackground = true };
        other.Start();
        Assert.True(other.Join(TimeSpan.FromSeconds(30)), "Rent did not return: the lock stayed held");
        Assert.Contains(again, lent[..16]);

        fail = false;
        pool.Return(again!);
        pool.Return(lent[16]);
        var kept = Enumerable.Range(0, 17).Select(_ => pool.Rent()).ToList();
        Assert.Equal(17, kept.Count(a => lent.Contains(a)));
    }
}
