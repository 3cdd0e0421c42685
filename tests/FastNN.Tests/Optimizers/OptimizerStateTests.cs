using FastNN.Optimizers;

namespace FastNN.Tests.Optimizers;

/// <summary>Save/restore, argument validation and allocation of the optimizer classes.</summary>
public class OptimizerStateTests
{
    private const int N = 50;

    public static TheoryData<string> Algorithms => ["SGD", "SGDW", "RMSprop", "Adam", "AdamW"];

    private static Optimizer<float> Create(string algorithm, IReadOnlyList<ParameterGroup>? groups = null) => algorithm switch
    {
        "SGD" => new Sgd<float>(N, 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01, groups: groups),
        "SGDW" => new Sgdw<float>(N, 0.05, momentum: 0.9, dampening: 0.1, groups: groups),
        "RMSprop" => new RmsProp<float>(N, momentum: 0.5, centered: true, weightDecay: 0.01, groups: groups),
        "Adam" => new Adam<float>(N, weightDecay: 0.01, amsGrad: true, groups: groups),
        "AdamW" => new AdamW<float>(N, 0.01, groups: groups),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    private static float[][] Grads(int steps) => [.. TestData.Gradients(9, steps, N).Select(g => g.Select(x => (float)x).ToArray())];

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void RestoredOptimizerResumesIdentically(string algorithm)
    {
        ParameterGroup[] groups = [new(0, 20, LearningRate: 0.02), new(20, 30, WeightDecay: 0.0)];
        float[][] grads = Grads(20);
        float[] p = [.. TestData.Uniform(new Random(4), N).Select(x => (float)x)];
        Optimizer<float> original = Create(algorithm, groups);
        for (int t = 0; t < 10; t++) original.Step(p, grads[t]);
        original.LearningRate = 0.5 * original.LearningRate; // a schedule's change must be saved too
        OptimizerState<float> state = original.SaveState();
        float[] resumed = (float[])p.Clone();
        for (int t = 10; t < 20; t++) original.Step(p, grads[t]);

        Optimizer<float> restored = Create(algorithm, groups);
        restored.LoadState(state);
        Assert.Equal(10, restored.StepCount);
        for (int t = 10; t < 20; t++) restored.Step(resumed, grads[t]);
        Assert.Equal(p, resumed);
        Assert.Equal(20, restored.StepCount);
    }

    // A state with scheduled rates for some of the groups with rates of their own only fits no optimizer: refused with
    // the group that lacks one named, as a bad file is named where (groups 0 and 2 have own rates; 2's key removed).
    // Before: "for 1 of the 2 groups", with no group named. A state without any such key loads as an older build's did.
    [Fact]
    public void AStateMissingOneGroupsScheduledRateIsRefusedNamingIt()
    {
        ParameterGroup[] groups = [new(0, 2, LearningRate: 0.3), new(2, 1), new(3, 1, LearningRate: 0.004)];
        var original = new Sgd<double>(4, 0.1, groups: groups);
        original.ApplySchedule(new FastNN.Schedules.CosineAnnealingSchedule(0.1, 6, minLearningRate: 0.01), 3);
        OptimizerState<double> saved = original.SaveState();
        var partial = new Dictionary<string, double>(saved.HyperParameters);
        Assert.True(partial.Remove("group.2.scheduled_lr"));
        var restored = new Sgd<double>(4, 0.1, groups: groups);
        var e = Assert.Throws<ArgumentException>("state", () => restored.LoadState(saved with { HyperParameters = partial }));
        Assert.Contains("'group.2.scheduled_lr'", e.Message);
        Assert.Contains("group 0", e.Message);

        Assert.True(partial.Remove("group.0.scheduled_lr"));
        restored.LoadState(saved with { HyperParameters = partial });
        double[] p = [0, 0, 0, 0];
        restored.Step(p, [1, 1, 1, 1]);
        // No scheduled rates: each group follows the base rate 0.055 in proportion, own · 0.055 / 0.1.
        Assert.Equal([-0.3 * 0.55, -0.3 * 0.55, -0.055, -0.004 * 0.55], p, (a, b) => Math.Abs(a - b) < 1e-15);
    }

    // A schedule sets each group's rate from the group's own (cosine to a shared η_min), which is not the base rate's
    // proportion; a state saved then must carry those rates, as PyTorch's optimizer state_dict carries each param group's
    // lr. Cosine, γ⁰ = 0.1, η_min = 0.01, T_max = 6, t = 3 (cos = 0): base 0.055, the group of own rate 0.004 gets
    // 0.01 + (0.004 − 0.01)/2 = 0.007 (its proportion of the base rate would be 0.004 · 0.055 / 0.1 = 0.0022).
    // Plain SGD steps θ ← θ − γ·g. Before: the restored optimizer stepped the group with 0.0022.
    [Fact]
    public void AStateSavedUnderAScheduleKeepsEachGroupsScheduledRate()
    {
        ParameterGroup[] groups = [new(0, 2), new(2, 2, LearningRate: 0.004)];
        var original = new Sgd<double>(4, 0.1, groups: groups);
        original.ApplySchedule(new FastNN.Schedules.CosineAnnealingSchedule(0.1, 6, minLearningRate: 0.01), 3);
        double[] g = [1, -2, 4, -8];
        double[] p = [0, 0, 0, 0];
        original.Step(p, g);
        var restored = new Sgd<double>(4, 0.1, groups: groups);
        OptimizerState<double> saved = original.SaveState();
        // A scheduled rate for a group without a rate of its own fits no optimizer: refused, nothing changed.
        var stray = new Dictionary<string, double>(saved.HyperParameters) { ["group.0.scheduled_lr"] = 0.055 };
        Assert.Throws<ArgumentException>("state", () => restored.LoadState(saved with { HyperParameters = stray }));
        Assert.Equal(0, restored.StepCount);
        restored.LoadState(saved);
        double[] q = [.. p];
        restored.Step(q, g);
        double[] expected = [p[0] - 0.055 * 1, p[1] + 0.055 * 2, p[2] - 0.007 * 4, p[3] + 0.007 * 8];
        for (int i = 0; i < 4; i++)
            Assert.Equal(expected[i], q[i], 1e-15);
        // A base rate set directly afterwards makes the groups follow it in proportion again, saved or not.
        restored.LearningRate = 0.05;
        var again = new Sgd<double>(4, 0.1, groups: groups);
        again.LoadState(restored.SaveState());
        double[] r = [0, 0, 0, 0];
        again.Step(r, g);
        Assert.Equal(-0.002 * 4, r[2], 1e-15);
    }

    [Fact]
    public void SavedStateIsASnapshot()
    {
        var adam = new Adam<double>(3);
        adam.Step([1, 2, 3], [1, 1, 1]);
        OptimizerState<double> state = adam.SaveState();
        double[] before = (double[])state.Buffers["exp_avg"].Clone();
        adam.Step([1, 2, 3], [1, 1, 1]);
        Assert.Equal(before, state.Buffers["exp_avg"]);
        Assert.Equal(["exp_avg", "exp_avg_sq"], state.Buffers.Keys.Order());
        Assert.Equal(0.9, state.HyperParameters["beta1"]);
        Assert.Equal(1e-3, state.HyperParameters["lr"]);
    }

    [Fact]
    public void LoadStateRejectsMismatchesAndChangesNothing()
    {
        var adamW = new AdamW<double>(N);
        var adam = new Adam<double>(N);
        OptimizerState<double> fromAdam = adam.SaveState();
        Assert.Throws<ArgumentException>("state", () => adamW.LoadState(fromAdam));

        adamW.Step(new double[N], Enumerable.Repeat(1.0, N).ToArray());
        OptimizerState<double> good = adamW.SaveState();
        var missing = new Dictionary<string, double[]>(good.Buffers);
        missing.Remove("exp_avg_sq");
        var fresh = new AdamW<double>(N, learningRate: 0.5);
        Assert.Throws<ArgumentException>("state", () => fresh.LoadState(good with { Buffers = missing }));
        var badBeta = new Dictionary<string, double>(good.HyperParameters) { ["beta2"] = 1.5 };
        Assert.Throws<ArgumentOutOfRangeException>("beta2", () => fresh.LoadState(good with { HyperParameters = badBeta }));
        Assert.Throws<ArgumentException>("state", () => new AdamW<double>(N, amsGrad: true).LoadState(good));
        Assert.Throws<ArgumentException>("state", () => new AdamW<double>(N, groups: [new(0, 10), new(10, 40)]).LoadState(good));
        Assert.Equal(0, fresh.StepCount);
        Assert.Equal(0.5, fresh.LearningRate);
        Assert.All(fresh.SaveState().Buffers.Values, b => Assert.All(b, x => Assert.Equal(0.0, x)));
    }

    // A square average (Adam's v and v̂max, RMSprop's v) is never negative in a run; one loaded negative, say exp_avg and
    // exp_avg_sq swapped when converting a state, made θ NaN at the next step through √v. Before: loaded silently.
    [Theory]
    [InlineData("Adam", "exp_avg_sq")]
    [InlineData("Adam", "max_exp_avg_sq")]
    [InlineData("RMSprop", "square_avg")]
    public void LoadStateRefusesANegativeSquareAverageAndChangesNothing(string algorithm, string buffer)
    {
        Optimizer<float> original = Create(algorithm);
        float[] p = [.. TestData.Uniform(new Random(4), N).Select(x => (float)x)];
        float[][] grads = Grads(3);
        original.Step(p, grads[0]);
        OptimizerState<float> good = original.SaveState();
        float[] negative = (float[])good.Buffers[buffer].Clone();
        negative[7] = -0.25f;
        var buffers = new Dictionary<string, float[]>(good.Buffers) { [buffer] = negative };

        Optimizer<float> fresh = Create(algorithm);
        var e = Assert.Throws<ArgumentException>("state", () => fresh.LoadState(good with { Buffers = buffers }));
        Assert.Contains($"'{buffer}' holds -0.25 at element 7", e.Message);
        Assert.Equal(0, fresh.StepCount);
        Assert.All(fresh.SaveState().Buffers.Values, b => Assert.All(b, x => Assert.Equal(0f, x)));

        // A zero of either sign is a value a run leaves (a flushed state keeps its sign): loaded.
        negative[7] = -0f;
        fresh.LoadState(good with { Buffers = buffers });
        Assert.Equal(1, fresh.StepCount);
    }

    // Every state buffer of the built-in algorithms, with the value a step from finite state and a finite gradient never leaves in it.
    public static TheoryData<string, string, float> NonFiniteStates
    {
        get
        {
            var data = new TheoryData<string, string, float>();
            foreach (string algorithm in (string[])["SGD", "SGDW", "RMSprop", "Adam", "AdamW"])
            {
                foreach (string buffer in Create(algorithm).BufferNames)
                {
                    data.Add(algorithm, buffer, float.NaN);
                    data.Add(algorithm, buffer, float.NegativeInfinity);
                    // A square average overflows to +∞ from a finite gradient whose square does (see the test below).
                    if (buffer is not ("exp_avg_sq" or "max_exp_avg_sq" or "square_avg"))
                        data.Add(algorithm, buffer, float.PositiveInfinity);
                }
            }
            return data;
        }
    }

    // A NaN or infinite state value is what a non-finite gradient leaves (with θ NaN or infinite too): a state that holds
    // one (a corrupted or hand-made file) made θ NaN at the next step. Before: NaN and +∞ loaded silently in every buffer,
    // −∞ in the momenta.
    [Theory]
    [MemberData(nameof(NonFiniteStates))]
    public void LoadStateRefusesANonFiniteStateValueAndChangesNothing(string algorithm, string buffer, float value)
    {
        Optimizer<float> original = Create(algorithm);
        float[] p = [.. TestData.Uniform(new Random(4), N).Select(x => (float)x)];
        original.Step(p, Grads(1)[0]);
        OptimizerState<float> good = original.SaveState();
        float[] bad = (float[])good.Buffers[buffer].Clone();
        bad[7] = value;
        var buffers = new Dictionary<string, float[]>(good.Buffers) { [buffer] = bad };

        Optimizer<float> fresh = Create(algorithm);
        var e = Assert.Throws<ArgumentException>("state", () => fresh.LoadState(good with { Buffers = buffers }));
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"'{buffer}' holds {value} at element 7"), e.Message);
        Assert.Equal(0, fresh.StepCount);
        Assert.All(fresh.SaveState().Buffers.Values, b => Assert.All(b, x => Assert.Equal(0f, x)));
    }

    // A finite gradient whose square overflows T leaves a square average of +∞ while θ stays finite (m / √∞ = 0: that
    // element stops moving), and the run goes on; its state must load, so that the resumed run matches the uninterrupted one.
    [Theory]
    [InlineData("Adam", "exp_avg_sq")]
    [InlineData("Adam", "max_exp_avg_sq")]
    [InlineData("AdamW", "exp_avg_sq")]
    [InlineData("RMSprop", "square_avg")]
    public void LoadStateKeepsASquareAverageOverflowedByAFiniteGradient(string algorithm, string buffer)
    {
        // Not centered: centered RMSprop's v − ḡ² is then ∞ − ∞, and θ NaN.
        Optimizer<float> Make() => algorithm == "RMSprop" ? new RmsProp<float>(N, momentum: 0.5, weightDecay: 0.01) : Create(algorithm);
        Optimizer<float> original = Make();
        float[] p = [.. TestData.Uniform(new Random(4), N).Select(x => (float)x)];
        float[][] grads = Grads(3);
        grads[0][7] = 1e30f;
        original.Step(p, grads[0]);
        OptimizerState<float> saved = original.SaveState();
        Assert.Equal(float.PositiveInfinity, saved.Buffers[buffer][7]);
        Assert.All(p, x => Assert.True(float.IsFinite(x)));

        Optimizer<float> resumed = Make();
        resumed.LoadState(saved);
        float[] q = (float[])p.Clone();
        original.Step(p, grads[1]);
        resumed.Step(q, grads[1]);
        Assert.Equal(p, q);
    }

    [Fact]
    public void LoadStateRejectsAStateWithNullPartsAndChangesNothing()
    {
        // Before: NullReferenceException (the record's members are not checked by its constructor).
        var adamW = new AdamW<double>(N);
        adamW.Step(new double[N], Enumerable.Repeat(1.0, N).ToArray());
        OptimizerState<double> good = adamW.SaveState();
        var fresh = new AdamW<double>(N, learningRate: 0.5);
        var nullBuffer = new Dictionary<string, double[]>(good.Buffers) { ["exp_avg"] = null! };
        Assert.Throws<ArgumentException>("state", () => fresh.LoadState(good with { Buffers = null! }));
        Assert.Throws<ArgumentException>("state", () => fresh.LoadState(good with { HyperParameters = null! }));
        Assert.Throws<ArgumentException>("state", () => fresh.LoadState(good with { Buffers = nullBuffer }));
        Assert.Throws<ArgumentException>("state", () => fresh.LoadState(good with { Algorithm = null! }));
        Assert.Equal(0, fresh.StepCount);
        Assert.Equal(0.5, fresh.LearningRate);
    }

    // A state (a checkpoint's optimizer_steps edited, say) whose step count no step can follow: t = count + 1 wraps to
    // long.MinValue. Before: it loaded, and every Step then threw "step ('-9223372036854775808') must be greater than or
    // equal to '1'" for a parameter 'step' Step does not have (SGD's first-step test and Adam's bias corrections read it).
    [Theory]
    [MemberData(nameof(Algorithms))]
    public void LoadStateRefusesAStepCountNoStepCanFollowAndChangesNothing(string algorithm)
    {
        Optimizer<float> optimizer = Create(algorithm);
        OptimizerState<float> saved = optimizer.SaveState();
        var e = Assert.Throws<ArgumentOutOfRangeException>("state", () => optimizer.LoadState(saved with { StepCount = long.MaxValue }));
        Assert.Contains("9223372036854775807", e.Message);
        Assert.Equal(0, optimizer.StepCount);
        optimizer.LoadState(saved with { StepCount = long.MaxValue - 1 });
        Assert.Equal(long.MaxValue - 1, optimizer.StepCount);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void StepAllocatesNothing(string algorithm)
    {
        Optimizer<float> optimizer = Create(algorithm, [new(0, 25), new(25, 25, 0.1, 0)]);
        float[] p = new float[N], g = Grads(1)[0];
        for (int t = 0; t < 5; t++) optimizer.Step(p, g);
        Assert.Equal(0, SteadyStateAllocation.Least(3, () =>
        {
            for (int t = 0; t < 100; t++) optimizer.Step(p, g);
        }));
    }

    [Fact]
    public void StepRejectsBuffersOfTheWrongLength()
    {
        var sgd = new Sgd<double>(4);
        Assert.Throws<ArgumentException>("parameters", () => sgd.Step(new double[5], new double[4]));
        Assert.Throws<ArgumentException>("gradients", () => sgd.Step(new double[4], new double[3]));
        Assert.Equal(0, sgd.StepCount);
    }

    public static TheoryData<string, double, Func<double, object>> BadValues => new()
    {
        { "learningRate", -1e-3, v => new Adam<double>(4, learningRate: v) },
        { "learningRate", double.NaN, v => new Sgd<double>(4, learningRate: v) },
        { "beta1", 1.0, v => new Adam<double>(4, beta1: v) },
        { "beta1", -0.1, v => new AdamW<double>(4, beta1: v) },
        { "beta2", 1.0, v => new AdamW<double>(4, beta2: v) },
        { "epsilon", -1e-8, v => new Adam<double>(4, epsilon: v) },
        { "weightDecay", -0.01, v => new AdamW<double>(4, weightDecay: v) },
        { "weightDecay", double.PositiveInfinity, v => new Sgdw<double>(4, weightDecay: v) },
        { "momentum", -0.9, v => new Sgd<double>(4, momentum: v) },
        { "dampening", -0.5, v => new Sgd<double>(4, momentum: 0.9, dampening: v) },
        { "alpha", 1.0, v => new RmsProp<double>(4, alpha: v) },
        { "epsilon", -1.0, v => new RmsProp<double>(4, epsilon: v) },
        { "momentum", -0.1, v => new RmsProp<double>(4, momentum: v) },
        { "weightDecay", -1.0, v => new RmsProp<double>(4, weightDecay: v) },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void ConstructorsNameTheBadHyperParameterAndItsValue(string name, double value, Func<double, object> create)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => create(value));
        Assert.Equal(name, e.ParamName);
        Assert.Equal(value, e.ActualValue);
    }

    [Fact]
    public void ConstructorsRejectBadGroupsAndNesterovWithoutMomentum()
    {
        Assert.Equal(-1, Assert.Throws<ArgumentOutOfRangeException>("parameterCount", () => new AdamW<double>(-1)).ActualValue);
        Assert.Throws<ArgumentException>("nesterov", () => new Sgd<double>(4, nesterov: true));
        Assert.Throws<ArgumentException>("nesterov", () => new Sgd<double>(4, momentum: 0.9, dampening: 0.1, nesterov: true));
        Assert.Throws<ArgumentException>("groups", () => new Adam<double>(10, groups: [new(0, 6), new(5, 5)]));
        Assert.Throws<ArgumentException>("groups", () => new Adam<double>(10, groups: [new(8, 3)]));
        Assert.Throws<ArgumentOutOfRangeException>("groups[1].WeightDecay", () => new Adam<double>(10, groups: [new(0, 5), new(5, 5, WeightDecay: -1)]));
        Assert.Throws<ArgumentOutOfRangeException>("value", () => new Adam<double>(10).LearningRate = -1);
    }
}
