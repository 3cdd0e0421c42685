using FastNN.Optimizers;
using FastNN.Schedules;

namespace FastNN.Tests.Optimizers;

/// <summary>
/// An optimizer written outside FastNN as the docs describe (a buffer from CreateBuffer, its own hyper-parameters in
/// SaveHyperParameters and LoadHyperParameters) loads the state its own SaveState wrote, whatever its groups and schedule.
/// </summary>
public class UserOptimizerStateTests
{
    /// <summary>θ ← θ − γ·v, v ← β·v + g (heavy ball), with a per-group β saved under group.i.beta.</summary>
    private sealed class HeavyBall : Optimizer<double>
    {
        private readonly Memory<double> _velocity;
        private double _beta;

        public HeavyBall(int count, IReadOnlyList<ParameterGroup>? groups, double learningRate, double beta)
            : base(count, groups, learningRate, 0)
        {
            _beta = beta;
            _velocity = CreateBuffer("velocity");
        }

        public override string Algorithm => "HeavyBall";

        protected override void Update(Span<double> parameters, ReadOnlySpan<double> gradients, int offset, long step, double learningRate, double weightDecay)
        {
            Span<double> v = _velocity.Span.Slice(offset, parameters.Length);
            for (int i = 0; i < parameters.Length; i++)
            {
                v[i] = _beta * v[i] + gradients[i];
                parameters[i] -= learningRate * v[i];
            }
        }

        protected override void SaveHyperParameters(IDictionary<string, double> values)
        {
            values["beta"] = _beta;
            for (int i = 0; i < Groups.Count; i++)
                values[$"group.{i}.beta"] = _beta;
        }

        protected override void LoadHyperParameters(IReadOnlyDictionary<string, double> values) => _beta = values["beta"];
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ItsOwnStateLoadsAndTheRunResumesIdentically(bool scheduled)
    {
        ParameterGroup[] groups = [new(0, 2, LearningRate: 0.5), new(2, 3)];
        var first = new HeavyBall(5, groups, 0.1, 0.9);
        double[] parameters = [1, -2, 3, 0.5, -1], gradients = [0.3, -0.1, 0.2, 1, -0.4];
        var schedule = new CosineAnnealingSchedule(0.1, 10);
        for (int t = 0; t < 3; t++)
        {
            if (scheduled)
                first.ApplySchedule(schedule, t);
            first.Step(parameters, gradients);
        }
        OptimizerState<double> state = first.SaveState();

        var second = new HeavyBall(5, groups, 0.1, 0.2);
        second.LoadState(state);
        double[] resumed = (double[])parameters.Clone();
        first.Step(parameters, gradients);
        second.Step(resumed, gradients);
        Assert.Equal(parameters, resumed);
    }
}
