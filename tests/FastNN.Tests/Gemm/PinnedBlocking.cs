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
    /// <summary>Blocks of <paramref name="mc"/>×<paramref name="kc"/> and <paramref name="kc"/>×<paramref name="nc"/> for the selected path's kernel on <typeparamref name="T"/>, KCMax a quarter past KC as the model's and the overrides'.</summary>
    public static BlockSizes Blocks<T>(int mc, int kc, int nc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        (int mr, int nr) = BlockSizes.Tile(FastNN.Intrinsics.Gemm.SelectedPath, System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        Assert.True(mc % mr == 0 && nc % nr == 0, $"({mc}, {kc}, {nc}) are not whole {mr}×{nr} tiles");
        return new BlockSizes(mr, nr, mc, kc, kc + kc / 4, nc);
    }

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
