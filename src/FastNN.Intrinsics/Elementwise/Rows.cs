using System.Numerics;
using System.Runtime.Intrinsics;

namespace FastNN.Intrinsics;

/// <summary>Row-broadcast kernels on [rows, cols] row-major matrices: the epilogue of a Dense layer's GEMM.</summary>
/// <remarks>Results may differ across instruction sets in the last bits.
/// <para>Thread safety: every method may run on any number of threads at once, provided no call writes memory that
/// another call reads or writes.</para></remarks>
public static class Rows
{
    /// <summary>Adds a bias row to every row: <c>y[r, c] += bias[c]</c>.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="y">The matrix, [rows, cols] row-major; updated in place.</param>
    /// <param name="bias">The bias, length <paramref name="cols"/>.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="cols">Columns.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="cols"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> does not hold exactly rows·cols elements.</exception>
    /// <exception cref="ArgumentException"><paramref name="bias"/> does not have length <paramref name="cols"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="bias"/> overlaps <paramref name="y"/>.</exception>
    public static void AddBias<T>(Span<T> y, ReadOnlySpan<T> bias, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Matrix<T>(y, nameof(y), rows, cols);
        if (bias.Length != cols)
            throw new ArgumentException($"bias has length {bias.Length} but y is [{rows}, {cols}]: it needs {cols}.", nameof(bias));
        SpanChecks.Disjoint<T>(y, nameof(y), bias, nameof(bias));
        AddBiasThen(y, bias, cols, default(IdentityOperator<T>));
    }

    /// <summary>
    /// The fused Dense epilogue, one pass after the GEMM: <c>y[r, c] = f(y[r, c] + bias[c])</c> for the given
    /// activation f (or <c>f(y[r, c])</c> when <paramref name="bias"/> is empty).
    /// </summary>
    /// <remarks>
    /// <para>Each f is exactly the kernel of the matching <see cref="Activations"/> method (same formula, special
    /// values and error bound). The pre-activation is not kept: for the backward pass, sigmoid and tanh use the saved
    /// output (<see cref="Activations.SigmoidBackward{T}"/>, <see cref="Activations.TanhBackward{T}"/>), and ReLU can too,
    /// since y &gt; 0 exactly when z &gt; 0 (<see cref="Activations.ReluBackward{T}"/> with y in place of x). The
    /// other activations need their input: use <see cref="AddBias{T}"/> and then the activation into a separate span.</para>
    /// <para>Results may differ across instruction sets in the last bits.</para>
    /// </remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="y">The matrix, [rows, cols] row-major: the GEMM output on entry, the activation on return.</param>
    /// <param name="bias">The bias, length <paramref name="cols"/>, or empty for none.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="cols">Columns.</param>
    /// <param name="activation">The activation and its parameters (converted to <typeparamref name="T"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="cols"/> is negative.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="activation"/> has an undefined <see cref="Activation.Kind"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/> does not hold exactly rows·cols elements.</exception>
    /// <exception cref="ArgumentException"><paramref name="bias"/> has neither length <paramref name="cols"/> nor 0.</exception>
    /// <exception cref="ArgumentException"><paramref name="bias"/> overlaps <paramref name="y"/>.</exception>
    public static void AddBiasActivation<T>(Span<T> y, ReadOnlySpan<T> bias, int rows, int cols, Activation activation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Matrix<T>(y, nameof(y), rows, cols);
        if (bias.Length != cols && !bias.IsEmpty)
            throw new ArgumentException($"bias has length {bias.Length} but y is [{rows}, {cols}]: it needs {cols} (or 0 for no bias).", nameof(bias));
        SpanChecks.Disjoint<T>(y, nameof(y), bias, nameof(bias));
        T parameter = T.CreateTruncating(activation.Parameter);
        switch (activation.Kind)
        {
            case ActivationKind.Identity: AddBiasThen(y, bias, cols, default(IdentityOperator<T>)); break;
            case ActivationKind.Sigmoid: AddBiasThen(y, bias, cols, default(SigmoidOperator<T>)); break;
            case ActivationKind.Tanh: AddBiasThen(y, bias, cols, default(TanhOperator<T>)); break;
            case ActivationKind.Relu: AddBiasThen(y, bias, cols, default(ReluOperator<T>)); break;
            case ActivationKind.LeakyRelu: AddBiasThen(y, bias, cols, new LeakyReluOperator<T>(parameter)); break;
            case ActivationKind.Elu: AddBiasThen(y, bias, cols, new EluOperator<T>(parameter)); break;
            case ActivationKind.Gelu: AddBiasThen(y, bias, cols, default(GeluOperator<T>)); break;
            case ActivationKind.GeluTanh: AddBiasThen(y, bias, cols, default(GeluTanhOperator<T>)); break;
            case ActivationKind.Silu: AddBiasThen(y, bias, cols, default(SiluOperator<T>)); break;
            case ActivationKind.Softplus: AddBiasThen(y, bias, cols, new SoftplusOperator<T>(parameter, T.CreateTruncating(activation.Threshold))); break;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation.Kind, "Unknown activation kind.");
        }
    }

    private static void AddBiasThen<T, TActivation>(Span<T> y, ReadOnlySpan<T> bias, int cols, in TActivation activation)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TActivation : struct, IUnaryOperator<T>
    {
        if (bias.IsEmpty)
        {
            Elementwise.Map(y, y, activation);
            return;
        }
        var op = new BiasThenOperator<T, TActivation>(activation);
        for (int start = 0; start < y.Length; start += cols)
        {
            Span<T> row = y.Slice(start, cols);
            Elementwise.Map(row, bias, row, op);
        }
    }
}

/// <summary>f(z + b)</summary>
internal readonly struct BiasThenOperator<T, TActivation>(TActivation activation) : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TActivation : struct, IUnaryOperator<T>
{
    public static bool Vectorizable => TActivation.Vectorizable;
    public static bool SplitAcrossThreads => TActivation.SplitAcrossThreads;
    public T Invoke(T z, T b) => activation.Invoke(z + b);
    public Vector128<T> Invoke(Vector128<T> z, Vector128<T> b) => activation.Invoke(z + b);
    public Vector256<T> Invoke(Vector256<T> z, Vector256<T> b) => activation.Invoke(z + b);
    public Vector512<T> Invoke(Vector512<T> z, Vector512<T> b) => activation.Invoke(z + b);
}
