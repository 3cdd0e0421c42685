using FastNN.Benchmarks.Inference;

namespace FastNN.Benchmarks.Tests;

/// <summary>
/// The <c>inference</c> report's bytes per call, which back README's "0 B" for the predictor: a few allocations over many
/// calls (a workspace grown now and then) printed with one decimal read "0.0", as if nothing had been allocated.
/// </summary>
public class InferenceAllocationTests
{
    private static object? s_kept;

    [Fact]
    public void An_allocation_every_500_calls_does_not_read_as_zero()
    {
        int calls = 0;
        // An object (24 B on 64-bit) every 500th call: 48 B in each window of 1000 calls, 0.048 B a call.
        string perCall = InferenceReport.BytesPerCall(() =>
        {
            if (++calls % 500 == 0)
                s_kept = new object();
        });
        Assert.Equal("0.048", perCall);
    }

    [Fact]
    public void A_call_allocating_nothing_reads_zero() =>
        Assert.Equal("0.0", InferenceReport.BytesPerCall(() => { }));
}
