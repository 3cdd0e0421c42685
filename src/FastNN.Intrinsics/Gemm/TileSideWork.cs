namespace FastNN.Intrinsics;

/// <summary>
/// Work the GEMM micro-kernels advance once per micro-tile on the thread that attached it: memory-bound work run in
/// small pieces between tiles of FMA-bound products, so the out-of-order core overlaps the two.
/// </summary>
/// <remarks>Read once per kernel call from a thread-static slot; products on threads without it pay a null check per tile.</remarks>
internal abstract class TileSideWork
{
    [ThreadStatic] private static TileSideWork? t_current;

    /// <summary>The calling thread's side work, or null.</summary>
    public static TileSideWork? Current
    {
        get => t_current;
        set => t_current = value;
    }

    /// <summary>Called after a micro-tile of <paramref name="flops"/> floating-point operations.</summary>
    public abstract void Advance(long flops);
}
