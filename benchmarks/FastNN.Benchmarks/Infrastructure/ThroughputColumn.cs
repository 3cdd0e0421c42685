using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace FastNN.Benchmarks.Infrastructure;

/// <summary>A summary column dividing a benchmark's work (<see cref="IWorkload"/>) by its median time.</summary>
public sealed class ThroughputColumn : IColumn
{
    /// <summary>Floating-point throughput: flops per median invocation, in GFLOP/s.</summary>
    public static readonly ThroughputColumn Gflops = new("GFLOP/s", (w, m) => w.Flops(m), "Floating-point operations per second over the median time, 1e9/s (an FMA counts 2)");

    /// <summary>Memory throughput: bytes per median invocation, in GB/s.</summary>
    public static readonly ThroughputColumn GigabytesPerSecond = new("GB/s", (w, m) => w.Bytes(m), "Bytes moved per second over the median time, 1e9 B/s");

    private readonly Func<IWorkload, string, double> _work;

    private ThroughputColumn(string name, Func<IWorkload, string, double> work, string legend)
    {
        ColumnName = name;
        _work = work;
        Legend = legend;
    }

    /// <inheritdoc/>
    public string Id => nameof(ThroughputColumn) + "." + ColumnName;
    /// <inheritdoc/>
    public string ColumnName { get; }
    /// <inheritdoc/>
    public bool AlwaysShow => true;
    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Custom;
    /// <inheritdoc/>
    public int PriorityInCategory => 0;
    /// <inheritdoc/>
    public bool IsNumeric => true;
    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;
    /// <inheritdoc/>
    public string Legend { get; }

    /// <inheritdoc/>
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc/>
    public bool IsAvailable(Summary summary) =>
        summary.BenchmarksCases.Any(c => Work(c) > 0);

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double work = Work(benchmarkCase);
        double? medianNs = summary[benchmarkCase]?.ResultStatistics?.Median;
        if (work <= 0 || medianNs is not > 0)
            return "-";
        double perSecond = work / medianNs.Value; // work per ns = 1e9 work per second
        return perSecond >= 100 ? perSecond.ToString("F1") : perSecond.ToString("F2");
    }

    private double Work(BenchmarkCase benchmarkCase)
    {
        Type type = benchmarkCase.Descriptor.Type;
        if (!typeof(IWorkload).IsAssignableFrom(type))
            return 0;
        var workload = (IWorkload)Activator.CreateInstance(type)!;
        foreach (var parameter in benchmarkCase.Parameters.Items)
        {
            const BindingFlags Flags = BindingFlags.Instance | BindingFlags.Public;
            if (type.GetProperty(parameter.Name, Flags) is { } property)
                property.SetValue(workload, parameter.Value);
            else
                type.GetField(parameter.Name, Flags)?.SetValue(workload, parameter.Value);
        }
        return _work(workload, benchmarkCase.Descriptor.WorkloadMethod.Name);
    }

    /// <inheritdoc/>
    public override string ToString() => ColumnName;
}
