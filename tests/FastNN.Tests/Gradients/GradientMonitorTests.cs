using FastNN.Gradients;
using FastNN.Layers;
using FastNN.Models;

namespace FastNN.Tests.Gradients;

public class GradientMonitorTests
{
    // Layer 0: 0.weight [2, 2] at 0, 0.bias [2] at 4; layer 2: 2.weight [1, 2] at 6, 2.bias [1] at 8.
    private static readonly ParameterTensor[] Table =
    [
        new("0.weight", 0, 4, [2, 2], ParameterKind.Weight, 0),
        new("0.bias", 4, 2, [2], ParameterKind.Bias, 0),
        new("2.weight", 6, 2, [1, 2], ParameterKind.Weight, 2),
        new("2.bias", 8, 1, [1], ParameterKind.Bias, 2),
    ];

    [Fact]
    public void ReportsPerLayerNormsAndUpdateRatios()
    {
        var monitor = new GradientMonitor<double>(Table, new GradientMonitorOptions { Interval = 1 });
        double[] p = [1, 2, 2, 0, 0, 4, 3, 0, 4];      // ‖θ₀‖ = √(1+4+4+16) = 5, ‖θ₂‖ = √(9+16) = 5
        double[] g = [0, 3, 0, 0, 4, 0, 0, 0.6, 0.8];  // ‖g₀‖ = 5, ‖g₂‖ = 1
        monitor.BeforeStep(0, p, g);
        p[0] += 0.3; p[5] -= 0.4;                      // ‖Δθ₀‖ = 0.5, layer 2 unchanged
        monitor.AfterStep(p);

        GradientReport report = monitor.Report();
        Assert.Equal(0, report.Step);
        Assert.Equal(2, report.Layers.Count);
        LayerGradientStats first = report.Layers[0], last = report.Layers[1];
        Assert.Equal(("0", 0, 6), (first.Name, first.LayerIndex, first.ParameterCount));
        Assert.Equal(("2", 2, 3), (last.Name, last.LayerIndex, last.ParameterCount));
        Assert.Equal(5, first.GradientNorm, 1e-12);
        Assert.Equal(5, first.WeightNorm, 1e-12);
        Assert.Equal(0.1, first.UpdateRatio, 1e-12);
        Assert.Equal(5, first.RatioToLast, 1e-12);
        Assert.Equal(1, last.GradientNorm, 1e-12);
        Assert.Equal(0, last.UpdateRatio);
        Assert.Equal(GradientHealth.Healthy, report.Health);
    }

    [Fact]
    public void FlagsVanishingExplodingAndNonFiniteAgainstTheLastLayer()
    {
        double[] p = [1, 1, 1, 1, 1, 1, 1, 1, 1];
        var monitor = new GradientMonitor<double>(Table, new GradientMonitorOptions { Interval = 1 });

        monitor.BeforeStep(0, p, [1e-5, 0, 0, 0, 0, 0, 1, 0, 0]);
        Assert.Equal(GradientHealth.Vanishing, monitor.Report().Layers[0].Health);
        Assert.Equal(GradientHealth.Healthy, monitor.Report().Layers[1].Health);

        monitor.BeforeStep(1, p, [1e-2, 0, 0, 0, 0, 0, 1, 0, 0]);   // 10⁻² is above the default 10⁻³
        Assert.Equal(GradientHealth.Healthy, monitor.Report().Health);

        monitor.BeforeStep(2, p, [2e3, 0, 0, 0, 0, 0, 1, 0, 0]);
        Assert.True(monitor.Report().Layers[0].Health.HasFlag(GradientHealth.Exploding));

        monitor.BeforeStep(3, p, [1, 0, 0, 0, 0, 0, 1, double.NaN, 0]);
        Assert.Equal(GradientHealth.NonFinite, monitor.Report().Layers[1].Health);
        Assert.Equal(GradientHealth.NonFinite, monitor.Report().Layers[0].Health);
    }

    [Fact]
    public void FlagsGrowthOverTheWindow()
    {
        double[] p = new double[9];
        var options = new GradientMonitorOptions { Interval = 1, GrowthFactor = 100, GrowthWindow = 3 };
        var monitor = new GradientMonitor<double>(Table, options);
        double scale = 1;
        for (int step = 0; step < 3; step++, scale *= 11)   // norms 1, 11, 121: ×121 over the window
            monitor.BeforeStep(step, p, [scale, 0, 0, 0, 0, 0, scale, 0, 0]);
        GradientReport report = monitor.Report();
        Assert.All(report.Layers, l => Assert.Equal(GradientHealth.Exploding, l.Health));

        monitor.BeforeStep(3, p, [1331, 0, 0, 0, 0, 0, 1331, 0, 0]);   // window now 11 → 1331, still ×121
        Assert.Equal(GradientHealth.Exploding, monitor.Report().Health);
        monitor.BeforeStep(4, p, [1331, 0, 0, 0, 0, 0, 1331, 0, 0]);   // 121 → 1331: ×11
        Assert.Equal(GradientHealth.Healthy, monitor.Report().Health);
    }

    [Fact]
    public void SamplesEveryIntervalIntoARingOfCapacity()
    {
        var monitor = new GradientMonitor<float>(Table, new GradientMonitorOptions { Interval = 3, Capacity = 4, GrowthWindow = 2 });
        float[] p = new float[9], g = new float[9];
        for (int step = 0; step < 20; step++)
        {
            g[0] = step;   // layer 0's gradient norm records the step it was sampled at
            g[6] = 1;
            monitor.BeforeStep(step, p, g);
        }
        GradientReport report = monitor.Report();
        Assert.Equal([9L, 12, 15, 18], report.Steps);
        Assert.Equal([9.0, 12, 15, 18], report.Layers[0].GradientNormHistory);
        Assert.Equal(18, report.Step);
        Assert.Equal(4, monitor.SampleCount);
        Assert.All(report.Layers[0].UpdateRatioHistory, r => Assert.True(double.IsNaN(r)));
    }

    [Fact]
    public void SteadyStateRecordingAllocatesNothing()
    {
        var monitor = new GradientMonitor<float>(Table, new GradientMonitorOptions { Interval = 2, Capacity = 8, GrowthWindow = 4 });
        float[] p = Enumerable.Range(1, 9).Select(i => (float)i).ToArray(), g = (float[])p.Clone();
        for (int step = 0; step < 20; step++)
        {
            monitor.BeforeStep(step, p, g);
            monitor.AfterStep(p);
        }
        int next = 20;
        Assert.Equal(0, SteadyStateAllocation.Least(3, () =>
        {
            for (int end = next + 1000; next < end; next++)
            {
                monitor.BeforeStep(next, p, g);
                p[0] += 1e-3f;
                monitor.AfterStep(p);
            }
        }));
        Assert.True(monitor.Report().Layers[0].UpdateRatio > 0);
    }

    [Fact]
    public void ReportTextHasOneLinePerLayer()
    {
        var monitor = new GradientMonitor<double>(Table, new GradientMonitorOptions { Interval = 1 });
        monitor.BeforeStep(0, new double[9], [1e-6, 0, 0, 0, 0, 0, 1, 0, 0]);
        string[] lines = monitor.Report().ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Contains("Vanishing", lines[0]);
        Assert.StartsWith("0 ", lines[2]);
        Assert.Contains("Vanishing", lines[2]);
    }

    [Fact]
    public void ALayerOfNestedModulesIsNamedByItsIndexInTheModel()
    {
        // A Residual's tensors are 1.body.0.weight, …, 1.body.2.bias: one layer, named 1 as its state-dict prefix.
        var model = new Sequential<double>(
            [new Dense<double>(3, 4), new Residual<double>(new Dense<double>(4, 8), new Relu<double>(8), new Dense<double>(8, 4)), new Dense<double>(4, 1)], 1);
        var monitor = new GradientMonitor<double>(model.ParameterTensors, new GradientMonitorOptions { Interval = 1 });
        monitor.BeforeStep(0, model.Parameters, model.Parameters);
        Assert.Equal(["0", "1", "2"], monitor.Report().Layers.Select(l => l.Name));

        // A table of other names keeps each layer's module name.
        var named = new GradientMonitor<double>(
            [new("encoder.0.weight", 0, 2, [1, 2], ParameterKind.Weight, 0), new("encoder.1.weight", 2, 2, [1, 2], ParameterKind.Weight, 1)],
            new GradientMonitorOptions { Interval = 1 });
        named.BeforeStep(0, [1, 1, 1, 1], [1, 1, 1, 1]);
        Assert.Equal(["encoder.0", "encoder.1"], named.Report().Layers.Select(l => l.Name));
    }

    [Fact]
    public void AHugeButFiniteGradientIsExplodingNotNonFinite()
    {
        // ‖g‖ of 3e200 and 4e200 is 5e200, finite in double; squaring the elements overflowed to ∞ and read as NaN/∞.
        var monitor = new GradientMonitor<double>(Table, new GradientMonitorOptions { Interval = 1 });
        double[] p = [1, 1, 1, 1, 1, 1, 1, 1, 1];
        monitor.BeforeStep(0, p, [3e200, 4e200, 0, 0, 0, 0, 0, 1, 0]);
        LayerGradientStats first = monitor.Report().Layers[0];
        Assert.Equal(5e200, first.GradientNorm, 5e200 * 1e-15);
        Assert.Equal(5e200, first.RatioToLast, 5e200 * 1e-15);
        Assert.Equal(GradientHealth.Exploding, first.Health);

        // The update ratio too: a step of 3e200 and 4e200 on weights of norm 5e200 is 1.
        double[] big = [3e200, 4e200, 0, 0, 0, 0, 1, 1, 1];
        monitor.BeforeStep(1, big, [1, 1, 1, 1, 1, 1, 1, 1, 1]);
        monitor.AfterStep([6e200, 8e200, 0, 0, 0, 0, 1, 1, 1]);
        first = monitor.Report().Layers[0];
        Assert.Equal(5e200, first.WeightNorm, 5e200 * 1e-15);
        Assert.Equal(1, first.UpdateRatio, 1e-15);
    }

    [Fact]
    public void AFiniteGradientWhoseNormIsPastDoubleReadsInfiniteAsTheDocsSay()
    {
        // ‖g‖ of two elements of 1.5e308 is 2.1e308, which no double holds: +∞, flagged NonFinite (the docs say so; they
        // had said a finite gradient never reads as infinite).
        var monitor = new GradientMonitor<double>(Table, new GradientMonitorOptions { Interval = 1 });
        monitor.BeforeStep(0, [1, 1, 1, 1, 1, 1, 1, 1, 1], [1.5e308, 1.5e308, 0, 0, 0, 0, 0, 1, 0]);
        LayerGradientStats first = monitor.Report().Layers[0];
        Assert.Equal((double.PositiveInfinity, GradientHealth.NonFinite), (first.GradientNorm, first.Health));
    }

    [Fact]
    public void ATinyButNonZeroGradientKeepsItsNorm()
    {
        // ‖g‖ of 3e-170 and 4e-170 is 5e-170, a normal double; squaring the elements underflowed to 0 and read as a zero
        // gradient (a deep double network's vanishing gradient is what the monitor is for). The last layer's 1e-170 too.
        var monitor = new GradientMonitor<double>(Table, new GradientMonitorOptions { Interval = 1 });
        monitor.BeforeStep(0, [1, 1, 1, 1, 1, 1, 1, 1, 1], [3e-170, 4e-170, 0, 0, 0, 0, 0, 1e-170, 0]);
        GradientReport report = monitor.Report();
        Assert.Equal(5e-170, report.Layers[0].GradientNorm, 5e-170 * 1e-15);
        Assert.Equal(1e-170, report.Layers[1].GradientNorm, 1e-170 * 1e-15);
        Assert.Equal(5, report.Layers[0].RatioToLast, 5 * 1e-15);

        // Subnormal elements (the whole layer below 2.2e-308) and zeros: exact, never NaN.
        monitor.BeforeStep(1, [1, 1, 1, 1, 1, 1, 1, 1, 1], [3e-320, 4e-320, 0, 0, 0, 0, 0, 0, 0]);
        report = monitor.Report();
        Assert.Equal(5e-320, report.Layers[0].GradientNorm, 1e-322);
        Assert.Equal(0, report.Layers[1].GradientNorm);
    }

    [Fact]
    public void ZeroGradientsHaveNoRatioToAZeroLastLayerAndNoGrowthFromZero()
    {
        var monitor = new GradientMonitor<double>(Table, new GradientMonitorOptions { Interval = 1, Capacity = 2, GrowthWindow = 2 });
        double[] p = [1, 1, 1, 1, 1, 1, 1, 1, 1];

        // No loss gradient at all (a perfect fit): 0/0 is no ratio, and nothing is flagged.
        monitor.BeforeStep(0, p, new double[9]);
        GradientReport report = monitor.Report();
        Assert.All(report.Layers, l => Assert.True(l.GradientNorm == 0 && double.IsNaN(l.RatioToLast), $"{l.Name}: {l.GradientNorm}, {l.RatioToLast}"));
        Assert.Equal(GradientHealth.Healthy, report.Health);

        // A layer whose gradient is exactly 0 under a live output layer has vanished (ratio 0). The output layer, from 0
        // to 1, did not grow by a factor: growth is measured from a non-zero start.
        monitor.BeforeStep(1, p, [0, 0, 0, 0, 0, 0, 1, 0, 0]);
        report = monitor.Report();
        Assert.Equal((0.0, GradientHealth.Vanishing), (report.Layers[0].RatioToLast, report.Layers[0].Health));
        Assert.Equal(GradientHealth.Healthy, report.Layers[1].Health);

        // A live layer over a zero output layer: no ratio (NaN, not ∞), so the ratio rules flag nothing.
        monitor.BeforeStep(2, p, [1e6, 0, 0, 0, 0, 0, 0, 0, 0]);
        report = monitor.Report();
        Assert.True(double.IsNaN(report.Layers[0].RatioToLast));
        Assert.Equal(GradientHealth.Healthy, report.Health);
    }

    [Fact]
    public void AOneLayerModelIsItsOwnReferenceAndOnlyGrowthOrNonFiniteFlagIt()
    {
        var monitor = new GradientMonitor<double>([new("0.weight", 0, 2, [1, 2], ParameterKind.Weight, 0)],
            new GradientMonitorOptions { Interval = 1, Capacity = 2, GrowthWindow = 2 });
        monitor.BeforeStep(0, [1, 1], [1e-30, 0]);
        LayerGradientStats layer = Assert.Single(monitor.Report().Layers);
        Assert.Equal((1.0, GradientHealth.Healthy), (layer.RatioToLast, layer.Health));   // 1e-30 is not "vanishing": no other layer
        monitor.BeforeStep(1, [1, 1], [1e-26, 0]);                                          // ×10⁴ over the window
        Assert.Equal(GradientHealth.Exploding, monitor.Report().Health);
        monitor.BeforeStep(2, [1, 1], [double.PositiveInfinity, 0]);
        Assert.Equal(GradientHealth.NonFinite, monitor.Report().Health);
    }

    [Fact]
    public void RejectsBadArguments()
    {
        Assert.Throws<ArgumentException>(() => new GradientMonitor<double>([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradientMonitor<double>(Table, new GradientMonitorOptions { Interval = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradientMonitor<double>(Table, new GradientMonitorOptions { VanishingRatio = 2 }));
        var monitor = new GradientMonitor<double>(Table);
        Assert.Throws<ArgumentException>(() => monitor.BeforeStep(0, new double[8], new double[9]));
        Assert.Throws<InvalidOperationException>(() => monitor.Report());
    }

    [Theory]
    [InlineData(5, null)]    // the default GrowthWindow, 10
    [InlineData(9, null)]
    [InlineData(256, 300)]   // the default Capacity
    public void ACapacityBelowTheGrowthWindowIsRefusedNamingCapacityAndTheRelation(int capacity, int? window)
    {
        // Before: a Capacity of 5 alone was refused naming GrowthWindow, an option the caller never set.
        var options = new GradientMonitorOptions { Capacity = capacity };
        if (window is { } w)
            options = options with { GrowthWindow = w };
        var e = Assert.Throws<ArgumentOutOfRangeException>("Capacity", () => new GradientMonitor<double>(Table, options));
        Assert.Contains($"Capacity ({capacity}) must be at least GrowthWindow ({options.GrowthWindow})", e.Message);
        // At the window it is accepted.
        Assert.Equal(options.GrowthWindow, new GradientMonitor<double>(Table, options with { Capacity = options.GrowthWindow }).Options.Capacity);
    }

    [Theory]
    [InlineData(300)]   // the default Capacity, 256
    [InlineData(257)]
    public void AGrowthWindowAboveTheDefaultCapacityIsRefusedNamingGrowthWindowAndTheRelation(int window)
    {
        // Before: a GrowthWindow of 300 alone was refused naming Capacity, an option the caller never set.
        var options = new GradientMonitorOptions { GrowthWindow = window };
        var e = Assert.Throws<ArgumentOutOfRangeException>("GrowthWindow", () => new GradientMonitor<double>(Table, options));
        Assert.Contains($"GrowthWindow ({window}) must be at most Capacity (256, its default)", e.Message);
        // A with expression sets it as an initializer does; with Capacity set too, Capacity is named, as in the test above.
        Assert.Throws<ArgumentOutOfRangeException>("GrowthWindow", () => new GradientMonitor<double>(Table, new GradientMonitorOptions() with { GrowthWindow = window }));
        Assert.Throws<ArgumentOutOfRangeException>("Capacity", () => new GradientMonitor<double>(Table, options with { Capacity = 256 }));
        // Up to the default Capacity it is accepted.
        Assert.Equal(256, new GradientMonitor<double>(Table, options with { GrowthWindow = 256 }).Options.GrowthWindow);
    }

    [Fact]
    public void OptionsAreEqualByValueHoweverTheyWereSet()
    {
        var defaults = new GradientMonitorOptions();
        var given = new GradientMonitorOptions { Capacity = 256, GrowthWindow = 10 };
        Assert.Equal(defaults, given);
        Assert.Equal(defaults.GetHashCode(), given.GetHashCode());
        // Every option takes part: each changed alone makes the options differ.
        foreach (System.Reflection.PropertyInfo option in typeof(GradientMonitorOptions).GetProperties())
        {
            var changed = new GradientMonitorOptions();
            object value = option.GetValue(changed)!;
            option.SetValue(changed, value is int i ? (object)(i + 1) : (double)value * 2);
            Assert.False(defaults.Equals(changed), $"{option.Name} changed, yet the options are equal");
        }
    }

    [Fact]
    public void ATableNoBufferHoldsIsRejectedAtConstruction()
    {
        // Before: OverflowException (negative offset, Capacity × layers past int.MaxValue) and NullReferenceException.
        Assert.Throws<ArgumentOutOfRangeException>("tensors", () => new GradientMonitor<float>([new("w", -5, 3, [3], ParameterKind.Weight, 0)]));
        Assert.Throws<ArgumentOutOfRangeException>("tensors", () => new GradientMonitor<float>([new("w", 0, -3, [3], ParameterKind.Weight, 0)]));
        Assert.Throws<ArgumentOutOfRangeException>("tensors", () => new GradientMonitor<float>([new("w", int.MaxValue - 1, 3, [3], ParameterKind.Weight, 0)]));
        Assert.Throws<ArgumentException>("tensors", () => new GradientMonitor<float>([Table[0], null!]));
        Assert.Throws<ArgumentOutOfRangeException>("options", () => new GradientMonitor<float>(Table, new GradientMonitorOptions { Capacity = int.MaxValue }));
    }
}
