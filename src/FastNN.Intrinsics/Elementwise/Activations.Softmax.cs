using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

public static partial class Activations
{
    /// <summary>Row-wise softmax of a [rows, cols] matrix: <c>y[r, c] = exp(x[r, c] - m_r) / Σ_k exp(x[r, k] - m_r)</c>, m_r the row maximum.</summary>
    /// <remarks>
    /// <para>Subtracting the row maximum keeps every exponent ≤ 0, so a row [1000, 1000] gives [0.5, 0.5] (TensorPrimitives.SoftMax
    /// does not subtract it and returns NaN there). Special values: a row holding NaN, or whose maximum is +∞ or every
    /// element -∞, becomes NaN. Rows sum to 1 within a few ulp per element; results may differ across instruction
    /// sets in the last bits.</para>
    /// </remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The input, [rows, cols] row-major.</param>
    /// <param name="y">The output, overwritten; may be <paramref name="x"/> itself.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="cols">Columns: the softmax runs along each row.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="cols"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> does not hold exactly rows·cols elements.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> and <paramref name="x"/> differ in length.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    public static void Softmax<T>(ReadOnlySpan<T> x, Span<T> y, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Matrix(x, nameof(x), rows, cols);
        SpanChecks.Map(x, nameof(x), y, nameof(y));
        for (int start = 0; start < x.Length; start += cols)
        {
            ReadOnlySpan<T> xr = x.Slice(start, cols);
            Span<T> yr = y.Slice(start, cols);
            T max = Elementwise.Aggregate<T, IdentityOperator<T>, MaxOperator<T>>(xr, default);
            Elementwise.Map(xr, yr, new ExpShiftedOperator<T>(max));                          // y = exp(x − m)
            T sum = Elementwise.Aggregate<T, IdentityOperator<T>, AddOperator<T>>(yr, default);
            Elementwise.Map(yr, yr, new ScaleOperator<T>(T.One / sum));                       // y /= Σ y
        }
    }

    /// <summary>Row-wise log-softmax of a [rows, cols] matrix: <c>y[r, c] = (x[r, c] - m_r) - log Σ_k exp(x[r, k] - m_r)</c>.</summary>
    /// <remarks>
    /// <para>Finite for any finite row whose elements lie within the largest finite value of its maximum, however large
    /// or tiny they are; an element further below it gives −∞, where x − m itself overflows (float [3e38, −3e38] gives
    /// [0, −∞], as PyTorch). Special values: a row holding NaN, or whose
    /// maximum is +∞ or every element -∞, becomes NaN; a -∞ element next to finite ones gives -∞.
    /// Results may differ across instruction sets in the last bits.</para>
    /// </remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="x">The input, [rows, cols] row-major.</param>
    /// <param name="y">The output, overwritten; may be <paramref name="x"/> itself.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="cols">Columns: the log-softmax runs along each row.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="cols"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> does not hold exactly rows·cols elements.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> and <paramref name="x"/> differ in length.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> partially overlaps <paramref name="x"/>.</exception>
    public static void LogSoftmax<T>(ReadOnlySpan<T> x, Span<T> y, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Matrix(x, nameof(x), rows, cols);
        SpanChecks.Map(x, nameof(x), y, nameof(y));
        Span<T> chunk = stackalloc T[ExpChunk];
        for (int start = 0; start < x.Length; start += cols)
        {
            ReadOnlySpan<T> xr = x.Slice(start, cols);
            T max = Elementwise.Aggregate<T, IdentityOperator<T>, MaxOperator<T>>(xr, default);
            T sum = SumOfExpShifted(xr, max, chunk);
            Elementwise.Map(xr, y.Slice(start, cols), new ShiftOperator<T>(max, T.Log(sum)));  // y = (x − m) − log Σ
        }
    }

    // Elements exponentiated per chunk by SumOfExpShifted: 4 KB (float) or 8 KB (double) of stack.
    private const int ExpChunk = 1024;

    /// <summary>
    /// Σ exp(x − shift), a chunk at a time through <paramref name="chunk"/> (so that x may be the output of the caller's
    /// next pass, in place). Summing exp(x − shift) as the reduction driver's transform measured 1.7x slower at 256-1024
    /// columns than exponentiating in a pass of its own: the driver unrolls its transform into four accumulator chains.
    /// </summary>
    private static T SumOfExpShifted<T>(ReadOnlySpan<T> x, T shift, Span<T> chunk) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        for (var c = new ChunkWalk(x.Length, chunk.Length); c.MoveNext();)
        {
            Span<T> e = chunk[..c.Length];
            Elementwise.Map(x.Slice(c.Start, c.Length), e, new ExpShiftedOperator<T>(shift));
            sum += Elementwise.Aggregate<T, IdentityOperator<T>, AddOperator<T>>(e, default);
        }
        return sum;
    }

    /// <summary>Softmax derivative from the saved output, row-wise: <c>dx[r, c] = y[r, c]·(dy[r, c] - Σ_k y[r, k]·dy[r, k])</c>.</summary>
    /// <remarks>The row dot product is TensorPrimitives.Dot (fixed order for a given path). Special values: NaN anywhere in a
    /// row of y or dy makes that whole row of dx NaN (it enters the dot product), and no other row. Results may differ
    /// across instruction sets in the last bits.</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="y">The saved softmax output, [rows, cols].</param>
    /// <param name="dy">The gradient of the loss with respect to y.</param>
    /// <param name="dx">The gradient with respect to x, overwritten; may be <paramref name="y"/> or <paramref name="dy"/> itself.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="cols">Columns.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="cols"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> does not hold exactly rows·cols elements.</exception>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="dx"/> differs in length from <paramref name="y"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="dx"/> partially overlaps <paramref name="y"/> or <paramref name="dy"/>.</exception>
    public static void SoftmaxBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Matrix(y, nameof(y), rows, cols);
        SpanChecks.Map(y, nameof(y), dy, nameof(dy), dx, nameof(dx));
        for (int start = 0; start < y.Length; start += cols)
        {
            ReadOnlySpan<T> yr = y.Slice(start, cols), dyr = dy.Slice(start, cols);
            T dot = TensorPrimitives.Dot(yr, dyr);
            Elementwise.Map(yr, dyr, dx.Slice(start, cols), new SoftmaxBackwardOperator<T>(dot));
        }
    }

    /// <summary>Log-softmax derivative from the saved output, row-wise: <c>dx[r, c] = dy[r, c] - exp(y[r, c])·Σ_k dy[r, k]</c>.</summary>
    /// <remarks>Special values: NaN anywhere in a row of dy makes that whole row of dx NaN (it enters the sum), and no
    /// other row. Results may differ across instruction sets in the last bits.</remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="y">The saved log-softmax output, [rows, cols].</param>
    /// <param name="dy">The gradient of the loss with respect to y.</param>
    /// <param name="dx">The gradient with respect to x, overwritten; may be <paramref name="y"/> or <paramref name="dy"/> itself.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="cols">Columns.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="cols"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> does not hold exactly rows·cols elements.</exception>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="dx"/> differs in length from <paramref name="y"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="dx"/> partially overlaps <paramref name="y"/> or <paramref name="dy"/>.</exception>
    public static void LogSoftmaxBackward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Matrix(y, nameof(y), rows, cols);
        SpanChecks.Map(y, nameof(y), dy, nameof(dy), dx, nameof(dx));
        for (int start = 0; start < y.Length; start += cols)
        {
            ReadOnlySpan<T> yr = y.Slice(start, cols), dyr = dy.Slice(start, cols);
            T sum = Elementwise.Aggregate<T, IdentityOperator<T>, AddOperator<T>>(dyr, default);
            Elementwise.Map(yr, dyr, dx.Slice(start, cols), new LogSoftmaxBackwardOperator<T>(sum));
        }
    }
}

/// <summary>exp(x − shift)</summary>
internal readonly struct ExpShiftedOperator<T>(T shift) : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => VectorMath.HasVectorMath<T>();
    public static bool ComputeBound => true;
    public T Invoke(T x) => T.Exp(x - shift);
    public Vector128<T> Invoke(Vector128<T> x) => VectorMath.Exp(x - Vector128.Create(shift));
    public Vector256<T> Invoke(Vector256<T> x) => VectorMath.Exp(x - Vector256.Create(shift));
    public Vector512<T> Invoke(Vector512<T> x) => VectorMath.Exp(x - Vector512.Create(shift));
}

/// <summary>(x − shift) − offset, in that order (as PyTorch's log-softmax).</summary>
internal readonly struct ShiftOperator<T>(T shift, T offset) : IUnaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T x) => x - shift - offset;
    public Vector128<T> Invoke(Vector128<T> x) => x - Vector128.Create(shift) - Vector128.Create(offset);
    public Vector256<T> Invoke(Vector256<T> x) => x - Vector256.Create(shift) - Vector256.Create(offset);
    public Vector512<T> Invoke(Vector512<T> x) => x - Vector512.Create(shift) - Vector512.Create(offset);
}

/// <summary>y·(dy − dot)</summary>
internal readonly struct SoftmaxBackwardOperator<T>(T dot) : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T y, T dy) => y * (dy - dot);
    public Vector128<T> Invoke(Vector128<T> y, Vector128<T> dy) => y * (dy - Vector128.Create(dot));
    public Vector256<T> Invoke(Vector256<T> y, Vector256<T> dy) => y * (dy - Vector256.Create(dot));
    public Vector512<T> Invoke(Vector512<T> y, Vector512<T> dy) => y * (dy - Vector512.Create(dot));
}

/// <summary>dy − exp(y)·sum</summary>
internal readonly struct LogSoftmaxBackwardOperator<T>(T sum) : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => VectorMath.HasVectorMath<T>();
    public static bool ComputeBound => true;
    public T Invoke(T y, T dy) => dy - T.Exp(y) * sum;
    public Vector128<T> Invoke(Vector128<T> y, Vector128<T> dy) => dy - VectorMath.Exp(y) * sum;
    public Vector256<T> Invoke(Vector256<T> y, Vector256<T> dy) => dy - VectorMath.Exp(y) * sum;
    public Vector512<T> Invoke(Vector512<T> y, Vector512<T> dy) => dy - VectorMath.Exp(y) * sum;
}
