using System.Numerics;
using System.Runtime.CompilerServices;

namespace FastNN.Intrinsics;

/// <summary>
/// The bias-and-activation epilogue of a prepacked product, <c>f(z + bias)</c>, at one fixed vector width per path, so
/// that the value of an element does not depend on which kernel computed z: the panel-rows kernel applies it to its
/// registers, the packed GEMM to the rows of C afterwards, and both see the same lanes. A ragged right edge goes
/// through a zero-padded copy of one vector.
/// </summary>
internal static unsafe class Epilogue
{
    /// <summary>f(z + bias[j..]) (or f(z) when <paramref name="bias"/> is null) for the vector of columns from j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Apply<T, TWidth, TVector, TOp>(TVector z, T* bias, int j, int n, in TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TWidth : IVectorWidth<T, TVector> where TVector : struct
        where TOp : struct, IUnaryOperator<T> =>
        bias is null ? TWidth.Apply(op, z) : TWidth.Apply(op, TWidth.Add(z, LoadPart<T, TWidth, TVector>(bias + j, n - j)));

    /// <summary>f(c[i, j] + bias[j]) over an m×n block of C (row stride ldc), in place.</summary>
    public static void Rows<T, TWidth, TVector, TOp>(T* c, nint ldc, int m, int n, T* bias, in TOp op)
        where T : unmanaged, IFloatingPointIeee754<T> where TWidth : IVectorWidth<T, TVector> where TVector : struct
        where TOp : struct, IUnaryOperator<T>
    {
        int w = TWidth.Count;
        for (int i = 0; i < m; i++, c += ldc)
        {
            for (int j = 0; j < n; j += w)
                StorePart<T, TWidth, TVector>(Apply<T, TWidth, TVector, TOp>(LoadPart<T, TWidth, TVector>(c + j, n - j), bias, j, n, op), c + j, n - j);
        }
    }

    /// <summary>The vector at p, or, when fewer than a vector's lanes (<paramref name="valid"/>) remain, those padded with zeros.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector LoadPart<T, TWidth, TVector>(T* p, int valid)
        where T : unmanaged, IFloatingPointIeee754<T> where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        if (valid >= TWidth.Count)
            return TWidth.Load(ref *p, 0);
        return LoadPadded<T, TWidth, TVector>(p, valid);
    }

    /// <summary>Stores the vector at p, or only its first <paramref name="valid"/> lanes when fewer remain.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePart<T, TWidth, TVector>(TVector x, T* p, int valid)
        where T : unmanaged, IFloatingPointIeee754<T> where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        if (valid >= TWidth.Count)
            TWidth.Store(x, ref *p, 0);
        else
            StoreFirst<T, TWidth, TVector>(x, p, valid);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector LoadPadded<T, TWidth, TVector>(T* p, int valid)
        where T : unmanaged, IFloatingPointIeee754<T> where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        T* lanes = stackalloc T[TWidth.Count];
        for (int i = 0; i < TWidth.Count; i++)
            lanes[i] = i < valid ? p[i] : T.Zero;
        return TWidth.Load(ref *lanes, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFirst<T, TWidth, TVector>(TVector x, T* p, int valid)
        where T : unmanaged, IFloatingPointIeee754<T> where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        T* lanes = stackalloc T[TWidth.Count];
        TWidth.Store(x, ref *lanes, 0);
        for (int i = 0; i < valid; i++)
            p[i] = lanes[i];
    }
}
