using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastNN.Intrinsics;

/// <summary>AVX-512 lane-masked loads and stores for the ragged edges of C and of k: lanes masked off are neither read nor written.</summary>
internal static unsafe class Masked512
{
    /// <summary>A mask of the first <paramref name="count"/> lanes (all lanes when count ≥ Count, none when count ≤ 0).</summary>
    public static Vector512<T> FirstLanes<T>(int count) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).As<int, T>();
        return Vector512.LessThan(Vector512<long>.Indices, Vector512.Create((long)count)).As<long, T>();
    }

    /// <summary>Loads the masked lanes (zero elsewhere); masked-off lanes are not read, so they may lie past the span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Load<T>(T* p, Vector512<T> mask) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Avx512F.MaskLoad((float*)p, mask.AsSingle(), Vector512<float>.Zero).As<float, T>();
        return Avx512F.MaskLoad((double*)p, mask.AsDouble(), Vector512<double>.Zero).As<double, T>();
    }

    /// <summary>Stores the masked lanes only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T>(T* p, Vector512<T> mask, Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            Avx512F.MaskStore((float*)p, mask.AsSingle(), x.AsSingle());
        else
            Avx512F.MaskStore((double*)p, mask.AsDouble(), x.AsDouble());
    }

    /// <summary>A whole vector (<see cref="Unmasked"/>) or only the lanes of <paramref name="mask"/> (<see cref="Masked"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Load<T, TMask>(T* p, Vector512<T> mask) where T : unmanaged, IFloatingPointIeee754<T> where TMask : struct, IConstant =>
        TMask.Value == 0 ? Vector512.Load(p) : Load(p, mask);

    /// <summary>A whole vector (<see cref="Unmasked"/>) or only the lanes of <paramref name="mask"/> (<see cref="Masked"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T, TMask>(T* p, Vector512<T> mask, Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> where TMask : struct, IConstant
    {
        if (TMask.Value == 0)
            x.Store(p);
        else
            Store(p, mask, x);
    }
}
