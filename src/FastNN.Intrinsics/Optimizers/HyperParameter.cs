using System.Globalization;
using System.Numerics;

namespace FastNN.Intrinsics;

/// <summary>
/// Hyper-parameters are given and range-checked in double but used in the element type T: each value the update
/// multiplies by is converted once, and refused where T cannot hold it, as <see cref="Activation"/> refuses an
/// activation parameter out of range in T (<c>Activation.ParameterIn</c>). In float a learning rate of 1e39 becomes +∞
/// (every parameter ±∞ or NaN), and an ε of 1e-50 becomes 0 (0/0 where a state is zero).
/// </summary>
/// <remarks>
/// Only values used in T are checked, so nothing that gives finite results is refused: AdamW's λ is used only in
/// 1 − γ·λ, so a λ of 1e39 with γ = 1e-40 passes, and a γ that rounds to 0 in float (no update, as PyTorch's) passes.
/// FastNN.Optimizers checks the same rules with the same messages when an optimizer is built.
/// </remarks>
internal static class HyperParameter
{
    /// <summary>
    /// <paramref name="quantity"/>, computed in double from the hyper-parameter <paramref name="name"/> =
    /// <paramref name="value"/> (the value itself when <paramref name="formula"/> is null), rounded to T.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The rounded quantity is not finite in T; named <paramref name="name"/>.</exception>
    public static T FiniteIn<T>(double quantity, string name, double value, string? formula = null) where T : IFloatingPointIeee754<T>
    {
        T converted = T.CreateTruncating(quantity);
        return T.IsFinite(converted) ? converted
            : throw new ArgumentOutOfRangeException(name, value, formula is null
                ? string.Create(CultureInfo.InvariantCulture, $"{name} = {value} is not finite in {TypeName<T>()}.")
                : string.Create(CultureInfo.InvariantCulture, $"{formula} = {quantity} is not finite in {TypeName<T>()} ({name} = {value})."));
    }

    /// <summary>ε rounded to T: finite, and not 0 unless given as 0, since ε is what keeps a zero denominator from making θ NaN.</summary>
    /// <exception cref="ArgumentOutOfRangeException">ε is not finite in T, or positive but 0 there; named <paramref name="name"/>.</exception>
    public static T EpsilonIn<T>(double epsilon, string name) where T : IFloatingPointIeee754<T>
    {
        T converted = FiniteIn<T>(epsilon, name, epsilon);
        return epsilon == 0 || converted != T.Zero ? converted
            : throw new ArgumentOutOfRangeException(name, epsilon, string.Create(CultureInfo.InvariantCulture,
                $"{name} = {epsilon} rounds to 0 in {TypeName<T>()}, where it no longer keeps the denominator from 0."));
    }

    /// <summary>How the messages name T: float, double, or the type's name.</summary>
    public static string TypeName<T>() =>
        typeof(T) == typeof(float) ? "float" : typeof(T) == typeof(double) ? "double" : typeof(T).Name;
}
