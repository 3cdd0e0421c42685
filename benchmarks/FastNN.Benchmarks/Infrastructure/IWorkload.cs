namespace FastNN.Benchmarks.Infrastructure;

/// <summary>
/// The work one invocation of a benchmark method does, so the summary can show GFLOP/s and GB/s.
/// </summary>
/// <remarks>
/// The columns create a fresh instance of the benchmark class, copy the case's [Params] values into it, and
/// ask it for the method's work; so the counts must follow from the parameters alone (no setup is run).
/// Return 0 where a count does not apply: the column then shows "-".
/// </remarks>
public interface IWorkload
{
    /// <summary>Floating-point operations (an FMA counts 2) of one invocation of <paramref name="method"/>.</summary>
    double Flops(string method);

    /// <summary>Bytes that must move between memory and core in one invocation of <paramref name="method"/>.</summary>
    double Bytes(string method);
}
