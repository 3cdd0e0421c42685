using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Tests.Gemm;

/// <summary>
/// Runs a test body with the packed GEMM's block sizes for <c>T</c> on the selected path replaced, so that a test of a
/// blocking-dependent rule tests it whatever blocking this machine derives (or FASTNN_GEMM_BLOCKING sets). The sizes
/// are process-wide: only tests in <see cref="Threading.ParallelismCollection"/> may pin them.
/// </summary>
internal static class PinnedBlocking
{
    /// <summary>This path's block sizes for <typeparamref name="T"/> with KC = <paramref name="kc"/> and KCMax a quarter past it, as an override's.</summary>
    public static BlockSizes WithDepth<T>(int kc) where T : unmanaged, IFloatingPointIeee754<T> =>
        BlockSizes.For<T>(FastNN.Intrinsics.Gemm.SelectedPath) with { KC = kc, KCMax = kc + kc / 4 };

    /// <summary>Runs <paramref name="body"/> with <paramref name="sizes"/> in force for <typeparamref name="T"/>, then restores the derived sizes.</summary>
    public static void Run<T>(BlockSizes sizes, Action body) where T : unmanaged, IFloatingPointIeee754<T>
    {
        IsaPath path = FastNN.Intrinsics.Gemm.SelectedPath;
        BlockSizes.Use<T>(path, sizes);
        try
        {
            body();
        }
        finally
        {
            BlockSizes.Use<T>(path, null);
        }
    }
}
