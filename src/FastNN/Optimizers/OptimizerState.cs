namespace FastNN.Optimizers;

/// <summary>
/// Everything an optimizer needs to resume training exactly: its algorithm, step count, hyper-parameters (named
/// scalars) and state buffers (named arrays, each as long as the parameter buffer, with the same layout).
/// </summary>
/// <remarks>
/// Names follow PyTorch's state dicts where one exists (<c>exp_avg</c>, <c>exp_avg_sq</c>, <c>max_exp_avg_sq</c>,
/// <c>momentum_buffer</c>, <c>square_avg</c>, <c>grad_avg</c>, <c>lr</c>, <c>weight_decay</c>, …), so a safetensors
/// writer can store the buffers as tensors and the scalars as metadata.
/// <para>Thread safety: immutable as long as the arrays it holds are not changed; safe to share between threads.</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <param name="Algorithm">The optimizer's name, such as <c>AdamW</c>; restoring into another algorithm throws.</param>
/// <param name="StepCount">Steps taken so far.</param>
/// <param name="HyperParameters">Hyper-parameters by name, including the base and initial learning rates, each group's overrides,
/// and, when a schedule set the rates last, the rate it set on each group with a rate of its own (<c>group.i.scheduled_lr</c>).</param>
/// <param name="Buffers">State buffers by name.</param>
public sealed record OptimizerState<T>(string Algorithm, long StepCount,
    IReadOnlyDictionary<string, double> HyperParameters, IReadOnlyDictionary<string, T[]> Buffers);
