using System.Collections.Concurrent;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace FastNN.Benchmarks.Infrastructure;

/// <summary>
/// Bytes one invocation allocates on the calling thread, measured with GC.GetAllocatedBytesForCurrentThread
/// over repeated calls after a warm-up: the exact form of the zero-allocation claim.
/// </summary>
/// <remarks>
/// BenchmarkDotNet's Allocated column counts every thread of the process, so in-process it picks up a few
/// bytes of runtime background work (divided by few invocations when a call takes milliseconds; a known
/// BenchmarkDotNet limitation). This column re-runs the case on its own when the summary is built: a fresh
/// instance, its [Params] and [GlobalSetup], then the method. Allocations of FastNN's worker threads are not
/// seen here (the GEMM and training-step tests read every worker's own counter: PoolThreadAllocation in the
/// tests). Methods that return a value show "-".
/// </remarks>
public sealed class ThreadAllocationColumn : IColumn
{
    /// <summary>The column.</summary>
    public static readonly ThreadAllocationColumn Instance = new();

    private const int WarmupCalls = 3, MaxCalls = 20;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<BenchmarkCase, string> _values = new();

    private ThreadAllocationColumn()
    {
    }

    /// <inheritdoc/>
    public string Id => nameof(ThreadAllocationColumn);
    /// <inheritdoc/>
    public string ColumnName => "Alloc/op (thread)";
    /// <inheritdoc/>
    public bool AlwaysShow => true;
    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Metric;
    /// <inheritdoc/>
    public int PriorityInCategory => 1;
    /// <inheritdoc/>
    public bool IsNumeric => true;
    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;
    /// <inheritdoc/>
    public string Legend => "Bytes allocated per invocation on the calling thread (GC.GetAllocatedBytesForCurrentThread), measured separately after the run";

    /// <inheritdoc/>
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc/>
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        summary[benchmarkCase]?.ResultStatistics is null ? "-" : _values.GetOrAdd(benchmarkCase, Measure);

    /// <summary>
    /// Re-runs <paramref name="benchmarkCase"/> alone on this thread: a fresh instance, its [Params], its untargeted
    /// [GlobalSetup], <see cref="WarmupCalls"/> calls, then up to <see cref="MaxCalls"/> measured calls (at most
    /// <see cref="Budget"/>), then its untargeted [GlobalCleanup] (which deletes what the setup made, e.g. a suite's
    /// temporary files), as BenchmarkDotNet's own run does.
    /// </summary>
    /// <returns>"0 B", the bytes per call ("1024 B"), or "-" for a method that takes arguments or returns a value.</returns>
    internal static string Measure(BenchmarkCase benchmarkCase)
    {
        MethodInfo method = benchmarkCase.Descriptor.WorkloadMethod;
        if (method.ReturnType != typeof(void) || method.GetParameters().Length != 0)
            return "-";
        object instance = Activator.CreateInstance(benchmarkCase.Descriptor.Type)!;
        Type type = instance.GetType();
        foreach (var parameter in benchmarkCase.Parameters.Items)
        {
            const BindingFlags Flags = BindingFlags.Instance | BindingFlags.Public;
            if (type.GetProperty(parameter.Name, Flags) is { } property)
                property.SetValue(instance, parameter.Value);
            else
                type.GetField(parameter.Name, Flags)?.SetValue(instance, parameter.Value);
        }
        Invoke<GlobalSetupAttribute>(instance, a => a.Targets);
        try
        {
            var call = method.CreateDelegate<Action>(instance);
            for (int i = 0; i < WarmupCalls; i++)
                call();
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            long before = GC.GetAllocatedBytesForCurrentThread();
            int calls = 0;
            do
            {
                call();
                calls++;
            }
            while (calls < MaxCalls && System.Diagnostics.Stopwatch.GetElapsedTime(start) < Budget);
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            return bytes == 0 ? "0 B" : $"{(double)bytes / calls:F0} B";
        }
        finally
        {
            Invoke<GlobalCleanupAttribute>(instance, a => a.Targets);
        }
    }

    /// <summary>Calls the instance's methods marked <typeparamref name="TAttribute"/> that target every benchmark.</summary>
    private static void Invoke<TAttribute>(object instance, Func<TAttribute, string[]?> targets) where TAttribute : Attribute
    {
        foreach (MethodInfo m in instance.GetType().GetMethods().Where(m => m.GetCustomAttribute<TAttribute>() is { } a && targets(a) is not { Length: > 0 }))
            m.Invoke(instance, null);
    }

    /// <inheritdoc/>
    public override string ToString() => ColumnName;
}
