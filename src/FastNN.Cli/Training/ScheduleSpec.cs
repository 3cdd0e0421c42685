using System.Globalization;
using System.Numerics;
using FastNN.Schedules;

namespace FastNN.Cli.Training;

/// <summary>
/// A learning-rate schedule as written on the command line: <c>constant</c>, <c>inverse-time:D</c>, <c>step:N:G</c>,
/// <c>exponential:G</c> or <c>cosine</c>, counted in epochs.
/// </summary>
internal sealed record ScheduleSpec(string Kind, double Decay = 0, int StepSize = 0, double Gamma = 0)
{
    public const string Syntax = "constant, inverse-time:D, step:N:G, exponential:G or cosine";

    public static ScheduleSpec Constant { get; } = new("constant");

    /// <summary>Parses <paramref name="text"/>; throws <see cref="UsageException"/> naming the option.</summary>
    public static ScheduleSpec Parse(string text)
    {
        string[] parts = text.Split(':');
        ScheduleSpec? spec = (parts[0], parts.Length) switch
        {
            ("constant", 1) => Constant,
            ("cosine", 1) => new ScheduleSpec("cosine"),
            ("inverse-time", 2) when Positive(parts[1], out double d) => new ScheduleSpec("inverse-time", Decay: d),
            ("exponential", 2) when Positive(parts[1], out double g) => new ScheduleSpec("exponential", Gamma: g),
            ("step", 3) when int.TryParse(parts[1], CultureInfo.InvariantCulture, out int n) && n > 0 && Positive(parts[2], out double g)
                => new ScheduleSpec("step", StepSize: n, Gamma: g),
            _ => null,
        };
        return spec ?? throw new UsageException($"--schedule: '{text}' is not a schedule; expected {Syntax} (D and G positive numbers, N a positive integer).");
    }

    // The schedule over the epochs from the learning rate, after the warm-up epochs; null when constant without warm-up.
    private ILearningRateSchedule? Build(double learningRate, int epochs, int warmup)
    {
        ILearningRateSchedule schedule = Kind switch
        {
            "inverse-time" => new InverseTimeSchedule(learningRate, Decay),
            "step" => new StepSchedule(learningRate, StepSize, Gamma),
            "exponential" => new ExponentialSchedule(learningRate, Gamma),
            "cosine" => new CosineAnnealingSchedule(learningRate, Math.Max(1, epochs - warmup)),
            _ => new ConstantSchedule(learningRate),
        };
        if (warmup > 0)
            return new WarmupSchedule(schedule, warmup);
        return Kind == "constant" ? null : schedule;
    }

    /// <summary>
    /// The schedule over <paramref name="epochs"/> epochs from <paramref name="learningRate"/>, after <paramref name="warmup"/>
    /// epochs of warm-up, for a model in <typeparamref name="T"/>; null when constant without warm-up. Its rates, and AdamW's
    /// decay factor 1 − rate·<paramref name="decoupledDecay"/> (0 for the other optimizers), are checked before any epoch
    /// trains: the optimizer would refuse one past <typeparamref name="T"/>'s range only in the epoch that gives it.
    /// </summary>
    /// <exception cref="UsageException">The rate of one of the <paramref name="epochs"/>, or its decay factor, is not finite in <typeparamref name="T"/>.</exception>
    public ILearningRateSchedule? Create<T>(double learningRate, int epochs, int warmup, double decoupledDecay) where T : IFloatingPointIeee754<T>
    {
        ILearningRateSchedule? schedule = Build(learningRate, epochs, warmup);
        // Only a gamma above 1 raises the rate above the base one (the optimizer's own check), and the warm-up ramps up to it.
        for (int epoch = 0; schedule is not null && Gamma > 1 && epoch < epochs; epoch++)
        {
            double rate = schedule.LearningRate(epoch);
            string subject = string.Create(CultureInfo.InvariantCulture, $"the learning rate it gives in epoch {epoch + 1}, {rate},");
            if (OptimizerFactory.RateProblem<T>(subject, rate, decoupledDecay) is { } problem)
                throw new UsageException($"--schedule {this}: {problem}");
        }
        return schedule;
    }

    /// <summary>The form it was written in.</summary>
    public override string ToString() => Kind switch
    {
        "inverse-time" => string.Create(CultureInfo.InvariantCulture, $"inverse-time:{Decay}"),
        "step" => string.Create(CultureInfo.InvariantCulture, $"step:{StepSize}:{Gamma}"),
        "exponential" => string.Create(CultureInfo.InvariantCulture, $"exponential:{Gamma}"),
        _ => Kind,
    };

    private static bool Positive(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value > 0 && double.IsFinite(value);
}
