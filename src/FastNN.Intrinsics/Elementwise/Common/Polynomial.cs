using System.Numerics;
using System.Runtime.CompilerServices;

namespace FastNN.Intrinsics;

/// <summary>Horner evaluation of a polynomial with literal coefficients, lowest degree first.</summary>
internal static class Polynomial
{
    /// <summary>One Horner step: acc·t + c.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Step<T, TWidth, TVector>(TVector acc, TVector t, double c)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TWidth : IVectorWidth<T, TVector> where TVector : struct =>
        TWidth.MultiplyAdd(acc, t, TWidth.Constant(c));
}
