using System.Numerics;

namespace FastNN.Intrinsics;

public static partial class OptimizerKernels
{
    /// <summary>Buffers of at least this many elements are split across threads when more than one is allowed.</summary>
    public const int ParallelThreshold = 1 << 18;

    /// <summary>Runs one validated update (single-threaded until the shared worker pool is available).</summary>
    private static void Execute<T, TOp>(in TOp op, Span<T> parameters, ReadOnlySpan<T> gradients, Span<T> s0, Span<T> s1, Span<T> s2)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IUpdateOperator<T>
        => UpdateDriver.Run(op, parameters, gradients, s0, s1, s2);
}
