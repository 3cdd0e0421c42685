using FastNN.Benchmarks.Infrastructure;

namespace FastNN.Benchmarks.Tests;

/// <summary>The paired reports' one statistic: the median over rounds of a figure taken within each round.</summary>
public class PairedRoundsTests
{
    [Fact]
    public void The_median_of_an_odd_count_is_the_middle_value_and_of_an_even_count_the_mean_of_the_two()
    {
        Assert.Equal(2.0, PairedRounds.Median([[3.0], [1.0], [2.0]], x => x[0]));
        Assert.Equal(2.5, PairedRounds.Median([[4.0], [1.0], [3.0], [2.0]], x => x[0]));
    }

    [Fact]
    public void A_ratio_is_taken_within_each_round_before_the_median()
    {
        // Seconds per call [round][side], the machine's speed moving between rounds: side 0 / side 1 reads 2, 1 and 2.5
        // within the rounds, median 2; the ratio of the two sides' medians (3 / 3) would read 1.
        double[][] t = [[2.0, 1.0], [3.0, 3.0], [10.0, 4.0]];
        Assert.Equal(2.0, PairedRounds.Median(t, x => x[0] / x[1]));
    }
}
