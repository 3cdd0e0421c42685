using System.Numerics;

namespace FastNN.Intrinsics;

/// <summary>Argument rules of <see cref="Gemm.Multiply{T}"/>, checked once before any kernel runs.</summary>
internal static class GemmArguments
{
    public static void Validate<T>(bool transposeA, bool transposeB, int m, int n, int k,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc)
    {
        ElementType<T>();
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);

        // Stored shapes: A is m×k (k×m transposed), B is k×n (n×k transposed), C is m×n.
        (int aRows, int aCols) = transposeA ? (k, m) : (m, k);
        (int bRows, int bCols) = transposeB ? (n, k) : (k, n);
        if (lda < Math.Max(1, aCols))
            throw new ArgumentOutOfRangeException(nameof(lda), lda, $"lda must be at least {Math.Max(1, aCols)}: A is stored {aRows}x{aCols}{(transposeA ? " (transposed)" : "")}.");
        if (ldb < Math.Max(1, bCols))
            throw new ArgumentOutOfRangeException(nameof(ldb), ldb, $"ldb must be at least {Math.Max(1, bCols)}: B is stored {bRows}x{bCols}{(transposeB ? " (transposed)" : "")}.");
        if (ldc < Math.Max(1, n))
            throw new ArgumentOutOfRangeException(nameof(ldc), ldc, $"ldc must be at least {Math.Max(1, n)}: C is {m}x{n}.");

        long needA = Required(aRows, aCols, lda), needB = Required(bRows, bCols, ldb), needC = Required(m, n, ldc);
        if (a.Length < needA)
            throw new ArgumentException($"A ({aRows}x{aCols}, lda {lda}) needs {needA} elements but the span has {a.Length}.", nameof(a));
        if (b.Length < needB)
            throw new ArgumentException($"B ({bRows}x{bCols}, ldb {ldb}) needs {needB} elements but the span has {b.Length}.", nameof(b));
        if (c.Length < needC)
            throw new ArgumentException($"C ({m}x{n}, ldc {ldc}) needs {needC} elements but the span has {c.Length}.", nameof(c));

        ReadOnlySpan<T> usedC = c[..(int)needC];
        if (needA > 0 && usedC.Overlaps(a[..(int)needA]))
            throw new ArgumentException("C overlaps A; the output must not share memory with an input.", nameof(c));
        if (needB > 0 && usedC.Overlaps(b[..(int)needB]))
            throw new ArgumentException("C overlaps B; the output must not share memory with an input.", nameof(c));
    }

    /// <summary>
    /// The GEMM's micro-kernels exist for float and double only; another <see cref="IFloatingPointIeee754{TSelf}"/>
    /// (Half, NFloat) meets the generic constraint but would fail deep inside a kernel with the runtime's
    /// "Specified type is not supported". The JIT folds this test away for float and double.
    /// </summary>
    public static void ElementType<T>()
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
            throw new NotSupportedException($"Gemm multiplies float or double matrices, not {typeof(T).Name}.");
    }

    /// <summary>Elements a rows×cols matrix with row stride ld spans: the last row need not be padded.</summary>
    public static long Required(int rows, int cols, int ld) => rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
}
