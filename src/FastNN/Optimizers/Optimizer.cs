using System.Globalization;
using System.Numerics;
using FastNN.Intrinsics;
using FastNN.Schedules;

namespace FastNN.Optimizers;

/// <summary>
/// A first-order optimizer over a model's flat parameter and gradient buffers: each <see cref="Step"/> updates every
/// parameter group in place with one fused pass over parameters, gradients and state.
/// </summary>
/// <remarks>
/// <para>State buffers are allocated once, in the constructor, with the parameter buffer's layout (large ones on
/// transparent huge pages where Linux grants them: <see cref="HugePages"/>); <see cref="Step"/> allocates nothing. The step count is shared by all groups (PyTorch keeps one per tensor; they agree as long as
/// every tensor takes every step, which flat buffers guarantee). Elements outside every group are never touched.</para>
/// <para>Subnormal state: a state value (a moment, square average or momentum buffer) whose magnitude falls below the
/// smallest normal number N of <typeparamref name="T"/> (2⁻¹²⁶ ≈ 1.2e-38 in float, 2⁻¹⁰²² in double) is stored, and used
/// in the rest of the step, as a zero of its sign, and a squared-gradient term c·g² is taken as zero where
/// |g| &lt; √(N / c): what <c>torch.set_flush_denormal(True)</c> does, limited to the optimizer's state. Why: the moments
/// of a unit without gradient (dead on every row, or deep in a net whose gradients vanish) decay into the subnormals and,
/// for β1 = 0.9, stay there (0.9 times a few units in the last place rounds back to itself), where the CPU's arithmetic
/// takes a slow path; in a long run AdamW's step then ran 2-3x slower, as PyTorch's still does. Results differ from
/// PyTorch's default only where PyTorch holds a subnormal state value, by less than γ·N/ε in a parameter. Adam, AdamW and
/// RMSprop apply the rule only where it changes their denominator √v + ε by at most a unit in its last place
/// (√(N / c) ≤ ε·2⁻²⁴ in float, ε·2⁻⁵³ in double: from ε = 6e-11 in float with β2 = 0.999, the default 1e-8 included);
/// with a smaller ε (0 above all) they flush nothing, since a v flushed to zero would make θ ±∞ or NaN where PyTorch's
/// step is ordinary.</para>
/// <para><see cref="SaveState"/> and <see cref="LoadState"/> capture and restore everything needed to resume training
/// so that the following steps are identical to an uninterrupted run.</para>
/// <para>Thread safety: not thread-safe: a step updates the parameters and the optimizer's state in place; one thread
/// at a time (a step may itself split its work across FastNN's worker threads).</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterGroup[] _groups;
    // Each group's rate as the last ApplySchedule set it (NaN for groups without a rate of their own), used while
    // _scheduled (kept by a saved state); otherwise (the base rate set directly) groups follow the base rate in proportion.
    private double[] _scheduledRates;
    // Where ApplySchedule computes the next rates, so that a schedule refused part-way leaves the last ones in force.
    private double[] _pendingRates;
    private bool _scheduled;
    // NonNegative: a square average, which no step leaves below zero (but may leave +∞); LoadState refuses a state with a negative one.
    private readonly List<(string Name, Memory<T> Buffer, bool NonNegative)> _buffers = [];
    private double _learningRate;
    private double _initialLearningRate;
    private double _weightDecay;

    /// <summary>Checks the shared arguments and sets up the groups.</summary>
    /// <param name="parameterCount">Length of the parameter (and gradient) buffer.</param>
    /// <param name="groups">Parameter groups; null: one group over the whole buffer.</param>
    /// <param name="learningRate">The base learning rate γ.</param>
    /// <param name="weightDecay">The weight decay λ of groups that do not set their own.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count, rate or decay is out of range, or the rate is not finite in <typeparamref name="T"/>.</exception>
    /// <exception cref="ArgumentException">A group lies outside the buffer or overlaps another.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    protected Optimizer(int parameterCount, IReadOnlyList<ParameterGroup>? groups, double learningRate, double weightDecay)
    {
        // As a model refuses them: the constraint admits Half and NFloat, but the state's rules (values below the smallest
        // normal number stored as zero) and the models whose parameters an optimizer steps are float or double only.
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
            throw new NotSupportedException($"An optimizer holds float or double values, not {typeof(T).Name}.");
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        ParameterCount = parameterCount;
        _learningRate = _initialLearningRate = OptimizerArguments.NonNegativeIn<T>(learningRate, nameof(learningRate));
        _weightDecay = OptimizerArguments.NonNegative(weightDecay, nameof(weightDecay));
        _groups = groups is null ? [new ParameterGroup(0, parameterCount)] : [.. groups];
        ValidateGroups(_groups, parameterCount, nameof(groups));
        _scheduledRates = new double[_groups.Length];
        _pendingRates = new double[_groups.Length];
    }

    /// <summary>The optimizer's name as stored in <see cref="OptimizerState{T}.Algorithm"/>, such as <c>AdamW</c>.</summary>
    public abstract string Algorithm { get; }

    /// <summary>Length of the parameter and gradient buffers that <see cref="Step"/> takes.</summary>
    public int ParameterCount { get; }

    /// <summary>The parameter groups, in the order given.</summary>
    public IReadOnlyList<ParameterGroup> Groups => _groups;

    /// <summary>Steps taken so far (PyTorch's <c>state['step']</c>); the step being taken is t = StepCount after the increment.</summary>
    public long StepCount { get; private set; }

    /// <summary>
    /// The base learning rate γ. Set directly, groups with their own rate follow it in proportion (γ_g = own · γ / γ⁰,
    /// see <see cref="ParameterGroup.LearningRate"/>) until <see cref="ApplySchedule"/> sets every group's rate.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, infinite or NaN, or not finite in <typeparamref name="T"/>,
    /// or no next step could use it (Adam's and AdamW's step size γ / (1 − β1^t) is not finite in <typeparamref name="T"/>
    /// at the next t; refused steps do not advance t, so it never could); the same of the rate γ_g a group with its own
    /// rate would follow it at (the exception's value is then γ_g, and its message names the group and the value set).</exception>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            long step = StepCount + 1;
            CheckLearningRate(OptimizerArguments.NonNegativeIn<T>(value, nameof(value)), step, nameof(value));
            for (int i = 0; i < _groups.Length; i++)
            {
                if (_groups[i].LearningRate is not { } own)
                    continue;
                double rate = ProportionalRate(own, value, _initialLearningRate);
                // The value is usable itself: say which group's rate it makes, rather than call that rate the value.
                if (GroupRateProblem(rate, step) is { } reason)
                {
                    throw new ArgumentOutOfRangeException(nameof(value), rate, string.Create(CultureInfo.InvariantCulture,
                        $"value = {value} sets group {i}'s rate (its own {own} · value / InitialLearningRate {_initialLearningRate}) to {rate}, which no step could use: {reason}"));
                }
            }
            _learningRate = value;
            _scheduled = false;
        }
    }

    /// <summary>
    /// Sets the rates of the next steps from a schedule at time <paramref name="t"/>, as a PyTorch scheduler sets every
    /// param group: <see cref="LearningRate"/> to <c>schedule.LearningRate(t)</c>, and each group with its own rate to
    /// <c>schedule.GroupLearningRate(t, own, InitialLearningRate)</c> (the built-in schedules run the group from its own
    /// rate, so cosine annealing floors every group at the same η_min). The trainer calls it before each step or epoch.
    /// </summary>
    /// <remarks>The group rates hold until the next call; setting <see cref="LearningRate"/> returns groups to following
    /// the base rate in proportion. <see cref="SaveState"/> keeps them and <see cref="LoadState"/> restores them, as
    /// PyTorch's state_dict keeps each param group's lr.</remarks>
    /// <param name="schedule">The schedule.</param>
    /// <param name="t">Steps or epochs completed, from 0.</param>
    /// <exception cref="ArgumentNullException"><paramref name="schedule"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> is negative, or the schedule gives a negative, infinite or NaN rate, one not finite in <typeparamref name="T"/>, or one the next step could not use (as <see cref="LearningRate"/> refuses it) (the rates stay as they were).</exception>
    public void ApplySchedule(ILearningRateSchedule schedule, long t)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        double learningRate = ScheduledRate(schedule.LearningRate(t), nameof(schedule));
        for (int i = 0; i < _groups.Length; i++)
        {
            _pendingRates[i] = _groups[i].LearningRate is { } own
                ? ScheduledRate(schedule.GroupLearningRate(t, own, _initialLearningRate), nameof(schedule))
                : double.NaN;
        }
        (_scheduledRates, _pendingRates) = (_pendingRates, _scheduledRates);
        _learningRate = learningRate;
        _scheduled = true;
    }

    /// <summary>A rate a schedule gives, checked as <see cref="LearningRate"/> checks a value set.</summary>
    private double ScheduledRate(double rate, string name)
    {
        CheckLearningRate(OptimizerArguments.NonNegativeIn<T>(rate, name), StepCount + 1, name);
        return rate;
    }

    /// <summary>The learning rate given to the constructor (PyTorch's <c>initial_lr</c>).</summary>
    public double InitialLearningRate => _initialLearningRate;

    /// <summary>The weight decay λ of groups that do not set their own.</summary>
    public double WeightDecay => _weightDecay;

    /// <summary>Takes one optimization step: t ← t + 1, then every group is updated in place as the class documents.</summary>
    /// <param name="parameters">The parameter buffer θ, updated in place.</param>
    /// <param name="gradients">The gradient buffer g, same layout; read only.</param>
    /// <exception cref="ArgumentException">A buffer's length is not <see cref="ParameterCount"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value this step computes from the rates is not finite in
    /// <typeparamref name="T"/> (Adam's γ / (1 − β1^t), the decoupled 1 − γ·λ, a group's γ or λ; see
    /// <see cref="OptimizerKernels"/>). Every group's values are checked before any group is updated, so nothing
    /// changes: parameters, state and step count stay as they were.</exception>
    public void Step(Span<T> parameters, ReadOnlySpan<T> gradients)
    {
        if (parameters.Length != ParameterCount)
            throw new ArgumentException($"parameters has {parameters.Length} elements but the optimizer was built for {ParameterCount}.", nameof(parameters));
        if (gradients.Length != ParameterCount)
            throw new ArgumentException($"gradients has {gradients.Length} elements but the optimizer was built for {ParameterCount}.", nameof(gradients));
        long step = StepCount + 1;
        for (int i = 0; i < _groups.Length; i++)
            CheckUpdate(step, GroupLearningRate(i), _groups[i].WeightDecay ?? _weightDecay);
        for (int i = 0; i < _groups.Length; i++)
        {
            ParameterGroup group = _groups[i];
            Update(parameters.Slice(group.Offset, group.Length), gradients.Slice(group.Offset, group.Length),
                group.Offset, step, GroupLearningRate(i), group.WeightDecay ?? _weightDecay);
        }
        StepCount = step;
    }

    /// <summary>Group <paramref name="index"/>'s γ for the next step: the base rate, the scheduled rate, or its own rate in proportion to the base rate.</summary>
    private double GroupLearningRate(int index) =>
        _groups[index].LearningRate is not { } own ? _learningRate
            : _scheduled ? _scheduledRates[index]
            : ProportionalRate(own, _learningRate, _initialLearningRate);

    /// <summary>The rate of a group with its own rate <paramref name="own"/> under the base rate <paramref name="learningRate"/> set directly: own · γ / γ⁰ (own when γ⁰ = 0).</summary>
    private static double ProportionalRate(double own, double learningRate, double initialLearningRate) =>
        own * (initialLearningRate == 0 ? 1 : learningRate / initialLearningRate);

    /// <summary>Why no step from t = <paramref name="step"/> on could use a group's rate (not finite in T, or <see cref="CheckLearningRate"/>'s reason), or null when one can.</summary>
    private string? GroupRateProblem(double rate, long step)
    {
        const string name = "the group's rate";
        try
        {
            CheckLearningRate(OptimizerArguments.NonNegativeIn<T>(rate, name), step, name);
            return null;
        }
        catch (ArgumentOutOfRangeException e)
        {
            // The reason without the check's own parameter suffix, which the caller's exception adds for its own name.
            int end = e.Message.IndexOf($" (Parameter '{name}')", StringComparison.Ordinal);
            return end >= 0 ? e.Message[..end] : e.Message;
        }
    }

    /// <summary>
    /// Throws what <see cref="Update"/> would throw for these values, before any group is updated, so that a step
    /// refused for one group changes no other (the built-in algorithms run their kernel on no elements). By default
    /// nothing: a derived class outside FastNN whose <see cref="Update"/> throws leaves the groups before it updated.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A value the update uses is not finite in <typeparamref name="T"/>.</exception>
    private protected virtual void CheckUpdate(long step, double learningRate, double weightDecay)
    {
    }

    /// <summary>
    /// Refuses a learning rate no step from t = <paramref name="step"/> on could use, beyond its being finite in T (checked
    /// already): what the algorithm computes from γ alone and the steps' refusal would name (Adam's step size
    /// γ / (1 − β1^t), largest at the smallest t). By default nothing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value the update computes from the rate is not finite in T; named <paramref name="name"/>.</exception>
    private protected virtual void CheckLearningRate(double learningRate, long step, string name)
    {
    }

    /// <summary>Called by a derived constructor once <see cref="CheckLearningRate"/> can run: checks the base rate and every group's own rate for the first step.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate no step could use.</exception>
    private protected void CheckLearningRates()
    {
        CheckLearningRate(_learningRate, StepCount + 1, "learningRate");
        for (int i = 0; i < _groups.Length; i++)
            if (_groups[i].LearningRate is { } lr) CheckLearningRate(lr, StepCount + 1, $"groups[{i}].LearningRate");
    }

    /// <summary>Updates one group in place; <paramref name="offset"/> locates it in every state buffer.</summary>
    /// <param name="parameters">The group's parameters.</param>
    /// <param name="gradients">The group's gradients.</param>
    /// <param name="offset">The group's offset in the flat buffers.</param>
    /// <param name="step">t, already incremented (1 on the first step).</param>
    /// <param name="learningRate">The group's γ for this step.</param>
    /// <param name="weightDecay">The group's λ.</param>
    protected abstract void Update(Span<T> parameters, ReadOnlySpan<T> gradients, int offset, long step,
        double learningRate, double weightDecay);

    /// <summary>Whether the update adds λ·θ to the gradient, so that λ itself is used in T (Adam, SGD, RMSprop), rather than shrinking θ by 1 − γ·λ.</summary>
    private protected virtual bool CouplesWeightDecay => false;

    /// <summary>Called by a derived constructor once <see cref="CouplesWeightDecay"/> can be read: with coupled decay, checks that every group's λ is finite in T.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A λ is not finite in T.</exception>
    private protected void CheckCoupledWeightDecay() => CheckCoupledWeightDecay(_weightDecay, _groups, "weightDecay", "groups");

    private void CheckCoupledWeightDecay(double weightDecay, ParameterGroup[] groups, string name, string groupsName)
    {
        if (!CouplesWeightDecay)
            return;
        OptimizerArguments.NonNegativeIn<T>(weightDecay, name);
        for (int i = 0; i < groups.Length; i++)
            if (groups[i].WeightDecay is { } wd) OptimizerArguments.NonNegativeIn<T>(wd, $"{groupsName}[{i}].WeightDecay");
    }

    /// <summary>Allocates a zeroed state buffer of <see cref="ParameterCount"/> elements, saved and restored under <paramref name="name"/> (<see cref="LoadState"/> refuses one holding NaN or an infinity); a large one on transparent huge pages where Linux grants them (<see cref="HugePages"/>).</summary>
    /// <param name="name">The state-dict name, such as <c>exp_avg</c>.</param>
    /// <returns>The buffer, which the optimizer keeps.</returns>
    protected Memory<T> CreateBuffer(string name) => CreateBuffer(name, nonNegative: false);

    /// <summary><see cref="CreateBuffer(string)"/>; <paramref name="nonNegative"/>: a square average (v, v̂max), which <see cref="LoadState"/> refuses negative or NaN but takes +∞.</summary>
    private protected Memory<T> CreateBuffer(string name, bool nonNegative)
    {
        Memory<T> buffer = HugePages.Allocate<T>(ParameterCount);
        _buffers.Add((name, buffer, nonNegative));
        return buffer;
    }

    /// <summary>The names of the state buffers, in creation order (the keys of <see cref="OptimizerState{T}.Buffers"/>).</summary>
    internal IEnumerable<string> BufferNames => _buffers.Select(b => b.Name);

    /// <summary>Adds the algorithm's own hyper-parameters (beyond learning and decay rates) to a saved state; the names
    /// it writes are the only ones of the algorithm's own that <see cref="LoadState"/> accepts.</summary>
    /// <param name="values">The state's hyper-parameters.</param>
    protected abstract void SaveHyperParameters(IDictionary<string, double> values);

    /// <summary>Checks and applies the algorithm's own hyper-parameters from a state; must throw before changing anything if one is missing or out of range.
    /// <see cref="LoadState"/> has already refused names that <see cref="SaveHyperParameters"/> does not write.</summary>
    /// <param name="values">The state's hyper-parameters.</param>
    protected abstract void LoadHyperParameters(IReadOnlyDictionary<string, double> values);

    /// <summary>Copies the step count, hyper-parameters and state buffers into a new state object.</summary>
    /// <returns>A snapshot that shares no memory with the optimizer.</returns>
    public OptimizerState<T> SaveState()
    {
        var values = new Dictionary<string, double>
        {
            ["lr"] = _learningRate,
            ["initial_lr"] = _initialLearningRate,
            ["weight_decay"] = _weightDecay,
            ["groups"] = _groups.Length,
        };
        for (int i = 0; i < _groups.Length; i++)
        {
            ParameterGroup group = _groups[i];
            values[GroupKey(i, "offset")] = group.Offset;
            values[GroupKey(i, "length")] = group.Length;
            if (group.LearningRate is { } lr) values[GroupKey(i, "lr")] = lr;
            if (group.WeightDecay is { } wd) values[GroupKey(i, "weight_decay")] = wd;
            // The rate a schedule set, which is not the base rate's proportion (cosine floors every group at one η_min):
            // PyTorch's state_dict keeps each param group's current lr too.
            if (_scheduled && group.LearningRate is not null) values[GroupKey(i, ScheduledRateKey)] = _scheduledRates[i];
        }
        SaveHyperParameters(values);
        var buffers = new Dictionary<string, T[]>();
        foreach ((string name, Memory<T> buffer, _) in _buffers)
            buffers[name] = buffer.ToArray();
        return new OptimizerState<T>(Algorithm, StepCount, values, buffers);
    }

    /// <summary>
    /// Restores a state saved by an optimizer of the same algorithm, parameter count and group layout. Everything is
    /// checked before anything changes, so a bad state leaves the optimizer as it was.
    /// </summary>
    /// <param name="state">The state to restore; its arrays are copied, not kept.</param>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">The algorithm, groups or buffers do not match, a value is missing, a square
    /// average (<c>exp_avg_sq</c>, <c>max_exp_avg_sq</c>, <c>square_avg</c>) holds a negative value or NaN, another buffer
    /// (<c>exp_avg</c>, <c>momentum_buffer</c>, <c>grad_avg</c>, or one a derived class created) holds NaN or an infinity
    /// (a square average may hold +∞, which a finite gradient whose square overflows leaves), scheduled
    /// rates (<c>group.i.scheduled_lr</c>) are given for a group without a rate of its own or for some but not all of the
    /// groups with one, or a hyper-parameter has a name that this optimizer's <see cref="SaveState"/> never writes (the
    /// message names it): names other than <c>lr</c>, <c>initial_lr</c>, <c>weight_decay</c>, <c>groups</c>, the
    /// algorithm's own (such as <c>beta1</c>), and <c>group.i.offset</c>, <c>.length</c>, <c>.lr</c>, <c>.weight_decay</c>
    /// and <c>.scheduled_lr</c> for i from 0 to the optimizer's group count − 1, written as SaveState writes it. A
    /// misspelt or damaged <c>group.0.lr</c> would otherwise leave group 0 on the base rate, and the resumed run would
    /// differ from the saved one.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter or the step count is out of range (negative, or
    /// long.MaxValue, which no step could follow; an on/off one, <c>nesterov</c>, <c>amsgrad</c> or <c>centered</c>, other
    /// than 0 or 1), or a rate the
    /// state sets is one its next step (t = its step count + 1) could not use, as <see cref="LearningRate"/> refuses a
    /// value: the base rate, a group's scheduled rate, or a group's own rate in proportion to the base rate (not finite in
    /// <typeparamref name="T"/>, or Adam's and AdamW's step size γ / (1 − β1^t), with the state's β1, not finite there).</exception>
    public void LoadState(OptimizerState<T> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Algorithm != Algorithm)
            throw new ArgumentException($"The state is for {state.Algorithm ?? "no algorithm (null)"}, not {Algorithm}.", nameof(state));
        if (state.HyperParameters is null || state.Buffers is null)
            throw new ArgumentException($"The state's {(state.HyperParameters is null ? "HyperParameters" : "Buffers")} is null.", nameof(state));
        // At long.MaxValue the next step's t = count + 1 would wrap negative: no step could follow.
        if (state.StepCount is < 0 or long.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(state), state.StepCount, string.Create(CultureInfo.InvariantCulture,
                $"The state's step count {state.StepCount} is out of range: steps taken run from 0 to {long.MaxValue - 1}, so that a next step t = count + 1 exists."));
        IReadOnlyDictionary<string, double> values = state.HyperParameters;
        // The group count before the names: a state of more groups is another layout, not one with damaged names.
        if (values.TryGetValue("groups", out double groupCount) && groupCount != _groups.Length)
            throw new ArgumentException($"The state has {groupCount} parameter groups; this optimizer has {_groups.Length}.", nameof(state));
        if (UnknownHyperParameter(values) is { } unknown)
            throw new ArgumentException($"The state has a hyper-parameter '{unknown}', which {Algorithm} never saves for its {_groups.Length} parameter group(s): a misspelt or damaged name, whose value would go unused.", nameof(state));
        double learningRate = OptimizerArguments.NonNegativeIn<T>(OptimizerArguments.Read(values, "lr"), "lr");
        double initialLearningRate = OptimizerArguments.NonNegative(OptimizerArguments.Read(values, "initial_lr"), "initial_lr");
        double weightDecay = OptimizerArguments.NonNegative(OptimizerArguments.Read(values, "weight_decay"), "weight_decay");
        OptimizerArguments.Read(values, "groups"); // refuses a state without it; its value is checked above
        var groups = new ParameterGroup[_groups.Length];
        for (int i = 0; i < groups.Length; i++)
        {
            if (OptimizerArguments.Read(values, GroupKey(i, "offset")) != _groups[i].Offset
                || OptimizerArguments.Read(values, GroupKey(i, "length")) != _groups[i].Length)
                throw new ArgumentException($"Group {i} of the state does not cover the same range as this optimizer's ({_groups[i].Offset}, {_groups[i].Length}).", nameof(state));
            groups[i] = _groups[i] with
            {
                LearningRate = values.TryGetValue(GroupKey(i, "lr"), out double lr) ? lr : null,
                WeightDecay = values.TryGetValue(GroupKey(i, "weight_decay"), out double wd) ? wd : null,
            };
        }
        ValidateGroups(groups, ParameterCount, nameof(state));
        double[]? scheduledRates = ReadScheduledRates(values, groups);
        CheckCoupledWeightDecay(weightDecay, groups, "weight_decay", nameof(state));
        if (state.Buffers.Count != _buffers.Count)
            throw new ArgumentException($"The state has {state.Buffers.Count} buffers; {Algorithm} with these options has {_buffers.Count} ({string.Join(", ", _buffers.Select(b => b.Name))}).", nameof(state));
        foreach ((string name, Memory<T> _, bool nonNegative) in _buffers)
        {
            if (!state.Buffers.TryGetValue(name, out T[]? saved))
                throw new ArgumentException($"The state has no buffer '{name}'.", nameof(state));
            if (saved is null || saved.Length != ParameterCount)
                throw new ArgumentException($"The state's buffer '{name}' has {(saved is null ? "no array (null)" : $"{saved.Length} elements")}; the optimizer has {ParameterCount} parameters.", nameof(state));
            if (BufferProblem(name, saved, nonNegative) is { } problem)
                throw new ArgumentException($"The state's {problem}", nameof(state));
        }
        // The rate checks read the algorithm's own hyper-parameters (Adam's β1): they run with the state's in place,
        // which are put back when a rate is refused.
        var previous = new Dictionary<string, double>();
        SaveHyperParameters(previous);
        LoadHyperParameters(values);
        try
        {
            CheckLoadedRates(learningRate, initialLearningRate, groups, scheduledRates, state.StepCount + 1);
        }
        catch (ArgumentOutOfRangeException)
        {
            LoadHyperParameters(previous);
            throw;
        }

        _learningRate = learningRate;
        _initialLearningRate = initialLearningRate;
        _weightDecay = weightDecay;
        groups.CopyTo(_groups, 0);
        _scheduled = scheduledRates is not null;
        if (scheduledRates is not null)
            scheduledRates.CopyTo(_scheduledRates, 0);
        foreach ((string name, Memory<T> buffer, _) in _buffers)
            state.Buffers[name].CopyTo(buffer);
        StepCount = state.StepCount;
    }

    /// <summary>
    /// The first value of the state buffers that <see cref="LoadState"/> would refuse, as "buffer 'exp_avg' holds NaN at
    /// element 3: …", or null: NaN or an infinity, which only a non-finite gradient leaves (a run that diverged with no
    /// guard). Checkpoints save only a state that loads back.
    /// </summary>
    internal string? StateProblem()
    {
        foreach ((string name, Memory<T> buffer, bool nonNegative) in _buffers)
        {
            if (BufferProblem(name, buffer.Span, nonNegative) is { } problem)
                return problem;
        }
        return null;
    }

    // "buffer 'name' holds x at element i: why", for the first value of a buffer LoadState refuses, or null.
    private static string? BufferProblem(string name, ReadOnlySpan<T> values, bool squareAverage) =>
        StateValueProblem(values, squareAverage) is { } problem
            ? string.Create(CultureInfo.InvariantCulture, $"buffer '{name}' holds {values[problem.Index]} at element {problem.Index}: {problem.Reason}")
            : null;

    /// <summary>
    /// The first value of a saved buffer that no run leaves where the next step could use it, and why, or null. NaN and
    /// ±∞ come only from a non-finite gradient (or, in a momentum, a sum that overflows), which leaves θ NaN or infinite
    /// too, and make θ NaN at the next step. A negative square average (exp_avg and exp_avg_sq swapped, say) would make
    /// θ NaN through √v. But a square average of +∞ is what a finite gradient whose square overflows T leaves, with θ
    /// finite (m / √∞ = 0: that element stops moving) and the run going on, so it is kept for the run to resume.
    /// </summary>
    private static (int Index, string Reason)? StateValueProblem(ReadOnlySpan<T> saved, bool squareAverage)
    {
        for (int i = 0; i < saved.Length; i++)
        {
            T x = saved[i];
            if (squareAverage && x < T.Zero)
                return (i, "a square average, which no step leaves negative.");
            if (T.IsNaN(x) || (!squareAverage && T.IsInfinity(x)))
                return (i, "no step leaves a state value NaN or infinite without making the parameters so (a square average alone may overflow to +∞).");
        }
        return null;
    }

    private const string ScheduledRateKey = "scheduled_lr";

    // What SaveState writes of each group i as group.i.name.
    private static readonly string[] GroupNames = ["offset", "length", "lr", "weight_decay", ScheduledRateKey];

    // The first name of values that SaveState never writes for these groups, or null. Only the names are compared, so a
    // state from a build that wrote fewer of them (no scheduled rates) still loads.
    private string? UnknownHyperParameter(IReadOnlyDictionary<string, double> values)
    {
        var own = new Dictionary<string, double>();
        SaveHyperParameters(own);
        var names = new HashSet<string>(own.Keys, StringComparer.Ordinal) { "lr", "initial_lr", "weight_decay", "groups" };
        for (int i = 0; i < _groups.Length; i++)
        {
            foreach (string name in GroupNames)
                names.Add(GroupKey(i, name));
        }
        return values.Keys.FirstOrDefault(name => !names.Contains(name));
    }

    /// <summary>
    /// Refuses a state whose next step, t = <paramref name="step"/>, could not use a rate the state sets, as
    /// <see cref="LearningRate"/> refuses a value: the base rate, and each group's scheduled rate or its own rate in
    /// proportion to the base rate (each finite in T already, but not the proportion or Adam's step size).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Such a rate, named by the state's key.</exception>
    private void CheckLoadedRates(double learningRate, double initialLearningRate, ParameterGroup[] groups, double[]? scheduledRates, long step)
    {
        CheckLearningRate(learningRate, step, "lr");
        for (int i = 0; i < groups.Length; i++)
        {
            if (groups[i].LearningRate is not { } own)
                continue;
            if (scheduledRates is not null)
            {
                CheckLearningRate(scheduledRates[i], step, GroupKey(i, ScheduledRateKey));
                continue;
            }
            double rate = ProportionalRate(own, learningRate, initialLearningRate);
            if (GroupRateProblem(rate, step) is { } reason)
            {
                throw new ArgumentOutOfRangeException(GroupKey(i, "lr"), rate, string.Create(CultureInfo.InvariantCulture,
                    $"{GroupKey(i, "lr")} = {own} in proportion to lr = {learningRate} / initial_lr = {initialLearningRate} sets group {i}'s rate to {rate}, which no step could use: {reason}"));
            }
        }
    }

    /// <summary>
    /// The rates a schedule had set on the groups with rates of their own when the state was saved, or null when it had
    /// not (the groups then follow the base rate in proportion); a state with some but not all of them is refused.
    /// </summary>
    private static double[]? ReadScheduledRates(IReadOnlyDictionary<string, double> values, ParameterGroup[] groups)
    {
        var rates = new double[groups.Length];
        int found = 0, owned = 0, firstFound = -1, firstMissing = -1;
        for (int i = 0; i < groups.Length; i++)
        {
            string key = GroupKey(i, ScheduledRateKey);
            bool has = values.TryGetValue(key, out double rate);
            if (groups[i].LearningRate is null)
            {
                if (has)
                    throw new ArgumentException($"The state has '{key}' for group {i}, which has no learning rate of its own.", "state");
                rates[i] = double.NaN;
                continue;
            }
            owned++;
            if (has)
            {
                rates[i] = OptimizerArguments.NonNegativeIn<T>(rate, key);
                found++;
                if (firstFound < 0) firstFound = i;
            }
            else if (firstMissing < 0)
                firstMissing = i;
        }
        if (found != 0 && found != owned)
            throw new ArgumentException($"The state has scheduled rates ('{ScheduledRateKey}') for {found} of the {owned} groups with rates of their own: "
                + $"'{GroupKey(firstFound, ScheduledRateKey)}' for group {firstFound} but no '{GroupKey(firstMissing, ScheduledRateKey)}' for group {firstMissing}.", "state");
        return found == 0 ? null : rates;
    }

    private static string GroupKey(int index, string name) => string.Create(CultureInfo.InvariantCulture, $"group.{index}.{name}");

    private static void ValidateGroups(ParameterGroup[] groups, int parameterCount, string argument)
    {
        for (int i = 0; i < groups.Length; i++)
        {
            ParameterGroup group = groups[i] ?? throw new ArgumentException($"Group {i} is null.", argument);
            if (group.Offset < 0 || group.Length < 0 || (long)group.Offset + group.Length > parameterCount)
                throw new ArgumentException($"Group {i} (offset {group.Offset}, length {group.Length}) lies outside the {parameterCount} parameters.", argument);
            if (group.LearningRate is { } lr) OptimizerArguments.NonNegativeIn<T>(lr, $"{argument}[{i}].LearningRate");
            if (group.WeightDecay is { } wd) OptimizerArguments.NonNegative(wd, $"{argument}[{i}].WeightDecay");
        }
        ParameterGroup[] sorted = [.. groups.OrderBy(g => g.Offset)];
        for (int i = 1; i < sorted.Length; i++)
        {
            if (sorted[i - 1].Offset + sorted[i - 1].Length > sorted[i].Offset)
                throw new ArgumentException($"Groups at offsets {sorted[i - 1].Offset} (length {sorted[i - 1].Length}) and {sorted[i].Offset} overlap.", argument);
        }
    }
}
