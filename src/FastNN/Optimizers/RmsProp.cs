using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Optimizers;

/// <summary>RMSprop (Hinton, 2012), as torch.optim.RMSprop: ε after the square root, optional momentum and centering.</summary>
/// <remarks><para>Each <see cref="Optimizer{T}.Step"/>, for every parameter θ with gradient g:</para><code>
/// g ← g + λ·θ                                 (λ ≠ 0: coupled weight decay)
/// v ← α·v + (1 − α)·g²
/// ḡ ← α·ḡ + (1 − α)·g,    a ← √(v − ḡ²) + ε   (centered; v − ḡ² taken as at least 0, see below)
///                         a ← √v + ε          (otherwise)
/// b ← μ·b + g/a,          θ ← θ − γ·b         (μ &gt; 0)
///                         θ ← θ − γ·g/a       (otherwise)
/// </code><para>Defaults: γ = 1e-2, α = 0.99, ε = 1e-8, λ = 0, μ = 0, not centered. State: <c>square_avg</c>,
/// <c>momentum_buffer</c> (μ &gt; 0), <c>grad_avg</c> (centered), all starting at zero.</para>
/// <para>State values below the smallest normal number are stored as zero (see <see cref="Optimizer{T}"/>). Centered,
/// v − ḡ² is then taken as at least 0: ḡ still averages gradients whose squares that rule drops from v (|g| ≈ 1e-18 in
/// float), which would leave v − ḡ² below zero, and θ NaN, where PyTorch's is not.</para>
/// <para>Thread safety: not thread-safe: a step updates the parameters and the optimizer's state in place; one thread
/// at a time (a step may itself split its work across FastNN's worker threads).</para></remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class RmsProp<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Memory<T> _squareAverage, _gradientAverage, _momentumBuffer;
    private double _alpha, _epsilon, _momentum;
    private readonly bool _centered;

    /// <summary>Creates RMSprop over a buffer of <paramref name="parameterCount"/> parameters.</summary>
    /// <param name="parameterCount">Length of the parameter and gradient buffers.</param>
    /// <param name="learningRate">γ, the learning rate (default: 1e-2).</param>
    /// <param name="alpha">α, the smoothing constant of the square average (default: 0.99).</param>
    /// <param name="epsilon">ε, added to the denominator after the square root for numerical stability (default: 1e-8). 0 is
    /// allowed, as in PyTorch, but then θ becomes NaN (g / a = 0/0) wherever every gradient so far has been 0; below 2e-11 in float (at
    /// α = 0.99) no state is flushed to zero (see <see cref="Optimizer{T}"/>).</param>
    /// <param name="weightDecay">λ, coupled weight decay (L2 term in the gradient) (default: 0).</param>
    /// <param name="momentum">μ, the momentum factor (default: 0).</param>
    /// <param name="centered">Whether to normalize by the estimated variance v − ḡ² (default: false).</param>
    /// <param name="groups">Parameter groups with their own γ and λ; null: one group over the whole buffer (see <see cref="ParameterGroup.DecayWeightsOnly"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range, infinite or NaN (α must be in [0, 1)); γ, ε, λ or μ is not finite in <typeparamref name="T"/>; or ε is positive but rounds to 0 there.</exception>
    /// <exception cref="ArgumentException">A bad group.</exception>
    public RmsProp(int parameterCount, double learningRate = 1e-2, double alpha = 0.99, double epsilon = 1e-8,
        double weightDecay = 0, double momentum = 0, bool centered = false, IReadOnlyList<ParameterGroup>? groups = null)
        : base(parameterCount, groups, learningRate, weightDecay)
    {
        _alpha = OptimizerArguments.Beta(alpha, nameof(alpha));
        _epsilon = OptimizerArguments.EpsilonIn<T>(epsilon, nameof(epsilon));
        _momentum = OptimizerArguments.NonNegativeIn<T>(momentum, nameof(momentum));
        CheckCoupledWeightDecay();
        _centered = centered;
        _squareAverage = CreateBuffer("square_avg", nonNegative: true);
        _momentumBuffer = momentum > 0 ? CreateBuffer("momentum_buffer") : Memory<T>.Empty;
        _gradientAverage = centered ? CreateBuffer("grad_avg") : Memory<T>.Empty;
    }

    /// <inheritdoc/>
    public override string Algorithm => "RMSprop";

    /// <summary>α, the smoothing constant.</summary>
    public double Alpha => _alpha;

    /// <summary>ε, added after the square root.</summary>
    public double Epsilon => _epsilon;

    /// <summary>μ, the momentum factor.</summary>
    public double Momentum => _momentum;

    /// <summary>Whether the update is normalized by the estimated variance.</summary>
    public bool Centered => _centered;

    /// <inheritdoc/>
    protected override void Update(Span<T> parameters, ReadOnlySpan<T> gradients, int offset, long step,
        double learningRate, double weightDecay)
    {
        int n = parameters.Length;
        OptimizerKernels.RmsProp(parameters, gradients, _squareAverage.Span.Slice(offset, n),
            _centered ? _gradientAverage.Span.Slice(offset, n) : default,
            _momentum > 0 ? _momentumBuffer.Span.Slice(offset, n) : default,
            learningRate, _alpha, _epsilon, weightDecay, _momentum, _centered);
    }

    /// <inheritdoc/>
    private protected override bool CouplesWeightDecay => true;

    /// <inheritdoc/>
    private protected override void CheckUpdate(long step, double learningRate, double weightDecay) =>
        OptimizerKernels.RmsProp<T>([], [], [], [], [], learningRate, _alpha, _epsilon, weightDecay, _momentum, _centered);

    /// <inheritdoc/>
    protected override void SaveHyperParameters(IDictionary<string, double> values)
    {
        values["alpha"] = _alpha;
        values["eps"] = _epsilon;
        values["momentum"] = _momentum;
        values["centered"] = _centered ? 1 : 0;
    }

    /// <inheritdoc/>
    protected override void LoadHyperParameters(IReadOnlyDictionary<string, double> values)
    {
        double alpha = OptimizerArguments.Beta(OptimizerArguments.Read(values, "alpha"), "alpha");
        double epsilon = OptimizerArguments.EpsilonIn<T>(OptimizerArguments.Read(values, "eps"), "eps");
        double momentum = OptimizerArguments.NonNegativeIn<T>(OptimizerArguments.Read(values, "momentum"), "momentum");
        if ((momentum > 0) != (_momentum > 0) || OptimizerArguments.ReadFlag(values, "centered") != _centered)
            throw new ArgumentException("The state's momentum and centering do not need the same buffers as this optimizer's.", "state");
        (_alpha, _epsilon, _momentum) = (alpha, epsilon, momentum);
    }
}
