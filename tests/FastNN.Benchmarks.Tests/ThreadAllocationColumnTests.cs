using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using FastNN.Benchmarks.Infrastructure;

namespace FastNN.Benchmarks.Tests;

/// <summary>
/// The "Alloc/op (thread)" column re-runs a case alone after the run: it must report the bytes of one call, and run the
/// case's [GlobalCleanup] as BenchmarkDotNet does (ModelFileBenchmarks' setup writes files to the temporary folder that
/// only its cleanup deletes; every suite run used to leave them behind).
/// </summary>
public class ThreadAllocationColumnTests
{
    [Fact]
    public void A_call_allocating_one_array_reads_that_array_per_call()
    {
        // new byte[1000] on 64-bit: 8 bytes object header + 8 method table + 8 length + 1000 data = 1024.
        Assert.Equal("1024 B", ThreadAllocationColumn.Measure(Case(nameof(AllocationProbe.AllocatesOneArray))));
        Assert.Equal("0 B", ThreadAllocationColumn.Measure(Case(nameof(AllocationProbe.AllocatesNothing))));
    }

    [Fact]
    public void Measuring_runs_the_global_cleanup_after_the_setup()
    {
        int setups = AllocationProbe.Setups, cleanups = AllocationProbe.Cleanups;
        ThreadAllocationColumn.Measure(Case(nameof(AllocationProbe.AllocatesNothing)));
        Assert.Equal(setups + 1, AllocationProbe.Setups);
        Assert.Equal(cleanups + 1, AllocationProbe.Cleanups);
        Assert.False(Directory.Exists(AllocationProbe.LastFolder));
    }

    private static BenchmarkCase Case(string method) =>
        BenchmarkConverter.TypeToBenchmarks(typeof(AllocationProbe)).BenchmarksCases.Single(c => c.Descriptor.WorkloadMethod.Name == method);
}

/// <summary>A suite whose setup makes a folder that its cleanup deletes, as ModelFileBenchmarks does.</summary>
public class AllocationProbe
{
    private static int s_setups, s_cleanups;
    private string _folder = "";

    /// <summary>Kept, so the array escapes and is allocated on the heap.</summary>
    public static byte[]? Kept { get; private set; }

    public static int Setups => Volatile.Read(ref s_setups);

    public static int Cleanups => Volatile.Read(ref s_cleanups);

    public static string LastFolder { get; private set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _folder = LastFolder = Directory.CreateTempSubdirectory("fastnn-alloc-probe-").FullName;
        Interlocked.Increment(ref s_setups);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Directory.Delete(_folder);
        Interlocked.Increment(ref s_cleanups);
    }

    [Benchmark]
    public void AllocatesNothing()
    {
    }

    [Benchmark]
    public void AllocatesOneArray() => Kept = new byte[1000];
}
