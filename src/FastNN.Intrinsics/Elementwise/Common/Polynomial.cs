using System.Numerics;
using System.Runtime.CompilerServices;

namespace FastNN.Intrinsics;

/// <summary>Horner evaluation of a polynomial with literal coefficients, lowest degree first.</summary>
internal static class Polynomial
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Evaluate<T, TWidth, TVector>(TVector t, params ReadOnlySpan<double> coefficients)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TWidth : IVectorWidth<T, TVector> where TVector : struct
    {
        TVector sum = TWidth.Constant(coefficients[^1]);
        for (int i = coefficients.Length - 2; i >= 0; i--)
            sum = TWidth.MultiplyAdd(sum, t, TWidth.Constant(coefficients[i]));
        return sum;
    }
}
