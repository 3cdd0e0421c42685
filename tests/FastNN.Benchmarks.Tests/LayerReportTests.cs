using FastNN.Benchmarks.Layers;

namespace FastNN.Benchmarks.Tests;

/// <summary>
/// The <c>layers</c> report's sides in this process start every slice with one untimed call, as its PyTorch side does
/// (<c>benchmarks/pytorch/common.py</c>, "time": one untimed call, then the slice) and as the <c>step</c> report's sides
/// do. They did not: each FastNN slice timed its first call on the caches the PyTorch and triad slices before it had
/// left, which PyTorch's slice never did.
/// </summary>
public class LayerReportTests
{
    [Fact]
    public void A_slice_of_three_calls_makes_one_untimed_call_first()
    {
        int calls = 0;
        LayerReport.Side(() => calls++).SecondsPerCall(3);
        Assert.Equal(4, calls);
    }
}
