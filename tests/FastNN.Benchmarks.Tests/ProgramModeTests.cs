namespace FastNN.Benchmarks.Tests;

/// <summary>
/// The program's first word: a mode, or BenchmarkDotNet's options. A mistyped mode (<c>stpe</c>) used to go to
/// BenchmarkDotNet, which showed its menu of suites and, its input closed as in a script, ran nothing and exited 0.
/// </summary>
public class ProgramModeTests
{
    [Fact]
    public void A_first_word_that_is_neither_a_mode_nor_an_option_is_a_usage_error_listing_the_modes()
    {
        (int exitCode, _, string error) = BenchmarkProcess.Run(["stpe", "--rounds", "1"]);
        Assert.Equal(2, exitCode);
        Assert.Contains("unknown mode 'stpe'", error);
        Assert.Contains("step, step-threads, step-versus", error);
        Assert.Contains("--filter", error);
    }
}
