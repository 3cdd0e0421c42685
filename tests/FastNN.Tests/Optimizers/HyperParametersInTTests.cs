using FastNN.Intrinsics;
using FastNN.Optimizers;
using FastNN.Schedules;

namespace FastNN.Tests.Optimizers;

/// <summary>
/// Hyper-parameters are given in double but used in T: in float a value finite in double can become ±∞ (1e39) or 0
/// (ε = 1e-50). What the update uses in T is refused there, by name, before anything changes; what it does not use, or
/// what still gives finite results (as PyTorch computes them), is not.
/// </summary>
public class HyperParametersInTTests
{
    private static readonly float[] Start = [0.5f, -1.5f, 2f, 0f];
    private static readonly float[] Gradient = [0.25f, 0.5f, -1f, 0f];

    /// <summary>A kernel call on parameters, gradients and three state buffers.</summary>
    public delegate void Kernel(float[] p, float[] g, float[] s0, float[] s1, float[] s2);

    public static TheoryData<string, string, Kernel> Refused => new()
    {
        { "learningRate", "learningRate = 1E+39 is not finite in float.", (p, g, a, b, c) => OptimizerKernels.Sgd<float>(p, g, a, 1e39, 0.9, 0, false, 0, false, false) },
        { "momentum", "momentum = 1E+39 is not finite in float.", (p, g, a, b, c) => OptimizerKernels.Sgd<float>(p, g, a, 0.1, 1e39, 0, false, 0, false, false) },
        { "dampening", "1 − dampening = -1E+39 is not finite in float (dampening = 1E+39).", (p, g, a, b, c) => OptimizerKernels.Sgd<float>(p, g, a, 0.1, 0.9, 1e39, false, 0, false, false) },
        { "weightDecay", "weightDecay = 1E+39 is not finite in float.", (p, g, a, b, c) => OptimizerKernels.Sgd<float>(p, g, a, 0.1, 0.9, 0, false, 1e39, false, false) },
        { "weightDecay", "1 − learningRate·weightDecay = -1E+40 is not finite in float (weightDecay = 1E+20).", (p, g, a, b, c) => OptimizerKernels.Sgd<float>(p, g, a, 1e20, 0.9, 0, false, 1e20, true, false) },
        { "learningRate", "is not finite in float (learningRate = 1E+38).", (p, g, a, b, c) => OptimizerKernels.Adam<float>(p, g, a, b, c, 1, 1e38, 0.9, 0.999, 1e-8, 0, false) },
        { "epsilon", "epsilon = 1E+39 is not finite in float.", (p, g, a, b, c) => OptimizerKernels.Adam<float>(p, g, a, b, c, 1, 1e-3, 0.9, 0.999, 1e39, 0, false) },
        { "epsilon", "epsilon = 1E-50 rounds to 0 in float", (p, g, a, b, c) => OptimizerKernels.Adam<float>(p, g, a, b, c, 3, 1e-3, 0.9, 0.999, 1e-50, 0, false) },
        { "weightDecay", "weightDecay = 1E+39 is not finite in float.", (p, g, a, b, c) => OptimizerKernels.Adam<float>(p, g, a, b, c, 1, 1e-3, 0.9, 0.999, 1e-8, 1e39, false) },
        { "weightDecay", "1 − learningRate·weightDecay = -1E+40 is not finite in float (weightDecay = 1E+20).", (p, g, a, b, c) => OptimizerKernels.Adam<float>(p, g, a, b, c, 1, 1e20, 0.9, 0.999, 1e-8, 1e20, true) },
        { "learningRate", "learningRate = 1E+39 is not finite in float.", (p, g, a, b, c) => OptimizerKernels.RmsProp<float>(p, g, a, b, c, 1e39, 0.99, 1e-8, 0, 0.9, true) },
        { "epsilon", "epsilon = 1E-50 rounds to 0 in float", (p, g, a, b, c) => OptimizerKernels.RmsProp<float>(p, g, a, b, c, 0.01, 0.99, 1e-50, 0, 0.9, true) },
        { "weightDecay", "weightDecay = 1E+39 is not finite in float.", (p, g, a, b, c) => OptimizerKernels.RmsProp<float>(p, g, a, b, c, 0.01, 0.99, 1e-8, 1e39, 0.9, true) },
        { "momentum", "momentum = 1E+39 is not finite in float.", (p, g, a, b, c) => OptimizerKernels.RmsProp<float>(p, g, a, b, c, 0.01, 0.99, 1e-8, 0, 1e39, true) },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void KernelsRefuseWhatTheUpdateCannotHoldInFloat(string name, string message, Kernel kernel)
    {
        float[] p = [.. Start], s0 = [1f, 2f, 3f, 4f], s1 = [5f, 6f, 7f, 8f], s2 = [9f, 10f, 11f, 12f];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => kernel(p, Gradient, s0, s1, s2));
        Assert.Equal(name, e.ParamName);
        Assert.Contains(message, e.Message);
        Assert.Equal(Start, p);
        Assert.Equal([1f, 2f, 3f, 4f], s0);
        Assert.Equal([5f, 6f, 7f, 8f], s1);
        Assert.Equal([9f, 10f, 11f, 12f], s2);
    }

    // Values whose rounding in float changes nothing the update uses, or that PyTorch takes to finite results too.
    [Fact]
    public void KernelsAcceptWhatGivesFiniteResults()
    {
        float[] zero = new float[4], p = [.. Start], m = new float[4], v = new float[4];
        // AdamW: λ = 1e39 is used only in 1 − γ·λ = 0.9; with no gradient the step is the shrink alone.
        OptimizerKernels.Adam<float>(p, zero, m, v, default, 1, 1e-40, 0.9, 0.999, 1e-8, 1e39, true);
        Assert.Equal(Start.Select(x => x * 0.9f), p);
        // SGDW: the same shrink.
        p = [.. Start];
        OptimizerKernels.Sgd<float>(p, zero, default, 1e-40, 0, 0, false, 1e39, true, false);
        Assert.Equal(Start.Select(x => x * 0.9f), p);
        // Without momentum the dampening is not used.
        p = [.. Start];
        OptimizerKernels.Sgd<float>(p, Gradient, default, 0.5, 0, 1e39, false, 0, false, false);
        Assert.Equal(Start.Zip(Gradient, (x, g) => x - 0.5f * g), p);
        // A learning rate that rounds to 0 in float: no update, as PyTorch's float step.
        p = [.. Start];
        OptimizerKernels.Sgd<float>(p, Gradient, default, 1e-50, 0, 0, false, 0, false, false);
        Assert.Equal(Start, p);
        // In double, 1e39 is an ordinary learning rate.
        double[] pd = [.. Start.Select(x => (double)x)];
        OptimizerKernels.Sgd<double>(pd, [.. Gradient.Select(x => (double)x)], default, 1e39, 0, 0, false, 0, false, false);
        Assert.Equal(Start.Zip(Gradient, (x, g) => x - 1e39 * g), pd);
    }

    /// <summary>The constructors refuse what the kernels refuse, by the same name and with the same message.</summary>
    public static TheoryData<string, Func<object>, Kernel> SameMessages => new()
    {
        { "Sgd<float>(learningRate: 1e39)", () => new Sgd<float>(4, learningRate: 1e39), (p, g, a, b, c) => OptimizerKernels.Sgd<float>(p, g, a, 1e39, 0, 0, false, 0, false, false) },
        { "Sgd<float>(momentum: 0.9, dampening: 1e39)", () => new Sgd<float>(4, momentum: 0.9, dampening: 1e39), (p, g, a, b, c) => OptimizerKernels.Sgd<float>(p, g, a, 0.1, 0.9, 1e39, false, 0, false, false) },
        { "Sgd<float>(weightDecay: 1e39)", () => new Sgd<float>(4, weightDecay: 1e39), (p, g, a, b, c) => OptimizerKernels.Sgd<float>(p, g, a, 0.1, 0, 0, false, 1e39, false, false) },
        { "Sgdw<float>(momentum: 1e39)", () => new Sgdw<float>(4, momentum: 1e39), (p, g, a, b, c) => OptimizerKernels.Sgd<float>(p, g, a, 0.1, 1e39, 0, false, 0, true, false) },
        { "Adam<float>(epsilon: 1e-50)", () => new Adam<float>(4, epsilon: 1e-50), (p, g, a, b, c) => OptimizerKernels.Adam<float>(p, g, a, b, default, 1, 1e-3, 0.9, 0.999, 1e-50, 0, false) },
        { "AdamW<float>(epsilon: 1e39)", () => new AdamW<float>(4, epsilon: 1e39), (p, g, a, b, c) => OptimizerKernels.Adam<float>(p, g, a, b, default, 1, 1e-3, 0.9, 0.999, 1e39, 0, true) },
        { "Adam<float>(weightDecay: 1e39)", () => new Adam<float>(4, weightDecay: 1e39), (p, g, a, b, c) => OptimizerKernels.Adam<float>(p, g, a, b, default, 1, 1e-3, 0.9, 0.999, 1e-8, 1e39, false) },
        { "Adam<float>(learningRate: 1e38)", () => new Adam<float>(4, learningRate: 1e38), (p, g, a, b, c) => OptimizerKernels.Adam<float>(p, g, a, b, default, 1, 1e38, 0.9, 0.999, 1e-8, 0, false) },
        { "AdamW<float>(learningRate: 2e38, beta1: 0.5)", () => new AdamW<float>(4, learningRate: 2e38, beta1: 0.5, weightDecay: 0), (p, g, a, b, c) => OptimizerKernels.Adam<float>(p, g, a, b, default, 1, 2e38, 0.5, 0.999, 1e-8, 0, true) },
        { "RmsProp<float>(momentum: 1e39)", () => new RmsProp<float>(4, momentum: 1e39), (p, g, a, b, c) => OptimizerKernels.RmsProp<float>(p, g, a, default, b, 0.01, 0.99, 1e-8, 0, 1e39, false) },
        { "RmsProp<float>(epsilon: 1e-50)", () => new RmsProp<float>(4, epsilon: 1e-50), (p, g, a, b, c) => OptimizerKernels.RmsProp<float>(p, g, a, default, default, 0.01, 0.99, 1e-50, 0, 0, false) },
        { "RmsProp<float>(weightDecay: 1e39)", () => new RmsProp<float>(4, weightDecay: 1e39), (p, g, a, b, c) => OptimizerKernels.RmsProp<float>(p, g, a, default, default, 0.01, 0.99, 1e-8, 1e39, 0, false) },
        { "Sgd<double>(learningRate: -1)", () => new Sgd<double>(4, learningRate: -1), (p, g, a, b, c) => OptimizerKernels.Sgd<double>(new double[4], new double[4], default, -1, 0, 0, false, 0, false, false) },
        { "Adam<double>(epsilon: double.NaN)", () => new Adam<double>(4, epsilon: double.NaN), (p, g, a, b, c) => OptimizerKernels.Adam<double>(new double[4], new double[4], new double[4], new double[4], default, 1, 1e-3, 0.9, 0.999, double.NaN, 0, false) },
    };

    [Theory]
    [MemberData(nameof(SameMessages))]
    public void ConstructorsRefuseWhatTheKernelsRefuseWithTheSameMessage(string optimizer, Func<object> create, Kernel kernel)
    {
        var fromKernel = Assert.Throws<ArgumentOutOfRangeException>(() => kernel(new float[4], new float[4], new float[4], new float[4], new float[4]));
        var fromConstructor = Assert.Throws<ArgumentOutOfRangeException>(create);
        Assert.True(fromKernel.ParamName == fromConstructor.ParamName && fromKernel.Message == fromConstructor.Message,
            $"{optimizer}: the constructor says \"{fromConstructor.Message}\", the kernel \"{fromKernel.Message}\"");
    }

    [Fact]
    public void RatesSetLaterAreCheckedInT()
    {
        var sgd = new Sgd<float>(4);
        Assert.Contains("not finite in float", Assert.Throws<ArgumentOutOfRangeException>("value", () => sgd.LearningRate = 1e39).Message);
        Assert.Equal(1e-3, sgd.LearningRate);
        Assert.Throws<ArgumentOutOfRangeException>("groups[0].LearningRate", () => new Adam<float>(4, groups: [new(0, 4, LearningRate: 1e39)]));
        Assert.Throws<ArgumentOutOfRangeException>("groups[0].WeightDecay", () => new RmsProp<float>(4, groups: [new(0, 4, WeightDecay: 1e39)]));
        new AdamW<float>(4, groups: [new(0, 4, WeightDecay: 1e39)]); // decoupled: used only in 1 − γ·λ
        var rmsProp = new RmsProp<float>(4, momentum: 0.9);
        OptimizerState<float> good = rmsProp.SaveState();
        foreach ((string key, double value) in new[] { ("lr", 1e39), ("eps", 1e-50), ("momentum", 1e39) })
        {
            var bad = new Dictionary<string, double>(good.HyperParameters) { [key] = value };
            Assert.Throws<ArgumentOutOfRangeException>(key, () => rmsProp.LoadState(good with { HyperParameters = bad }));
        }
    }

    // Adam's step size γ / (1 − β1^t) is largest at the first step t the rate would be used, and a refused step does not
    // advance t: a rate whose first step size is not finite in T can never step, and is refused where it is given.
    // Before: Adam<float>(learningRate: 1e38) was built and every step refused. A rate that can step is not refused.
    [Fact]
    public void AdamRefusesWhereItIsGivenARateNoStepCouldUse()
    {
        // 3.4e37 / (1 − 0.9) = 3.4e38 is below float.MaxValue (3.40282e38); 3.5e38 is not.
        var adam = new Adam<float>(4, learningRate: 3.4e37);
        float[] p = [.. Start];
        adam.Step(p, Gradient);
        Assert.True(p.All(float.IsFinite));
        Assert.Equal(1, adam.StepCount);
        Assert.Throws<ArgumentOutOfRangeException>("learningRate", () => new Adam<float>(4, learningRate: 3.5e37));
        Assert.Throws<ArgumentOutOfRangeException>("learningRate", () => new AdamW<float>(4, learningRate: 3.5e37));
        var e = Assert.Throws<ArgumentOutOfRangeException>("groups[1].LearningRate", () => new Adam<float>(4, groups: [new(0, 2), new(2, 2, LearningRate: 3.5e37)]));
        Assert.StartsWith("the step size learningRate / (1 − beta1^t) = 3.5", e.Message);
        Assert.Contains("is not finite in float (groups[1].LearningRate = 3.5E+37).", e.Message);
        Assert.Equal(1e38, new Adam<double>(4, learningRate: 1e38).LearningRate);
        Assert.Equal(1e38, new Adam<float>(4, learningRate: 1e38, beta1: 0).LearningRate); // step size γ itself

        // Set later, a rate is checked at the next step: 6e37 / (1 − 0.9) is past float, 6e37 / (1 − 0.9²) = 3.2e38 is not.
        var fresh = new Adam<float>(4);
        Assert.Throws<ArgumentOutOfRangeException>("value", () => fresh.LearningRate = 6e37);
        Assert.Throws<ArgumentOutOfRangeException>("schedule", () => fresh.ApplySchedule(new ConstantSchedule(6e37), 0));
        Assert.Equal(1e-3, fresh.LearningRate);
        adam.LearningRate = 6e37;
        adam.Step(p, Gradient);
        Assert.Equal(2, adam.StepCount);
        adam.ApplySchedule(new ConstantSchedule(6e37), 2);
        Assert.Equal(6e37, adam.LearningRate);
        Assert.True(p.All(float.IsFinite));
    }

    // A group with a rate of its own follows a base rate set directly in proportion, γ_g = own · γ / γ⁰, so the setter's
    // promise (no rate the next step could not use) covers γ_g too. 1e-3 · 1e3 = 1 is the group's first rate: with
    // γ = 1e34, γ_g = 1e37 and its step size 1e37 / (1 − 0.9) = 1e38 fit in float; with γ = 1e35, γ_g = 1e38 fits but its
    // step size 1e39 does not. With SGD, γ = 1e36 makes γ_g = 1e39 itself past float.
    // Before: both setters accepted the rate and every later step was refused.
    [Fact]
    public void SettingTheBaseRateRefusesARateAGroupFollowingItCouldNotUse()
    {
        ParameterGroup[] groups = [new(0, 2), new(2, 2, LearningRate: 1)];
        var adam = new Adam<float>(4, learningRate: 1e-3, groups: groups);
        Assert.Throws<ArgumentOutOfRangeException>("value", () => adam.LearningRate = 1e35);
        Assert.Equal(1e-3, adam.LearningRate);
        adam.ApplySchedule(new ConstantSchedule(1e-3), 0);   // scheduled rates, then a base rate set: the groups follow it again
        Assert.Throws<ArgumentOutOfRangeException>("value", () => adam.LearningRate = 1e35);
        adam.LearningRate = 1e34;
        float[] p = [.. Start];
        adam.Step(p, Gradient);
        Assert.Equal(1, adam.StepCount);

        var sgd = new Sgd<float>(4, learningRate: 1e-3, groups: groups);
        Assert.Throws<ArgumentOutOfRangeException>("value", () => sgd.LearningRate = 1e36);
        Assert.Equal(1e-3, sgd.LearningRate);
        sgd.LearningRate = 1e35;
        sgd.Step([.. Start], Gradient);
        Assert.Equal(1, sgd.StepCount);
    }

    // The value refused for a group's sake is finite itself: the message must say which group's rate it makes, and what
    // the value was, rather than call the group's rate the value (SGD<float>, γ⁰ 1e-3, group 1's own rate 1, γ = 1e36:
    // γ_g = 1e39). The exception's ActualValue is γ_g, as documented. Before: "value = 1E+39 is not finite in float."
    [Fact]
    public void ARateRefusedForAGroupNamesTheGroupAndTheValueSet()
    {
        var sgd = new Sgd<float>(4, learningRate: 1e-3, groups: [new(0, 2), new(2, 2, LearningRate: 1)]);
        var e = Assert.Throws<ArgumentOutOfRangeException>("value", () => sgd.LearningRate = 1e36);
        Assert.Equal(1e39, (double)e.ActualValue!, 1e24);
        Assert.Contains("value = 1E+36", e.Message);
        Assert.Contains("group 1", e.Message);
        Assert.Contains("is not finite in float", e.Message);

        var adam = new Adam<float>(4, learningRate: 1e-3, groups: [new(0, 2), new(2, 2, LearningRate: 1)]);
        e = Assert.Throws<ArgumentOutOfRangeException>("value", () => adam.LearningRate = 1e35);
        Assert.Contains("value = 1E+35", e.Message);
        Assert.Contains("group 1", e.Message);
        Assert.Contains("the step size", e.Message);
    }

    // AdamW's λ is checked where it is used, in 1 − γ·λ, by the step: refused before anything changes.
    [Fact]
    public void DecoupledDecayIsCheckedByTheStepWithoutTakingIt()
    {
        var adamW = new AdamW<float>(4, learningRate: 1e20, weightDecay: 1e20);
        float[] p = [.. Start];
        var e = Assert.Throws<ArgumentOutOfRangeException>("weightDecay", () => adamW.Step(p, Gradient));
        Assert.Contains("1 − learningRate·weightDecay = -1E+40 is not finite in float", e.Message);
        Assert.Equal(0, adamW.StepCount);
        Assert.Equal(Start, p);
        adamW.LearningRate = 1e-21; // 1 − γ·λ = 0.9
        adamW.Step(p, new float[4]);
        Assert.Equal(1, adamW.StepCount);
        Assert.Equal(Start.Select(x => x * 0.9f), p);
    }

    /// <summary>Optimizers whose second group's step is refused while the first group's is not: a decoupled 1 − γ·λ past float.</summary>
    /// <remarks>The rates a step uses are refused where they are given (constructor, setter, schedule, LoadState), so a
    /// refused step is reached through what only the step computes. SGD's and RMSprop's group rates in proportion past
    /// float and Adam's step size past float were reached through LoadState before it checked them.</remarks>
    public static TheoryData<string, Func<Optimizer<float>>, Action<Optimizer<float>>> SecondGroupRefused => new()
    {
        { "Sgdw, 1 − γ·λ = 1 − 1e20·1e20 of the second group", () => new Sgdw<float>(4, learningRate: 1e-3, momentum: 0.9, groups: [new(0, 2, WeightDecay: 0), new(2, 2, WeightDecay: 1e20)]), o => o.LearningRate = 1e20 },
        { "AdamW, 1 − γ·λ = 1 − 1e20·1e20 of the second group", () => new AdamW<float>(4, learningRate: 1e-3, groups: [new(0, 2, WeightDecay: 0), new(2, 2, WeightDecay: 1e20)]), o => o.LearningRate = 1e20 },
    };

    // Before: the groups before the refused one kept that step's update (parameters and state), and a retry after
    // lowering the rate updated them a second time for the same step.
    [Theory]
    [MemberData(nameof(SecondGroupRefused))]
    public void AStepRefusedForOneGroupChangesNoGroup(string optimizer, Func<Optimizer<float>> create, Action<Optimizer<float>> change)
    {
        Optimizer<float> o = create();
        float[] p = [.. Start];
        o.Step(p, Gradient); // a first step, so that every state buffer holds values
        change(o);
        float[] before = [.. p];
        OptimizerState<float> state = o.SaveState();
        Assert.Throws<ArgumentOutOfRangeException>(() => o.Step(p, Gradient));
        Assert.True(before.SequenceEqual(p), $"{optimizer}: parameters changed by a refused step: [{string.Join(", ", before)}] -> [{string.Join(", ", p)}]");
        Assert.Equal(1, o.StepCount);
        OptimizerState<float> after = o.SaveState();
        foreach ((string name, float[] buffer) in state.Buffers)
            Assert.True(buffer.SequenceEqual(after.Buffers[name]), $"{optimizer}: state '{name}' changed by a refused step");
    }

    // Before: LoadState took a coupled λ the constructor refuses (not finite in float), and the first step threw.
    [Fact]
    public void LoadStateRefusesACoupledWeightDecayTheConstructorRefuses()
    {
        Optimizer<float>[] coupled = [new Sgd<float>(4), new Adam<float>(4), new RmsProp<float>(4), new Sgd<float>(4, groups: [new(0, 4, WeightDecay: 0)])];
        foreach (Optimizer<float> o in coupled)
        {
            OptimizerState<float> good = o.SaveState();
            string key = o.Groups[0].WeightDecay is null ? "weight_decay" : "group.0.weight_decay";
            var bad = new Dictionary<string, double>(good.HyperParameters) { [key] = 1e39 };
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => o.LoadState(good with { HyperParameters = bad }));
            Assert.Contains("1E+39 is not finite in float", e.Message);
            Assert.Equal(0, o.WeightDecay);
            o.Step([.. Start], Gradient);
        }
        // Decoupled, λ is used only in 1 − γ·λ: 1e39 with γ = 1e-40 loads, as the constructor takes it.
        var adamW = new AdamW<float>(4, learningRate: 1e-40);
        adamW.LoadState(adamW.SaveState() with { HyperParameters = new Dictionary<string, double>(adamW.SaveState().HyperParameters) { ["weight_decay"] = 1e39 } });
        Assert.Equal(1e39, adamW.WeightDecay);
    }

    // A loaded state sets the rates of the next step (t = its StepCount + 1) as the setter would: the base rate, and each
    // group's own rate followed in proportion (own · lr / initial_lr) or as a schedule left it (scheduled_lr). LoadState
    // refuses one no step could use (Adam's step size γ / (1 − β1^t) with the state's β1 at the state's t; a group's rate
    // not finite in T) as the setter refuses it, and changes nothing. Before: such a state loaded and its first step was
    // refused (unchanged); the rates that step could use were loaded, as they still are.
    [Fact]
    public void LoadStateRefusesARateNoStepCouldUseAndChangesNothing()
    {
        // 3.5e37 / (1 − 0.9) is past float at t = 1; at t = 2, 6e37 / (1 − 0.9²) = 3.2e38 is not, but 7e37 / 0.19 is.
        AssertLoadRefused(new Adam<float>(4), 0, new() { ["lr"] = 3.5e37 }, "lr", "the step size learningRate / (1 − beta1^t)");
        AssertLoadRefused(new AdamW<float>(4), 1, new() { ["lr"] = 7e37 }, "lr", "the step size learningRate / (1 − beta1^t)");
        AssertLoads(new Adam<float>(4), 1, new() { ["lr"] = 6e37 });
        // The state's β1 is the one its steps use: 1e38 / (1 − 0) fits, 1e38 / (1 − 0.9) does not, whatever this optimizer's β1.
        AssertLoads(new Adam<float>(4), 0, new() { ["lr"] = 1e38, ["beta1"] = 0 });
        AssertLoadRefused(new Adam<float>(4, beta1: 0), 0, new() { ["lr"] = 1e38, ["beta1"] = 0.9 }, "lr", "the step size");
        // Group 1's own 1e30 in proportion to lr 1e5 / initial_lr 1e-3: 1e38, whose step size is past float.
        ParameterGroup[] groups = [new(0, 2), new(2, 2, LearningRate: 1e30)];
        AssertLoadRefused(new Adam<float>(4, groups: groups), 0, new() { ["lr"] = 1e5 }, "group.1.lr", "group 1");
        AssertLoadRefused(new Adam<float>(4, groups: groups), 0, new() { ["group.1.scheduled_lr"] = 1e38 }, "group.1.scheduled_lr", "the step size");
        AssertLoads(new Adam<float>(4, groups: groups), 0, new() { ["lr"] = 1e-3, ["group.1.scheduled_lr"] = 3e37 });
        // SGD and RMSprop have no step size, but a group's rate in proportion must be finite in T: 1e30 · 1e10 / 1e-3.
        AssertLoadRefused(new Sgd<float>(4, groups: groups), 0, new() { ["lr"] = 1e10 }, "group.1.lr", "is not finite in float");
        AssertLoadRefused(new RmsProp<float>(4, groups: groups), 0, new() { ["lr"] = 1e10 }, "group.1.lr", "is not finite in float");
        AssertLoads(new Sgd<float>(4, groups: groups), 0, new() { ["lr"] = 1e5 });
    }

    // The optimizer's own state with these values changed (and stepCount), loaded into it: refused, naming key and reason,
    // the optimizer as it was (rates, β1, steps, buffers), and a step still possible.
    private static void AssertLoadRefused(Optimizer<float> o, long stepCount, Dictionary<string, double> changes, string key, string reason)
    {
        o.Step([.. Start], Gradient);
        OptimizerState<float> before = o.SaveState();
        var e = Assert.Throws<ArgumentOutOfRangeException>(key, () => o.LoadState(Changed(before, stepCount, changes)));
        Assert.Contains(reason, e.Message);
        OptimizerState<float> after = o.SaveState();
        Assert.Equal(before.StepCount, after.StepCount);
        Assert.Equal(before.HyperParameters.OrderBy(v => v.Key), after.HyperParameters.OrderBy(v => v.Key));
        foreach ((string name, float[] buffer) in before.Buffers)
            Assert.Equal(buffer, after.Buffers[name]);
        o.Step([.. Start], Gradient);
    }

    // As above, but the state loads and its next step runs, finite.
    private static void AssertLoads(Optimizer<float> o, long stepCount, Dictionary<string, double> changes)
    {
        o.LoadState(Changed(o.SaveState(), stepCount, changes));
        float[] p = [.. Start];
        o.Step(p, Gradient);
        Assert.Equal(stepCount + 1, o.StepCount);
        Assert.True(p.All(float.IsFinite));
    }

    private static OptimizerState<float> Changed(OptimizerState<float> state, long stepCount, Dictionary<string, double> changes)
    {
        var values = new Dictionary<string, double>(state.HyperParameters);
        foreach ((string key, double value) in changes)
            values[key] = value;
        return state with { StepCount = stepCount, HyperParameters = values };
    }
}
