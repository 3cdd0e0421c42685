using System.Numerics;

namespace FastNN.Layers;

// Stand-ins for Rows.AddBias and Reductions.SumColumns until the element-wise kernels land on main.
internal static class PendingKernels
{
    public static void AddBias<T>(Span<T> y, ReadOnlySpan<T> bias, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                y[r * cols + c] += bias[c];
    }

    public static void SumColumns<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> sums) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                sums[c] += x[r * cols + c];
    }
}
