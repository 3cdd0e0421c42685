using FastNN.Benchmarks.Models;

namespace FastNN.Benchmarks.Tests;

/// <summary>
/// The <c>step</c> report's bytes per call, on the calling thread and over the whole process. The process figure used
/// to be read after the thread figure had been formatted, so it counted the report's own strings: a call allocating
/// nothing read "0.0 B / 64.0 B" over one call, and the 0.2 B per step that RESULTS.md put down to the runtime's
/// background threads over 400 steps.
/// </summary>
[Collection(AllocationCollection.Name)]
public class StepAllocationTests
{
    private static byte[]? s_kept;

    [Fact]
    public void A_call_allocating_nothing_reads_zero_on_the_thread_and_in_the_process()
    {
        Assert.Equal("0.0 B / 0.0 B", StepReport.BytesPerCall(() => { }, 1));
    }

    [Fact]
    public void A_call_allocating_one_array_reads_that_array_on_the_thread_and_in_the_process()
    {
        // new byte[1000] on 64-bit: 8 bytes object header + 8 method table + 8 length + 1000 data = 1024.
        Assert.Equal("1024.0 B / 1024.0 B", StepReport.BytesPerCall(() => s_kept = new byte[1000], 4));
    }
}

/// <summary>Tests that read the process-wide allocation counter run alone, so no other test's allocations enter it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    /// <summary>The collection name for <c>[Collection(AllocationCollection.Name)]</c>.</summary>
    public const string Name = "Process-wide allocations";
}
