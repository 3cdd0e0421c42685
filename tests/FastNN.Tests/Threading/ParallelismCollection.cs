namespace FastNN.Tests.Threading;

/// <summary>Tests that change <see cref="FastNN.Intrinsics.Parallelism.MaxThreads"/> or other process-wide settings (the GEMM's block sizes: Gemm.PinnedBlocking) run in this collection, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ParallelismCollection
{
    /// <summary>The collection name for <c>[Collection(ParallelismCollection.Name)]</c>.</summary>
    public const string Name = "Parallelism.MaxThreads";
}
