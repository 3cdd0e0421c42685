using System.Collections.Immutable;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Running;

namespace FastNN.Benchmarks.Infrastructure;

/// <summary>
/// Runs every method of one parameter set back to back (FastNN, then its baseline, then the next shape),
/// instead of all cases of one method first: on a machine whose load drifts, the two sides of a ratio are
/// then measured under the same conditions. The summary order is the default one.
/// </summary>
internal sealed class InterleavedOrderer() : DefaultOrderer(SummaryOrderPolicy.Declared, MethodOrderPolicy.Declared)
{
    public override IEnumerable<BenchmarkCase> GetExecutionOrder(ImmutableArray<BenchmarkCase> benchmarksCases,
        IEnumerable<BenchmarkLogicalGroupRule>? order = null) =>
        base.GetExecutionOrder(benchmarksCases, order)
            .GroupBy(c => (c.Descriptor.Type, c.Parameters.ValueInfo))
            .SelectMany(group => group);
}
