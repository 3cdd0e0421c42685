using FastNN.Optimizers;
using FastNN.Schedules;

namespace FastNN.Tests.Optimizers;

/// <summary>
/// A state whose hyper-parameters hold a name the optimizer's SaveState never writes (a misspelt or damaged key of a
/// checkpoint's record, or of a dictionary a user built) is refused naming that name, and changes nothing. Before,
/// LoadState read the names it knew and passed over the rest: a damaged <c>group.0.lr</c>, <c>group.0.weight_decay</c>
/// or <c>group.0.scheduled_lr</c> left that group on the base rate or decay, and the resumed run differed from the saved one.
/// </summary>
public class HyperParameterNameTests
{
    private const int N = 12;

    // Groups with their own rate and decay, one without, and a fourth element in no group.
    private static readonly ParameterGroup[] Groups = [new(0, 4, LearningRate: 0.02, WeightDecay: 0.001), new(4, 3), new(7, 4, LearningRate: 0.005)];

    public static TheoryData<string> Algorithms => ["SGD", "SGDW", "RMSprop", "Adam", "AdamW"];

    private static Optimizer<double> Create(string algorithm) => algorithm switch
    {
        "SGD" => new Sgd<double>(N, 0.05, momentum: 0.9, weightDecay: 0.01, groups: Groups),
        "SGDW" => new Sgdw<double>(N, 0.05, momentum: 0.9, groups: Groups),
        "RMSprop" => new RmsProp<double>(N, 0.01, momentum: 0.5, centered: true, groups: Groups),
        "Adam" => new Adam<double>(N, 0.01, weightDecay: 0.01, amsGrad: true, groups: Groups),
        "AdamW" => new AdamW<double>(N, 0.01, groups: Groups),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>Names no build writes, made from <paramref name="key"/> as damage or a typo would: its last letter changed; for a group's key its index moved past the groups, and written with a leading zero.</summary>
    private static IEnumerable<string> Misspelt(string key)
    {
        yield return key[..^1] + (key[^1] == 'x' ? 'y' : 'x');
        string[] parts = key.Split('.');
        if (parts is ["group", _, _])
        {
            yield return $"group.{Groups.Length}.{parts[2]}";
            yield return $"group.0{parts[1]}.{parts[2]}";
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void AStateWithANameSaveStateNeverWritesIsRefusedNamingItAndChangesNothing(string algorithm)
    {
        Optimizer<double> original = Create(algorithm);
        double[] p = [.. Enumerable.Range(0, N).Select(i => 0.1 * i - 0.5)];
        foreach (double[] g in TestData.Gradients(3, 4, N))
            original.Step(p, g);
        original.ApplySchedule(new CosineAnnealingSchedule(0.05, 6, minLearningRate: 0.001), 3);
        OptimizerState<double> saved = original.SaveState();
        Assert.Contains("group.0.scheduled_lr", saved.HyperParameters.Keys);
        Assert.Contains("group.0.weight_decay", saved.HyperParameters.Keys);

        Optimizer<double> target = Create(algorithm);
        OptimizerState<double> before = target.SaveState();
        foreach (string key in saved.HyperParameters.Keys)
        {
            foreach (string name in Misspelt(key))
            {
                var renamed = new Dictionary<string, double>(saved.HyperParameters);
                renamed.Remove(key);
                renamed[name] = saved.HyperParameters[key];
                var e = Assert.Throws<ArgumentException>("state", () => target.LoadState(saved with { HyperParameters = renamed }));
                Assert.True(e.Message.Contains($"'{name}'", StringComparison.Ordinal), $"{key} renamed {name}: {e.Message}");
                AssertSameState(before, target.SaveState(), $"{key} renamed {name}");
            }
        }
        // The state as saved loads.
        target.LoadState(saved);
        AssertSameState(saved, target.SaveState(), "the saved state");
    }

    /// <summary>A state of more groups than the optimizer's is refused for its group count, as before names were checked:
    /// its extra groups' keys were named as a misspelt or damaged name.</summary>
    [Fact]
    public void AStateOfMoreGroupsIsRefusedForItsGroupCount()
    {
        OptimizerState<double> saved = Create("Adam").SaveState();
        var target = new Adam<double>(N, 0.01, weightDecay: 0.01, amsGrad: true, groups: Groups[..2]);
        var e = Assert.Throws<ArgumentException>("state", () => target.LoadState(saved));
        Assert.StartsWith("The state has 3 parameter groups; this optimizer has 2.", e.Message, StringComparison.Ordinal);
    }

    private static void AssertSameState(OptimizerState<double> expected, OptimizerState<double> actual, string what)
    {
        Assert.True(expected.StepCount == actual.StepCount, $"{what}: step count {actual.StepCount}, not {expected.StepCount}");
        Assert.True(expected.HyperParameters.Count == actual.HyperParameters.Count
            && expected.HyperParameters.All(kv => actual.HyperParameters.TryGetValue(kv.Key, out double v) && v.Equals(kv.Value)),
            $"{what}: hyper-parameters changed");
        foreach ((string name, double[] buffer) in expected.Buffers)
            Assert.True(buffer.AsSpan().SequenceEqual(actual.Buffers[name]), $"{what}: buffer {name} changed");
    }
}
