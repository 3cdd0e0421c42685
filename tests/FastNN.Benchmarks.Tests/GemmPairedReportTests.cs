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
    public void Versus_above_one_thread_is_a_usage_error_naming_both_options()
    {
        // Two builds alternated on two threads were biased (a build against itself read 0.77-0.95x; RESULTS.md, Run 16),
        // which RESULTS.md advised against while the command took it and printed the biased column. Tiny settings: before
        // the refusal this ran one round of one 16³ product.
        string versus = Path.Combine(AppContext.BaseDirectory, "FastNN.Intrinsics.dll");
        (int exitCode, string output, string error) = BenchmarkProcess.Run(
            ["paired", "float-square", "--square", "16", "--rounds", "1", "--threads", "2", "--versus", versus]);
        Assert.Equal(2, exitCode);
        Assert.Equal("paired: --versus compares two builds on one thread: --threads 2 is refused with it (two builds alternated on "
            + "two threads were biased: a build against itself read 0.77-0.95x; benchmarks/RESULTS.md, Run 16).", error.Trim());
        Assert.DoesNotContain("###", output); // no table timed
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
