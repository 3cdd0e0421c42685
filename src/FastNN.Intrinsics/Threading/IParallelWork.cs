namespace FastNN.Intrinsics;

/// <summary>A job split into parts that <see cref="WorkerPool"/> runs concurrently.</summary>
/// <remarks>Implement it on a reusable class (one instance per caller, kept between calls) so that a run allocates nothing.</remarks>
internal interface IParallelWork
{
    /// <summary>Runs part <paramref name="part"/> of <paramref name="partCount"/>; parts must not depend on each other.</summary>
    void Execute(int part, int partCount);
}
