using FastNN.Intrinsics;

namespace FastNN.Tests.Elementwise;

/// <summary>The documented special values and the stability cases, as exact expectations (long spans so the vector paths run).</summary>
public class SpecialValueTests
{
    private static float[] Run(Action<float[], float[]> op, float value, int length = 37)
    {
        var x = Enumerable.Repeat(value, length).ToArray();
        var y = new float[length];
        op(x, y);
        Assert.All(y, v => Assert.Equal(y[0], v)); // every path position (vector body, overlapped end, scalar) agrees
        return y;
    }

    [Fact]
    public void SigmoidStaysFiniteAndTinyForLargeNegativeInputs()
    {
        float y = Run((x, o) => Activations.Sigmoid<float>(x, o), -100f)[0];
        Assert.InRange(y, 3.0e-44f, 4.5e-44f); // e^-100 = 3.72e-44, subnormal in float
        Assert.Equal(0f, Run((x, o) => Activations.Sigmoid<float>(x, o), float.NegativeInfinity)[0]);
        Assert.Equal(1f, Run((x, o) => Activations.Sigmoid<float>(x, o), float.PositiveInfinity)[0]);
        Assert.True(float.IsNaN(Run((x, o) => Activations.Sigmoid<float>(x, o), float.NaN)[0]));
        var d = new double[9];
        Activations.Sigmoid<double>(Enumerable.Repeat(-700.0, 9).ToArray(), d);
        Assert.Equal(Math.Exp(-700), d[0], 1e-310 + 1e-15 * Math.Exp(-700));
    }

    [Fact]
    public void SoftplusIsTheIdentityAboveTheThresholdAndTinyFarBelow()
    {
        Assert.Equal(100f, Run((x, o) => Activations.Softplus<float>(x, o, 1f, 20f), 100f)[0]);
        float tiny = Run((x, o) => Activations.Softplus<float>(x, o, 1f, 20f), -100f)[0];
        Assert.InRange(tiny, 3.0e-44f, 4.5e-44f);
        Assert.Equal(0f, Run((x, o) => Activations.Softplus<float>(x, o, 1f, 20f), float.NegativeInfinity)[0]);
        Assert.Equal(float.PositiveInfinity, Run((x, o) => Activations.Softplus<float>(x, o, 1f, 20f), float.PositiveInfinity)[0]);
        Tolerance.AssertClose(Math.Log(2), Run((x, o) => Activations.Softplus<float>(x, o, 1f, 20f), 0f)[0], 6, "softplus(0)");
    }

    [Fact]
    public void ReluDerivativeAtZeroIsZeroAndReluKeepsNaN()
    {
        var x = new float[] { 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f };
        var dy = Enumerable.Repeat(3f, x.Length).ToArray();
        var dx = new float[x.Length];
        Activations.ReluBackward<float>(x, dy, dx);
        Assert.All(dx, v => Assert.Equal(0f, v));
        Assert.True(float.IsNaN(Run((a, o) => Activations.Relu<float>(a, o), float.NaN)[0]));
        Assert.Equal(0f, Run((a, o) => Activations.Relu<float>(a, o), -0f)[0]);
        Assert.False(float.IsNegative(Run((a, o) => Activations.Relu<float>(a, o), -0f)[0]));
    }

    [Fact]
    public void TanhKeepsSignedZerosAndSaturates()
    {
        Assert.True(float.IsNegative(Run((a, o) => Activations.Tanh<float>(a, o), -0f)[0]));
        Assert.Equal(-1f, Run((a, o) => Activations.Tanh<float>(a, o), float.NegativeInfinity)[0]);
        Assert.Equal(1f, Run((a, o) => Activations.Tanh<float>(a, o), 50f)[0]);
        Assert.Equal(1e-30f, Run((a, o) => Activations.Tanh<float>(a, o), 1e-30f)[0]);
    }

    [Fact]
    public void EluKeepsTheSignOfZero()
    {
        // ELU(x) = α·(eˣ − 1) for x ≤ 0, and e^(−0) − 1 = −0: the sign kept as tanh, GELU and SiLU keep it. Before: +0 on
        // the float vector paths (the range reduction's −0 + 0), −0 on the scalar path and in double.
        Assert.True(float.IsNegative(Run((a, o) => Activations.Elu<float>(a, o, 1.5f), -0f)[0]));
        Assert.True(float.IsPositive(Run((a, o) => Activations.Elu<float>(a, o, 1.5f), 0f)[0]));
        Assert.True(float.IsNegative(Run((a, o) => { a.CopyTo(o); Rows.AddBiasActivation<float>(o, [], 1, o.Length, Activation.Elu(1.5)); }, -0f)[0]));
        double[] y = new double[37];
        Activations.Elu<double>(new double[37].Select(_ => -0.0).ToArray(), y, 1.5);
        Assert.All(y, v => Assert.True(double.IsNegative(v) && v == 0));
    }

    [Fact]
    public void GeluFamilyMatchesPyTorchAtInfinities()
    {
        foreach (Action<float[], float[]> op in new Action<float[], float[]>[]
                 { (a, o) => Activations.Gelu<float>(a, o), (a, o) => Activations.GeluTanh<float>(a, o), (a, o) => Activations.Silu<float>(a, o) })
        {
            Assert.Equal(float.PositiveInfinity, Run(op, float.PositiveInfinity)[0]);
            Assert.True(float.IsNaN(Run(op, float.NegativeInfinity)[0])); // -∞·0, as torch 1.13
            Assert.True(float.IsNaN(Run(op, float.NaN)[0]));
            Assert.Equal(100f, Run(op, 100f)[0]);
        }
        Assert.Equal(-1f * 0.7f, Run((a, o) => Activations.Elu<float>(a, o, 0.7f), float.NegativeInfinity)[0]);
    }

    // The backward kernels' documented special values, on spans long enough for every path's vector body and tail.
    [Fact]
    public void LeakyAndParametricReluBackwardSendANaNInputDownTheNegativeBranch()
    {
        const int n = 37;
        var x = Enumerable.Repeat(float.NaN, n).ToArray();
        var dy = Enumerable.Repeat(3f, n).ToArray();
        var dx = new float[n];
        Activations.LeakyReluBackward<float>(x, dy, dx, 0.25f);
        Assert.All(dx, v => Assert.Equal(0.75f, v)); // x > 0 is false for NaN, as PyTorch's leaky_relu_backward
        Activations.PReluBackward<float>(x, dy, [0.25f], 1, dx, new float[1]);
        Assert.All(dx, v => Assert.Equal(0.75f, v));

        dy[n - 1] = float.NaN;
        Activations.LeakyReluBackward<float>(Enumerable.Repeat(1f, n).ToArray(), dy, dx, 0.25f);
        Assert.True(float.IsNaN(dx[n - 1]));
        Assert.Equal(3f, dx[0]);
    }

    [Fact]
    public void ANaNGradientSpoilsItsWholeSoftmaxRowAndNoOther()
    {
        const int cols = 37;
        var y = new float[2 * cols];
        Activations.Softmax<float>(Enumerable.Range(0, 2 * cols).Select(i => (float)(i % 5)).ToArray(), y, 2, cols);
        var dy = Enumerable.Repeat(1f, 2 * cols).ToArray();
        dy[3] = float.NaN; // row 0 only
        var dx = new float[2 * cols];

        Activations.SoftmaxBackward<float>(y, dy, dx, 2, cols);
        Assert.All(dx[..cols], v => Assert.True(float.IsNaN(v)));
        Assert.All(dx[cols..], v => Assert.False(float.IsNaN(v)));

        var logY = new float[2 * cols];
        Activations.LogSoftmax<float>(Enumerable.Range(0, 2 * cols).Select(i => (float)(i % 5)).ToArray(), logY, 2, cols);
        Activations.LogSoftmaxBackward<float>(logY, dy, dx, 2, cols);
        Assert.All(dx[..cols], v => Assert.True(float.IsNaN(v)));
        Assert.All(dx[cols..], v => Assert.False(float.IsNaN(v)));
    }
}
