using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    /// since y ≤ 0 exactly when z ≤ 0 (<see cref="Activations.ReluBackward{T}"/> with y in place of x). The
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
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="activation"/> has an undefined <see cref="Activation.Kind"/>, or a
    /// parameter out of its range in <typeparamref name="T"/> (as the matching <see cref="Activations"/> kernel refuses it:
    /// float takes softplus β = 1e-50 as 0, a slope of 1e39 as +∞).</exception>
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
        T parameter = activation.ParameterIn<T>(nameof(activation));
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

    /// <summary>
    /// The fused backward epilogue of a Dense layer followed by an activation f whose derivative its output gives:
    /// <c>dz[r, c] = dy[r, c]·f′</c> from the saved output y, and the bias gradient <c>biasGradient[c] (+)= Σᵣ dz[r, c]</c>
    /// summed in the same pass (a block of columns at a time, its sums in registers down the rows), so the two backward
    /// products that follow read dz once more and dy never.
    /// </summary>
    /// <remarks>
    /// <para>f′ from y: identity 1; ReLU 0 where y ≤ 0, else 1 (0 at 0, and dy passed at NaN, as PyTorch); sigmoid
    /// <c>y·(1 − y)</c>; tanh <c>1 − y²</c>: the kernels of <see cref="Activations.ReluBackward{T}"/> (with y for x: y ≤ 0
    /// exactly where x ≤ 0), <see cref="Activations.SigmoidBackward{T}"/> and <see cref="Activations.TanhBackward{T}"/>. The rows
    /// are added in order into each column's sum, as <see cref="Reductions.SumColumns{T}"/> does, so every result has the
    /// bits of those kernels run one after the other (when not accumulating, but that a sum of zeros is +0, never −0).</para>
    /// <para>Exact on every instruction-set path for the identity and ReLU; sigmoid and tanh round alike on every path (no fused multiply-add).</para>
    /// </remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="y">The saved forward output f(z), [rows, cols] row-major.</param>
    /// <param name="dy">The gradient with respect to y, [rows, cols].</param>
    /// <param name="dz">The gradient with respect to z, [rows, cols], overwritten; may be <paramref name="dy"/> itself.</param>
    /// <param name="biasGradient">cols elements, summed into (or overwritten, see <paramref name="accumulate"/>); empty when the layer has no bias.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="cols">Columns.</param>
    /// <param name="activation">f: <see cref="ActivationKind.Identity"/>, <see cref="ActivationKind.Relu"/>, <see cref="ActivationKind.Sigmoid"/> or <see cref="ActivationKind.Tanh"/>.</param>
    /// <param name="accumulate">Add the column sums to <paramref name="biasGradient"/> (true, as a backward pass does) or overwrite it (false).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="cols"/> is negative.</exception>
    /// <exception cref="ArgumentException">A matrix does not hold exactly rows·cols elements, <paramref name="biasGradient"/> has neither cols elements nor none, <paramref name="dz"/> partially overlaps <paramref name="dy"/> or overlaps <paramref name="y"/>, the bias gradient overlaps a matrix, or f's derivative cannot be had from its output.</exception>
    public static void ActivationGradient<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dz, Span<T> biasGradient, int rows, int cols,
        Activation activation, bool accumulate) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanChecks.Matrix(y, nameof(y), rows, cols);
        SpanChecks.Matrix(dy, nameof(dy), rows, cols);
        SpanChecks.Matrix<T>(dz, nameof(dz), rows, cols);
        SpanChecks.IdenticalOrDisjoint(dy, nameof(dy), dz, nameof(dz));
        SpanChecks.Disjoint(y, nameof(y), dz, nameof(dz));
        if (biasGradient.Length != cols && !biasGradient.IsEmpty)
            throw new ArgumentException($"biasGradient has length {biasGradient.Length} but dz is [{rows}, {cols}]: it needs {cols} (or 0 for no bias).", nameof(biasGradient));
        SpanChecks.Disjoint<T>(y, nameof(y), biasGradient, nameof(biasGradient));
        SpanChecks.Disjoint<T>(dy, nameof(dy), biasGradient, nameof(biasGradient));
        SpanChecks.Disjoint<T>(dz, nameof(dz), biasGradient, nameof(biasGradient));
        switch (activation.Kind)
        {
            case ActivationKind.Identity: GradientThenSum(y, dy, dz, biasGradient, cols, default(SecondOperator<T>), accumulate); break;
            case ActivationKind.Relu: GradientThenSum(y, dy, dz, biasGradient, cols, default(ReluBackwardOperator<T>), accumulate); break;
            case ActivationKind.Sigmoid: GradientThenSum(y, dy, dz, biasGradient, cols, default(SigmoidBackwardOperator<T>), accumulate); break;
            case ActivationKind.Tanh: GradientThenSum(y, dy, dz, biasGradient, cols, default(TanhBackwardOperator<T>), accumulate); break;
            default: throw new ArgumentException($"The derivative of {activation.Kind} cannot be had from its output; use its Activations.*Backward kernel on the saved input.", nameof(activation));
        }
    }

    private static void GradientThenSum<T, TDerivative>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dz, Span<T> biasGradient, int cols,
        in TDerivative derivative, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TDerivative : struct, IBinaryOperator<T>
    {
        if (cols == 0)
            return;
        var pass = new GradientPass<T>(ref MemoryMarshal.GetReference(y), ref MemoryMarshal.GetReference(dy), ref MemoryMarshal.GetReference(dz),
            ref MemoryMarshal.GetReference(biasGradient), !biasGradient.IsEmpty, accumulate, y.Length / cols, cols);
        // Widest vectors first; each narrower loop takes the columns the wider one left, then scalars. Every column
        // gets the same operations whichever loop takes it, so the bits do not depend on the widths.
        nuint c = 0;
        if (TDerivative.Vectorizable)
        {
            if (Width512<T>.IsAccelerated)
                c = Columns<T, TDerivative, Width512<T>, Vector512<T>>(ref pass, derivative, c);
            if (Width256<T>.IsAccelerated)
                c = Columns<T, TDerivative, Width256<T>, Vector256<T>>(ref pass, derivative, c);
            if (Width128<T>.IsAccelerated)
                c = Columns<T, TDerivative, Width128<T>, Vector128<T>>(ref pass, derivative, c);
        }
        Columns<T, TDerivative, ScalarWidth<T>, T>(ref pass, derivative, c);
    }

    /// <summary>The operands of one <see cref="ActivationGradient{T}"/> pass.</summary>
    private ref struct GradientPass<T>(ref T y, ref T dy, ref T dz, ref T bias, bool sum, bool accumulate, int rows, int cols)
        where T : unmanaged
    {
        public ref T Y = ref y, Dy = ref dy, Dz = ref dz, Bias = ref bias;
        public readonly bool Sum = sum, Accumulate = accumulate;
        public readonly nuint Rows = (nuint)rows, Cols = (nuint)cols;
    }

    /// <summary>
    /// Columns from <paramref name="c"/> on, in blocks of four vectors of <typeparamref name="TWidth"/> and then one:
    /// down every row of a block, dz = f′·dy stored and added to the block's column sums, held in registers; returns
    /// where it stopped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint Columns<T, TDerivative, TWidth, TVector>(ref GradientPass<T> p, in TDerivative derivative, nuint c)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TDerivative : struct, IBinaryOperator<T>
        where TWidth : IVectorWidth<T, TVector>
        where TVector : struct
    {
        nuint w = (nuint)TWidth.Count;
        TVector zero = TWidth.Broadcast(T.Zero);
        for (; c + 4 * w <= p.Cols; c += 4 * w)
        {
            bool load = p.Sum && p.Accumulate;
            TVector s0 = load ? TWidth.Load(ref p.Bias, c) : zero, s1 = load ? TWidth.Load(ref p.Bias, c + w) : zero;
            TVector s2 = load ? TWidth.Load(ref p.Bias, c + 2 * w) : zero, s3 = load ? TWidth.Load(ref p.Bias, c + 3 * w) : zero;
            for (nuint i = c; i < p.Rows * p.Cols; i += p.Cols)
            {
                TVector d0 = TWidth.Apply(derivative, TWidth.Load(ref p.Y, i), TWidth.Load(ref p.Dy, i));
                TVector d1 = TWidth.Apply(derivative, TWidth.Load(ref p.Y, i + w), TWidth.Load(ref p.Dy, i + w));
                TVector d2 = TWidth.Apply(derivative, TWidth.Load(ref p.Y, i + 2 * w), TWidth.Load(ref p.Dy, i + 2 * w));
                TVector d3 = TWidth.Apply(derivative, TWidth.Load(ref p.Y, i + 3 * w), TWidth.Load(ref p.Dy, i + 3 * w));
                TWidth.Store(d0, ref p.Dz, i);
                TWidth.Store(d1, ref p.Dz, i + w);
                TWidth.Store(d2, ref p.Dz, i + 2 * w);
                TWidth.Store(d3, ref p.Dz, i + 3 * w);
                (s0, s1, s2, s3) = (TWidth.Add(s0, d0), TWidth.Add(s1, d1), TWidth.Add(s2, d2), TWidth.Add(s3, d3));
            }
            if (p.Sum)
            {
                TWidth.Store(s0, ref p.Bias, c);
                TWidth.Store(s1, ref p.Bias, c + w);
                TWidth.Store(s2, ref p.Bias, c + 2 * w);
                TWidth.Store(s3, ref p.Bias, c + 3 * w);
            }
        }
        for (; c + w <= p.Cols; c += w)
        {
            TVector s = p.Sum && p.Accumulate ? TWidth.Load(ref p.Bias, c) : zero;
            for (nuint i = c; i < p.Rows * p.Cols; i += p.Cols)
            {
                TVector d = TWidth.Apply(derivative, TWidth.Load(ref p.Y, i), TWidth.Load(ref p.Dy, i));
                TWidth.Store(d, ref p.Dz, i);
                s = TWidth.Add(s, d);
            }
            if (p.Sum)
                TWidth.Store(s, ref p.Bias, c);
        }
        return c;
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

/// <summary>dy (the identity's derivative: the gradient passes unchanged)</summary>
internal readonly struct SecondOperator<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Invoke(T x, T y) => y;
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => y;
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => y;
    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => y;
}

/// <summary>f(z + b)</summary>
internal readonly struct BiasThenOperator<T, TActivation>(TActivation activation) : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TActivation : struct, IUnaryOperator<T>
{
    public static bool Vectorizable => TActivation.Vectorizable;
    public static bool ComputeBound => TActivation.ComputeBound;
    public T Invoke(T z, T b) => activation.Invoke(z + b);
    public Vector128<T> Invoke(Vector128<T> z, Vector128<T> b) => activation.Invoke(z + b);
    public Vector256<T> Invoke(Vector256<T> z, Vector256<T> b) => activation.Invoke(z + b);
    public Vector512<T> Invoke(Vector512<T> z, Vector512<T> b) => activation.Invoke(z + b);
}
