using FastNN.Benchmarks.Models;

namespace FastNN.Benchmarks.Tests;

/// <summary>
/// The <c>step</c> report's bytes per call, on the calling thread and over the whole process. The process figure used
/// to be read after the thread figure had been formatted, so it counted the report's own strings: a call allocating
/// nothing read 64 B over one call, and 0.2 B per step over the 400 steps of the report (which RESULTS.md put down to
/// the runtime's background threads). The process's counter is given here as the calling thread's: another thread of
/// the test host (the runner serializing results) may allocate at any time.
/// </summary>
public class StepAllocationTests
{
    private static byte[]? s_kept;

    [Fact]
    public void A_call_allocating_nothing_reads_zero_on_the_thread_and_in_the_process() =>
        Assert.Equal("0.0 B / 0.0 B", StepReport.BytesPerCall(() => { }, 1, GC.GetAllocatedBytesForCurrentThread));

    [Fact]
    public void A_call_allocating_one_array_reads_that_array_on_the_thread_and_in_the_process() =>
        // new byte[1000] on 64-bit: 8 bytes object header + 8 method table + 8 length + 1000 data = 1024.
        Assert.Equal("1024.0 B / 1024.0 B", StepReport.BytesPerCall(() => s_kept = new byte[1000], 4, GC.GetAllocatedBytesForCurrentThread));
}
