using System.Numerics;
using System.Runtime.CompilerServices;

namespace FastNN.Intrinsics;

/// <summary>Horner steps for polynomials with literal coefficients, written out from the highest degree down so that the JIT sees straight-line FMAs.</summary>
internal static class Polynomial
{
    /// <summary>One Horner step: acc·t + c.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Step<T, TWidth, TVector>(TVector acc, TVector t, double c)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TWidth : IVectorWidth<T, TVector> where TVector : struct =>
        TWidth.MultiplyAdd(acc, t, TWidth.Constant(c));
}
