using FastNN.Benchmarks.Infrastructure;

namespace FastNN.Benchmarks.Tests;

/// <summary>
/// A bad command line of a paired-round mode is a <see cref="UsageException"/>, which Program prints as one message (exit
/// code 2) rather than an unhandled exception with a stack trace; the commands of README and RESULTS.md parse.
/// </summary>
public class ModeArgumentsTests
{
    [Fact]
    public void An_option_without_a_valid_value_is_a_usage_error_naming_it()
    {
        var arguments = new ModeArguments("step", ["--rounds", "x"]);
        var e = Assert.Throws<UsageException>(() => arguments.Count("--rounds", 15));
        Assert.Equal("step: --rounds takes a whole number of at least 1, not 'x'.", e.Message);
    }

    [Fact]
    public void An_unknown_word_is_a_usage_error_listing_what_the_mode_accepts()
    {
        var arguments = new ModeArguments("step", ["mlp"]);
        arguments.Count("--rounds", 15);
        var e = Assert.Throws<UsageException>(() => arguments.Names(["mlp64", "deep64"]));
        Assert.Equal("step: unknown argument 'mlp': expected any of mlp64, deep64, --rounds N (a whole number of at least 1).", e.Message);
    }

    [Fact]
    public void A_missing_leading_directory_is_a_usage_error()
    {
        var arguments = new ModeArguments("step-versus", []);
        Assert.Throws<UsageException>(() => arguments.LeadingDirectory("a build output directory"));
    }

    [Fact]
    public void A_workload_named_in_full_is_chosen_alone_and_any_other_word_is_a_prefix()
    {
        // ce-step-64x10 is also the start of ce-step-64x1024: named in full, it used to choose both, and could not be run alone.
        string[] names = ["ce-step-64x10", "ce-step-64x1024", "mse-step-64x256", "mse-step-256x256"];
        Assert.Equal(["ce-step-64x10"], new ModeArguments("layers", ["ce-step-64x10"]).Prefixed(names, "ce-step"));
        Assert.Equal(["ce-step-64x10", "ce-step-64x1024", "mse-step-64x256"],
            new ModeArguments("layers", ["mse-step-64", "ce-step"]).Prefixed(names, "ce-step"));
    }

    [Fact]
    public void The_documented_step_command_parses()
    {
        // dotnet run ... -- step mlp64 deep64 --rounds 21 --no-profile
        var arguments = new ModeArguments("step", ["mlp64", "deep64", "--rounds", "21", "--no-profile"]);
        Assert.Equal(21, arguments.Count("--rounds", 15));
        Assert.True(arguments.Flag("--no-profile"));
        Assert.False(arguments.Flag("--no-pytorch"));
        Assert.Equal(["mlp64", "deep64"], arguments.Names(["mlp64", "mlp256", "deep64", "fit"]));
    }
}
