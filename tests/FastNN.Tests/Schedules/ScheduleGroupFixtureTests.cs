using System.Text.Json;
using FastNN.Optimizers;
using FastNN.Schedules;

namespace FastNN.Tests.Schedules;

/// <summary>
/// Every schedule over parameter groups with rates of their own, against PyTorch 1.13's schedulers stepped as a training
/// loop steps them (Fixtures/schedule_fixtures.json, written once by Fixtures/make_schedule_fixtures.py; the tests never
/// run Python): three groups, the optimizer's rate 0.1 and 0.03 and 0.004 of their own, the rate each trains with read
/// back from SGD (a zero parameter with a unit gradient becomes −γ_g exactly) after <see cref="Optimizer{T}.ApplySchedule"/>.
/// Also many steps and the boundaries: eleven cosine periods (160 steps), T_max = 1, 300 steps of exponential decay,
/// a one-step warm-up before StepLR and a warm-up before ExponentialLR.
/// Tolerance 1e-12 relative: FastNN evaluates closed forms, PyTorch its recursive forms, whose rounding grows by a few
/// ulps a step (≤ 1e-14 over 26 steps, 6e-14 over the 160 cosine steps); 1e-16 absolute.
/// </summary>
public class ScheduleGroupFixtureTests
{
    private static readonly Lazy<JsonElement> Fixture = new(() => JsonFixture.Load("schedule_fixtures.json", "FastNN schedule fixtures", version: 1));

    [Theory]
    [InlineData("cosine_eta_min")]
    [InlineData("cosine")]
    [InlineData("step")]
    [InlineData("exponential")]
    [InlineData("inverse_time")]
    [InlineData("constant")]
    [InlineData("warmup_cosine_eta_min")]
    [InlineData("cosine_many_periods")]
    [InlineData("cosine_t_max_1")]
    [InlineData("exponential_long")]
    [InlineData("warmup_one_step")]
    [InlineData("warmup_exponential")]
    public void EveryGroupGetsPyTorchsRate(string name)
    {
        JsonElement root = Fixture.Value;
        double baseRate = root.GetProperty("base_lr").GetDouble();
        ILearningRateSchedule schedule = name switch
        {
            "cosine_eta_min" => new CosineAnnealingSchedule(baseRate, 6, 0.01),
            "cosine" => new CosineAnnealingSchedule(baseRate, 5),
            "step" => new StepSchedule(baseRate, 3, 0.5),
            "exponential" => new ExponentialSchedule(baseRate, 0.9),
            "inverse_time" => new InverseTimeSchedule(baseRate, 0.5, stepsPerUnit: 2),
            "constant" => new ConstantSchedule(baseRate),
            "warmup_cosine_eta_min" => new WarmupSchedule(new CosineAnnealingSchedule(baseRate, 8, 0.01), 4, startFactor: 0.25),
            "cosine_many_periods" => new CosineAnnealingSchedule(baseRate, 7, 0.01),
            "cosine_t_max_1" => new CosineAnnealingSchedule(baseRate, 1),
            "exponential_long" => new ExponentialSchedule(baseRate, 0.98),
            "warmup_one_step" => new WarmupSchedule(new StepSchedule(baseRate, 3, 0.5), 1, startFactor: 0.5),
            "warmup_exponential" => new WarmupSchedule(new ExponentialSchedule(baseRate, 0.9), 5, startFactor: 0.2),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        ParameterGroup[] groups = [.. root.GetProperty("group_lr").EnumerateArray().Select((lr, i) =>
            new ParameterGroup(i, 1, lr.ValueKind == JsonValueKind.Null ? null : lr.GetDouble()))];
        var optimizer = new Sgd<double>(groups.Length, baseRate, groups: groups);
        JsonElement[] rates = [.. root.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name)
            .GetProperty("rates").EnumerateArray()];
        for (int t = 0; t < rates.Length; t++)
        {
            double[] expected = [.. rates[t].EnumerateArray().Select(e => e.GetDouble())];
            double[] p = new double[groups.Length];
            optimizer.ApplySchedule(schedule, t);
            optimizer.Step(p, [.. Enumerable.Repeat(1.0, groups.Length)]);
            for (int g = 0; g < groups.Length; g++)
            {
                double actual = -p[g];
                Assert.True(Math.Abs(actual - expected[g]) <= 1e-16 + 1e-12 * Math.Abs(expected[g]),
                    $"{name} t={t} group {g} (own rate {groups[g].LearningRate?.ToString("R") ?? "none"}): {actual:R}, PyTorch {expected[g]:R}");
            }
        }
    }

    /// <summary>
    /// A schedule of one's own that does not override GroupLearningRate: its groups follow the base rate in proportion,
    /// γ_g = own · γ_t / γ⁰ (what every schedule gave before), and setting the base rate directly does the same for
    /// every schedule until the next ApplySchedule.
    /// </summary>
    [Fact]
    public void AScheduleOfOnesOwnAndADirectRateFollowTheBaseRateInProportion()
    {
        var optimizer = new Sgd<double>(2, 0.5, groups: [new ParameterGroup(0, 1), new ParameterGroup(1, 1, 0.2)]);
        double[] Rates()
        {
            double[] p = [0, 0];
            optimizer.Step(p, [1.0, 1.0]);
            return [-p[0], -p[1]];
        }
        optimizer.ApplySchedule(new Halving(), 3);
        Assert.Equal([0.0625, 0.2 * (0.0625 / 0.5)], Rates());
        optimizer.ApplySchedule(new CosineAnnealingSchedule(0.5, 4, 0.1), 4);
        Assert.Equal([0.1, 0.1], Rates());
        optimizer.LearningRate = 0.25;
        Assert.Equal([0.25, 0.2 * (0.25 / 0.5)], Rates());
    }

    [Fact]
    public void ApplyScheduleRefusesBadArguments()
    {
        var optimizer = new Sgd<double>(1, 0.1);
        Assert.Throws<ArgumentNullException>("schedule", () => optimizer.ApplySchedule(null!, 0));
        Assert.Throws<ArgumentOutOfRangeException>("t", () => optimizer.ApplySchedule(new ConstantSchedule(0.1), -1));
    }

    /// <summary>
    /// A schedule that gives a group a bad rate is refused with the optimizer unchanged: the base and group rates stay
    /// those the last ApplySchedule set (cosine from 1 to a floor of 0.5 at t = 5 of 10: base 0.75, the group of 0.1
    /// at 0.5 + (0.1 − 0.5)/2 = 0.3, where following the base in proportion would give 0.075).
    /// </summary>
    [Fact]
    public void AScheduleRefusedForOneGroupLeavesEveryRateAsItWas()
    {
        var optimizer = new Sgd<double>(2, 1.0, groups: [new ParameterGroup(0, 1), new ParameterGroup(1, 1, 0.1)]);
        optimizer.ApplySchedule(new CosineAnnealingSchedule(1.0, 10, 0.5), 5);
        Assert.Throws<ArgumentOutOfRangeException>("schedule", () => optimizer.ApplySchedule(new NoRateForGroups(), 6));
        Assert.Equal(0.75, optimizer.LearningRate, 15);
        double[] p = [0, 0];
        optimizer.Step(p, [1.0, 1.0]);
        Assert.Equal(-0.75, p[0], 15);
        Assert.Equal(-0.3, p[1], 15);
    }

    /// <summary>
    /// A schedule whose base rate is refused leaves the group rates as the last ApplySchedule set them too, and the state
    /// saved after the refused call is the one saved before it (lr 0.75, the groups' own rates), loaded as such.
    /// </summary>
    [Fact]
    public void AScheduleWithABadBaseRateLeavesEveryRateAndTheSavedStateAsTheyWere()
    {
        var optimizer = new Sgd<double>(2, 1.0, groups: [new ParameterGroup(0, 1), new ParameterGroup(1, 1, 0.1)]);
        optimizer.ApplySchedule(new CosineAnnealingSchedule(1.0, 10, 0.5), 5);
        OptimizerState<double> before = optimizer.SaveState();
        Assert.Throws<ArgumentOutOfRangeException>("schedule", () => optimizer.ApplySchedule(new NegativeBaseRate(), 6));
        OptimizerState<double> after = optimizer.SaveState();
        Assert.Equal(before.HyperParameters.OrderBy(v => v.Key), after.HyperParameters.OrderBy(v => v.Key));
        Assert.Equal(0.75, after.HyperParameters["lr"], 15);
        double[] p = [0, 0];
        optimizer.Step(p, [1.0, 1.0]);
        Assert.Equal(-0.75, p[0], 15);
        Assert.Equal(-0.3, p[1], 15);

        var loaded = new Sgd<double>(2, 1.0, groups: [new ParameterGroup(0, 1), new ParameterGroup(1, 1, 0.1)]);
        loaded.LoadState(after);
        Assert.Equal(0.75, loaded.LearningRate, 15);
    }

    /// <summary>A negative base rate; the groups' rule is the default one.</summary>
    private sealed class NegativeBaseRate : ILearningRateSchedule
    {
        public double LearningRate(long t) => -1;
    }

    /// <summary>A valid base rate, NaN for every group with a rate of its own.</summary>
    private sealed class NoRateForGroups : ILearningRateSchedule
    {
        public double LearningRate(long t) => 0.25;

        public double GroupLearningRate(long t, double groupInitialRate, double initialRate) => double.NaN;
    }

    /// <summary>γ_t = 0.5 · 2^−t, with no rule of its own for groups.</summary>
    private sealed class Halving : ILearningRateSchedule
    {
        public double LearningRate(long t) => 0.5 * Math.Pow(0.5, t);
    }
}
