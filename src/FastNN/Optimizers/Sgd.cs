using System.Globalization;
using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Optimizers;

/// <summary>Stochastic gradient descent with momentum, Nesterov momentum and coupled weight decay, as torch.optim.SGD.</summary>
/// <remarks><para>Each <see cref="Optimizer{T}.Step"/>, for t = 1, 2, … and every parameter θ with gradient g:</para><code>
/// g ← g + λ·θ                                 (λ ≠ 0: coupled weight decay, an L2 term in the gradient)
/// b ← g                      (t = 1)          (μ ≠ 0: momentum buffer)
/// b ← μ·b + (1 − τ)·g        (t &gt; 1)
/// g ← g + μ·b  (Nesterov),   g ← b  (otherwise)
/// θ ← θ − γ·g
/// </code><para>Defaults: γ = 1e-3 (PyTorch 1.13 requires it; 2.x defaults to 1e-3), μ = 0, τ = 0, Nesterov off, λ = 0.
/// State: <c>momentum_buffer</c> (when μ ≠ 0).</para>
/// <para>State values below the smallest normal number are stored as zero (see <see cref="Optimizer{T}"/>).</para>
/// <para>Thread safety: not thread-safe: a step updates the parameters and the optimizer's state in place; one thread
/// at a time (a step may itself split its work across FastNN's worker threads).</para></remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public class Sgd<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Memory<T> _momentumBuffer;
    private double _momentum;
    private double _dampening;
    private bool _nesterov;
    private readonly bool _decoupled;

    /// <summary>Creates SGD over a buffer of <paramref name="parameterCount"/> parameters.</summary>
    /// <param name="parameterCount">Length of the parameter and gradient buffers.</param>
    /// <param name="learningRate">γ, the learning rate (default: 1e-3).</param>
    /// <param name="momentum">μ, the momentum factor (default: 0).</param>
    /// <param name="dampening">τ, the dampening of the gradient in the momentum buffer (default: 0).</param>
    /// <param name="nesterov">Whether to use Nesterov momentum (default: false); needs μ &gt; 0 and τ = 0.</param>
    /// <param name="weightDecay">λ, coupled weight decay: the L2 term added to the gradient (default: 0).</param>
    /// <param name="groups">Parameter groups with their own γ and λ; null: one group over the whole buffer (see <see cref="ParameterGroup.DecayWeightsOnly"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is negative, infinite or NaN, or γ, μ, 1 − τ (with momentum) or λ is not finite in <typeparamref name="T"/>.</exception>
    /// <exception cref="ArgumentException">Nesterov without momentum or with dampening, or a bad group.</exception>
    public Sgd(int parameterCount, double learningRate = 1e-3, double momentum = 0, double dampening = 0,
        bool nesterov = false, double weightDecay = 0, IReadOnlyList<ParameterGroup>? groups = null)
        : this(parameterCount, learningRate, momentum, dampening, nesterov, weightDecay, groups, decoupled: false)
    {
    }

    /// <summary>The shared constructor of SGD and SGDW.</summary>
    private protected Sgd(int parameterCount, double learningRate, double momentum, double dampening,
        bool nesterov, double weightDecay, IReadOnlyList<ParameterGroup>? groups, bool decoupled)
        : base(parameterCount, groups, learningRate, weightDecay)
    {
        (_momentum, _dampening, _nesterov) = CheckMomentum(momentum, dampening, nesterov, nameof(momentum), nameof(dampening), nameof(nesterov));
        _decoupled = decoupled;
        CheckCoupledWeightDecay();
        _momentumBuffer = momentum != 0 ? CreateBuffer("momentum_buffer") : Memory<T>.Empty;
    }

    /// <inheritdoc/>
    public override string Algorithm => "SGD";

    /// <summary>μ, the momentum factor.</summary>
    public double Momentum => _momentum;

    /// <summary>τ, the dampening of the gradient in the momentum buffer.</summary>
    public double Dampening => _dampening;

    /// <summary>Whether Nesterov momentum is on.</summary>
    public bool Nesterov => _nesterov;

    /// <inheritdoc/>
    protected override void Update(Span<T> parameters, ReadOnlySpan<T> gradients, int offset, long step,
        double learningRate, double weightDecay)
    {
        Span<T> buffer = _momentum != 0 ? _momentumBuffer.Span.Slice(offset, parameters.Length) : default;
        OptimizerKernels.Sgd(parameters, gradients, buffer, learningRate, _momentum, _dampening, _nesterov,
            weightDecay, _decoupled, firstStep: step == 1);
    }

    /// <inheritdoc/>
    private protected override bool CouplesWeightDecay => !_decoupled;

    /// <inheritdoc/>
    private protected override void CheckUpdate(long step, double learningRate, double weightDecay) =>
        OptimizerKernels.Sgd<T>([], [], [], learningRate, _momentum, _dampening, _nesterov, weightDecay, _decoupled, firstStep: step == 1);

    /// <inheritdoc/>
    protected override void SaveHyperParameters(IDictionary<string, double> values)
    {
        values["momentum"] = _momentum;
        values["dampening"] = _dampening;
        values["nesterov"] = _nesterov ? 1 : 0;
    }

    /// <inheritdoc/>
    protected override void LoadHyperParameters(IReadOnlyDictionary<string, double> values)
    {
        double momentum = OptimizerArguments.Read(values, "momentum");
        if ((momentum != 0) != (_momentum != 0))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The state's momentum {momentum} and this optimizer's {_momentum} differ in whether a momentum buffer exists."), "state");
        (_momentum, _dampening, _nesterov) = CheckMomentum(momentum, OptimizerArguments.Read(values, "dampening"),
            OptimizerArguments.ReadFlag(values, "nesterov"), "momentum", "dampening", "nesterov");
    }

    private static (double, double, bool) CheckMomentum(double momentum, double dampening, bool nesterov,
        string momentumName, string dampeningName, string nesterovName)
    {
        OptimizerArguments.NonNegativeIn<T>(momentum, momentumName);
        OptimizerArguments.NonNegative(dampening, dampeningName);
        if (momentum != 0)
            OptimizerArguments.FiniteIn<T>(1 - dampening, dampeningName, dampening, "1 − dampening");
        OptimizerKernels.CheckNesterov(momentum, dampening, nesterov, nesterovName);
        return (momentum, dampening, nesterov);
    }
}
