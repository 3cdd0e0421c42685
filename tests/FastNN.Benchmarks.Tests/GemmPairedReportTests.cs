using System.Globalization;
using FastNN.Benchmarks.Gemm;
using FastNN.Benchmarks.Infrastructure;

namespace FastNN.Benchmarks.Tests;

/// <summary>
/// The <c>paired</c> mode's command line. <c>--threads</c> above the processor count used to be taken: FastNN and OpenBLAS
/// each cap their threads at the processors, so the tables titled "N threads" were timed on fewer.
/// </summary>
public class GemmPairedReportTests
{
    [Fact]
    public void More_threads_than_processors_is_a_usage_error()
    {
        int processors = Environment.ProcessorCount;
        string over = (processors + 1).ToString(CultureInfo.InvariantCulture);
        var e = Assert.Throws<UsageException>(() => GemmPairedReport.Parse(new ModeArguments("paired", ["float-square", "--threads", over])));
        Assert.Equal($"paired: --threads takes a whole number from 1 to {processors}, not '{over}'.", e.Message);
    }

    [Fact]
    public void The_documented_commands_parse()
    {
        GemmPairedReport.Options all = GemmPairedReport.Parse(new ModeArguments("paired", []));
        Assert.Equal(["float-square", "float-mlp", "double-square", "double-mlp", "scaling"], all.Sections);
        Assert.Equal((21, 1), (all.Rounds, all.Threads));
        int threads = Math.Min(2, Environment.ProcessorCount);
        GemmPairedReport.Options two = GemmPairedReport.Parse(new ModeArguments("paired",
            ["float-square", "float-mlp", "--threads", threads.ToString(CultureInfo.InvariantCulture), "--square", "96,200", "--blocking", "96,512,4096"]));
        Assert.Equal(["float-square", "float-mlp"], two.Sections);
        Assert.Equal(threads, two.Threads);
        Assert.Equal([96, 200], two.Squares!);
        Assert.Equal(["96,512,4096"], two.Blockings);
    }
}
