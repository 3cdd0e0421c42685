using System.Numerics;

namespace FastNN.Intrinsics;

/// <summary>
/// Fused optimizer updates on flat spans: each call is one in-place pass over parameters, gradients and state,
/// vectorized on the widest path the process has (Vector512, Vector256, Vector128 or scalar, all giving the same bits).
/// </summary>
/// <remarks>
/// The classes in FastNN.Optimizers keep the step count and state buffers and call these once per parameter group.
/// Buffers of more than 65 536 elements per thread are split into contiguous chunks across
/// <see cref="Parallelism.MaxThreads"/> threads; results do not depend on the thread count.
/// <para>Thread safety: every method may run on any number of threads at once, provided no call writes memory that
/// another call reads or writes.</para>
/// </remarks>
public static partial class OptimizerKernels
{
    /// <summary>Checks that every used buffer has the parameters' length and that no two buffers share memory.</summary>
    private static void Validate<T>(Span<T> parameters, ReadOnlySpan<T> gradients,
        ReadOnlySpan<T> s0, string s0Name, bool s0Used,
        ReadOnlySpan<T> s1, string s1Name, bool s1Used,
        ReadOnlySpan<T> s2, string s2Name, bool s2Used)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = parameters.Length;
        if (gradients.Length != n)
            throw new ArgumentException($"gradients has {gradients.Length} elements but parameters has {n}.", nameof(gradients));
        CheckState(s0, s0Name, s0Used, n);
        CheckState(s1, s1Name, s1Used, n);
        CheckState(s2, s2Name, s2Used, n);

        ReadOnlySpan<T> p = parameters;
        if (p.Overlaps(gradients))
            throw new ArgumentException("parameters and gradients overlap; they must be separate buffers.", nameof(gradients));
        CheckDisjoint(p, "parameters", s0, s0Name, s0Used);
        CheckDisjoint(p, "parameters", s1, s1Name, s1Used);
        CheckDisjoint(p, "parameters", s2, s2Name, s2Used);
        CheckDisjoint(gradients, "gradients", s0, s0Name, s0Used);
        CheckDisjoint(gradients, "gradients", s1, s1Name, s1Used);
        CheckDisjoint(gradients, "gradients", s2, s2Name, s2Used);
        if (s1Used) CheckDisjoint(s0, s0Name, s1, s1Name, s0Used);
        if (s2Used) CheckDisjoint(s0, s0Name, s2, s2Name, s0Used);
        if (s2Used) CheckDisjoint(s1, s1Name, s2, s2Name, s1Used);
    }

    private static void CheckState<T>(ReadOnlySpan<T> state, string name, bool used, int length)
    {
        if (used && state.Length != length)
            throw new ArgumentException($"{name} has {state.Length} elements but parameters has {length}.", name);
    }

    private static void CheckDisjoint<T>(ReadOnlySpan<T> x, string xName, ReadOnlySpan<T> y, string yName, bool used)
    {
        if (used && x.Overlaps(y))
            throw new ArgumentException($"{xName} and {yName} overlap; every buffer must be separate.", yName);
    }

    private static void CheckHyperParameter(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and non-negative.");
    }

    private static void CheckBeta(double value, string name)
    {
        if (!(value >= 0 && value < 1))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1).");
    }
}
