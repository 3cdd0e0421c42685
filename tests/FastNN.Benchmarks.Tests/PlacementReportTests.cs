using FastNN.Benchmarks.Infrastructure;
using FastNN.Benchmarks.Models;

namespace FastNN.Benchmarks.Tests;

/// <summary>The <c>placement</c> mode's command line and its split of seconds into near and far cores.</summary>
public class PlacementReportTests
{
    [Fact]
    public void Without_words_it_times_mlp64_for_30_seconds()
    {
        Assert.Equal(("mlp64", 30), PlacementReport.Parse(new ModeArguments("placement", [])));
        Assert.Equal(("deep64", 5), PlacementReport.Parse(new ModeArguments("placement", ["deep64", "--seconds", "5"])));
    }

    [Fact]
    public void Two_workloads_or_an_unknown_word_are_usage_errors()
    {
        var two = Assert.Throws<UsageException>(() => PlacementReport.Parse(new ModeArguments("placement", ["mlp64", "deep64"])));
        Assert.Equal("placement takes one workload, not mlp64, deep64.", two.Message);
        Assert.Throws<UsageException>(() => PlacementReport.Parse(new ModeArguments("placement", ["fit"])));
        Assert.Throws<UsageException>(() => PlacementReport.Parse(new ModeArguments("placement", ["--seconds", "0"])));
    }

    [Theory]
    [InlineData(150, 120, true)]
    [InlineData(180, 120, true)]
    [InlineData(181, 120, false)]
    [InlineData(360, 120, false)]
    public void A_round_trip_within_half_again_the_fastest_is_near(double roundTrip, double fastest, bool near) =>
        Assert.Equal(near, PlacementReport.IsNear(roundTrip, fastest));
}
