using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Optimizers;

/// <summary>Adam (Kingma &amp; Ba, 2015) with coupled weight decay (an L2 term in the gradient), as torch.optim.Adam.</summary>
/// <remarks><para>Each <see cref="Optimizer{T}.Step"/>, for t = 1, 2, … and every parameter θ with gradient g:</para><code>
/// g ← g + λ·θ                              (λ ≠ 0: coupled weight decay)
/// m ← β1·m + (1 − β1)·g                    v ← β2·v + (1 − β2)·g²
/// v̂max ← max(v̂max, v)                      (AMSGrad: the maximum of the raw v, as PyTorch's code does)
/// d ← √v / √(1 − β2^t) + ε                 (√v̂max in place of √v with AMSGrad)
/// θ ← θ − (γ / (1 − β1^t))·m / d
/// </code><para>Defaults: γ = 1e-3, (β1, β2) = (0.9, 0.999), ε = 1e-8, λ = 0, AMSGrad off. State: <c>exp_avg</c> (m),
/// <c>exp_avg_sq</c> (v), <c>max_exp_avg_sq</c> (AMSGrad), all starting at zero. Because the decay passes through m
/// and v, a weight with a large gradient history is decayed less; <see cref="AdamW{T}"/> decays every weight alike.</para>
/// <para>State values below the smallest normal number are stored as zero (see <see cref="Optimizer{T}"/>).</para>
/// <para>Thread safety: not thread-safe: a step updates the parameters and the optimizer's state in place; one thread
/// at a time (a step may itself split its work across FastNN's worker threads).</para></remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public class Adam<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Memory<T> _firstMoment, _secondMoment, _maxSecondMoment;
    private double _beta1, _beta2, _epsilon;
    private readonly bool _amsGrad;
    private readonly bool _decoupled;

    /// <summary>Creates Adam over a buffer of <paramref name="parameterCount"/> parameters.</summary>
    /// <param name="parameterCount">Length of the parameter and gradient buffers.</param>
    /// <param name="learningRate">γ, the learning rate (default: 1e-3).</param>
    /// <param name="beta1">β1, the decay of the gradient average (default: 0.9).</param>
    /// <param name="beta2">β2, the decay of the squared-gradient average (default: 0.999).</param>
    /// <param name="epsilon">ε, added to the denominator for numerical stability (default: 1e-8). 0 is allowed, as in
    /// PyTorch, but then θ becomes NaN (m / d = 0/0) wherever every gradient so far has been 0; below 6e-11 in float (at
    /// β2 = 0.999) no state is flushed to zero (see <see cref="Optimizer{T}"/>).</param>
    /// <param name="weightDecay">λ, weight decay (L2 penalty) added to the gradient (default: 0).</param>
    /// <param name="amsGrad">Whether to use the AMSGrad variant (default: false).</param>
    /// <param name="groups">Parameter groups with their own γ and λ; null: one group over the whole buffer (see <see cref="ParameterGroup.DecayWeightsOnly"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">γ, ε or λ is negative, infinite or NaN; a β is outside [0, 1); γ, ε or λ is not finite in <typeparamref name="T"/>; ε is positive but rounds to 0 there; or the first step size γ / (1 − β1) of γ or a group's rate is not finite in <typeparamref name="T"/>, so that no step could be taken.</exception>
    /// <exception cref="ArgumentException">A bad group.</exception>
    public Adam(int parameterCount, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0, bool amsGrad = false, IReadOnlyList<ParameterGroup>? groups = null)
        : this(parameterCount, learningRate, beta1, beta2, epsilon, weightDecay, amsGrad, groups, decoupled: false)
    {
    }

    /// <summary>The shared constructor of Adam and AdamW.</summary>
    private protected Adam(int parameterCount, double learningRate, double beta1, double beta2, double epsilon,
        double weightDecay, bool amsGrad, IReadOnlyList<ParameterGroup>? groups, bool decoupled)
        : base(parameterCount, groups, learningRate, weightDecay)
    {
        _beta1 = OptimizerArguments.Beta(beta1, nameof(beta1));
        _beta2 = OptimizerArguments.Beta(beta2, nameof(beta2));
        _epsilon = OptimizerArguments.EpsilonIn<T>(epsilon, nameof(epsilon));
        _amsGrad = amsGrad;
        _decoupled = decoupled;
        CheckCoupledWeightDecay();
        CheckLearningRates();
        _firstMoment = CreateBuffer("exp_avg");
        _secondMoment = CreateBuffer("exp_avg_sq", nonNegative: true);
        _maxSecondMoment = amsGrad ? CreateBuffer("max_exp_avg_sq", nonNegative: true) : Memory<T>.Empty;
    }

    /// <inheritdoc/>
    public override string Algorithm => "Adam";

    /// <summary>β1, the decay of the gradient average.</summary>
    public double Beta1 => _beta1;

    /// <summary>β2, the decay of the squared-gradient average.</summary>
    public double Beta2 => _beta2;

    /// <summary>ε, added to the denominator.</summary>
    public double Epsilon => _epsilon;

    /// <summary>Whether the AMSGrad variant is on.</summary>
    public bool AmsGrad => _amsGrad;

    /// <inheritdoc/>
    protected override void Update(Span<T> parameters, ReadOnlySpan<T> gradients, int offset, long step,
        double learningRate, double weightDecay)
    {
        int n = parameters.Length;
        OptimizerKernels.Adam(parameters, gradients, _firstMoment.Span.Slice(offset, n), _secondMoment.Span.Slice(offset, n),
            _amsGrad ? _maxSecondMoment.Span.Slice(offset, n) : default,
            step, learningRate, _beta1, _beta2, _epsilon, weightDecay, _decoupled);
    }

    /// <inheritdoc/>
    private protected override bool CouplesWeightDecay => !_decoupled;

    /// <inheritdoc/>
    private protected override void CheckUpdate(long step, double learningRate, double weightDecay) =>
        OptimizerKernels.Adam<T>([], [], [], [], [], step, learningRate, _beta1, _beta2, _epsilon, weightDecay, _decoupled);

    /// <inheritdoc/>
    private protected override void CheckLearningRate(double learningRate, long step, string name) =>
        OptimizerArguments.FiniteIn<T>(learningRate / (1 - Math.Pow(_beta1, step)), name, learningRate, "the step size learningRate / (1 − beta1^t)");

    /// <inheritdoc/>
    protected override void SaveHyperParameters(IDictionary<string, double> values)
    {
        values["beta1"] = _beta1;
        values["beta2"] = _beta2;
        values["eps"] = _epsilon;
        values["amsgrad"] = _amsGrad ? 1 : 0;
    }

    /// <inheritdoc/>
    protected override void LoadHyperParameters(IReadOnlyDictionary<string, double> values)
    {
        double beta1 = OptimizerArguments.Beta(OptimizerArguments.Read(values, "beta1"), "beta1");
        double beta2 = OptimizerArguments.Beta(OptimizerArguments.Read(values, "beta2"), "beta2");
        double epsilon = OptimizerArguments.EpsilonIn<T>(OptimizerArguments.Read(values, "eps"), "eps");
        if (OptimizerArguments.ReadFlag(values, "amsgrad") != _amsGrad)
            throw new ArgumentException($"The state's amsgrad setting differs from this optimizer's ({_amsGrad}).", "state");
        (_beta1, _beta2, _epsilon) = (beta1, beta2, epsilon);
    }
}
