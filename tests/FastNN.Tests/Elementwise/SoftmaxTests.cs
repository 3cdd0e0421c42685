using System.Numerics;
using FastNN.Intrinsics;
using FsCheck.Xunit;

namespace FastNN.Tests.Elementwise;

/// <summary>Row-wise softmax and log-softmax and their derivatives against double references.</summary>
public class SoftmaxTests
{
    private static (int Rows, int Cols) Shape(Random rng) => (1 + rng.Next(5), TestData.Size(rng, 140));

    [Property(MaxTest = 40)]
    public void SoftmaxMatchesReferenceAndRowsSumToOne(int seed)
    {
        Softmax<float>(seed);
        Softmax<double>(seed);
    }

    private static void Softmax<T>(int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        (int rows, int cols) = Shape(rng);
        T[] x = TestData.Finite<T>(rng, rows * cols, rng.Next(2) == 0 ? 3 : 300);
        var y = new T[x.Length];
        Activations.Softmax<T>(x, y, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity, sum = 0, actualSum = 0;
            for (int c = 0; c < cols; c++)
                max = Math.Max(max, Tolerance.D(x[r * cols + c]));
            for (int c = 0; c < cols; c++)
                sum += Math.Exp(Tolerance.D(x[r * cols + c]) - max);
            for (int c = 0; c < cols; c++)
            {
                double shifted = Tolerance.D(x[r * cols + c]) - max;
                // x − m is rounded in T: e^{x−m} amplifies that by |x − m|.
                Tolerance.AssertClose(Math.Exp(shifted) / sum, y[r * cols + c], 6, $"softmax<{typeof(T).Name}>[{r},{c}]",
                    Math.Exp(shifted) / sum * (1 + Math.Abs(shifted)));
                actualSum += Tolerance.D(y[r * cols + c]);
            }
            if (cols > 0)
                Assert.True(Math.Abs(actualSum - 1) <= (cols + 4) * Tolerance.Epsilon<T>(), $"row {r} sums to {actualSum:R}");
        }
        T[] inPlace = (T[])x.Clone();
        Activations.Softmax<T>(inPlace, inPlace, rows, cols);
        Assert.Equal(y, inPlace);
    }

    [Property(MaxTest = 40)]
    public void LogSoftmaxMatchesReference(int seed)
    {
        LogSoftmax<float>(seed);
        LogSoftmax<double>(seed);
    }

    private static void LogSoftmax<T>(int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        (int rows, int cols) = Shape(rng);
        T[] x = TestData.Finite<T>(rng, rows * cols, rng.Next(2) == 0 ? 3 : 300);
        var y = new T[x.Length];
        Activations.LogSoftmax<T>(x, y, rows, cols);
        AssertLogSoftmax(x, y, rows, cols);
    }

    /// <summary>
    /// y = (x − m) − log Σ e^{x−m} per row, within ε·(2(|x − m| + log Σ) + cols + 8): the subtractions and the log round
    /// within ε of their magnitudes, and the sum of cols positive terms is within (cols − 1)·u (any order) plus what the
    /// rounding of x − m does to its exponentials (Σ t·|log t|/Σ ≤ cols/e, times u), which log Σ takes as an absolute
    /// error. The bound was (cols + 4)·ε·(|x − m| + log Σ + |m|), the sum's error scaled by the magnitudes: a log Σ off by
    /// 1e-5 relative passed at 50 columns in float.
    /// </summary>
    private static void AssertLogSoftmax<T>(T[] x, T[] y, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int c = 0; c < cols; c++)
                max = Math.Max(max, Tolerance.D(x[r * cols + c]));
            for (int c = 0; c < cols; c++)
                sum += Math.Exp(Tolerance.D(x[r * cols + c]) - max);
            double logSum = Math.Log(sum);
            for (int c = 0; c < cols; c++)
            {
                double shifted = Tolerance.D(x[r * cols + c]) - max;
                Tolerance.AssertClose(shifted - logSum, y[r * cols + c], 1, $"log_softmax<{typeof(T).Name}>[{r},{c}] of {cols}",
                    2 * (Math.Abs(shifted) + logSum) + cols + 8);
            }
        }
    }

    [Fact]
    public void LogSoftmaxOfRowsLongerThanItsExponentialChunksMatchesReferenceInPlaceToo()
    {
        WideLogSoftmax<float>();
        WideLogSoftmax<double>();
    }

    // 2,500 columns: the sum of exponentials runs over chunks of 1,024 (two whole, one partial).
    private static void WideLogSoftmax<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int rows = 3, cols = 2500;
        var rng = new Random(5);
        T[] x = TestData.Finite<T>(rng, rows * cols, 3);
        var y = new T[x.Length];
        Activations.LogSoftmax<T>(x, y, rows, cols);
        T[] inPlace = (T[])x.Clone();
        Activations.LogSoftmax<T>(inPlace, inPlace, rows, cols);
        Assert.Equal(y, inPlace);
        AssertLogSoftmax(x, y, rows, cols);
    }

    [Property(MaxTest = 40)]
    public void BackwardsMatchReference(int seed)
    {
        Backwards<float>(seed);
        Backwards<double>(seed);
    }

    private static void Backwards<T>(int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        (int rows, int cols) = Shape(rng);
        T[] x = TestData.Finite<T>(rng, rows * cols, 3);
        T[] dy = TestData.Finite<T>(rng, rows * cols, 1);
        var y = new T[x.Length];
        var logY = new T[x.Length];
        Activations.Softmax<T>(x, y, rows, cols);
        Activations.LogSoftmax<T>(x, logY, rows, cols);
        var dx = new T[x.Length];
        var dxLog = new T[x.Length];
        Activations.SoftmaxBackward<T>(y, dy, dx, rows, cols);
        Activations.LogSoftmaxBackward<T>(logY, dy, dxLog, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            double dot = 0, dotAbs = 0, sumDy = 0, sumAbs = 0;
            for (int c = 0; c < cols; c++)
            {
                int i = r * cols + c;
                dot += Tolerance.D(y[i]) * Tolerance.D(dy[i]);
                dotAbs += Math.Abs(Tolerance.D(y[i]) * Tolerance.D(dy[i]));
                sumDy += Tolerance.D(dy[i]);
                sumAbs += Math.Abs(Tolerance.D(dy[i]));
            }
            for (int c = 0; c < cols; c++)
            {
                int i = r * cols + c;
                double yi = Tolerance.D(y[i]), g = Tolerance.D(dy[i]), p = Math.Exp(Tolerance.D(logY[i]));
                // dx = y·(dy − Σ y·dy);  dx = dy − e^y·Σ dy
                Tolerance.AssertClose(yi * (g - dot), dx[i], 4 + cols, $"softmax′<{typeof(T).Name}>[{r},{c}]", yi * (Math.Abs(g) + dotAbs));
                Tolerance.AssertClose(g - p * sumDy, dxLog[i], 4 + cols, $"log_softmax′<{typeof(T).Name}>[{r},{c}]", Math.Abs(g) + p * sumAbs);
            }
        }
        T[] inPlace = (T[])dy.Clone();
        Activations.SoftmaxBackward<T>(y, inPlace, inPlace, rows, cols);
        Assert.Equal(dx, inPlace);
    }

    /// <summary>
    /// A dominant logit (20 against 999 zeros): its probability is 1 − 2.06e-6, not 1. Each path sums the small terms in
    /// several accumulators (lanes × 4; 4 on the scalar path, where one accumulator rounded every term after the dominant
    /// one away, so p was 1), and only those that share the dominant one's accumulator are lost: at most a quarter,
    /// plus the float roundings of the sum and of 1/sum (1.5e-7 together), so 1 − p is within 40 % of the true excess.
    /// </summary>
    [Fact]
    public void ADominantLogitKeepsMostSmallTermsOnEveryPath()
    {
        const int Classes = 1000;
        double excess = (Classes - 1) * Math.Exp(-20.0), below = excess / (1 + excess);
        foreach (int dominant in new[] { 0, 3, 517, Classes - 1 })
        {
            float[] x = new float[Classes], y = new float[Classes];
            x[dominant] = 20;
            Activations.Softmax<float>(x, y, 1, Classes);
            double lost = 1 - (double)y[dominant];
            Assert.True(Math.Abs(lost - below) <= 0.4 * below, $"dominant {dominant}: 1 − p = {lost:R}, expected {below:R}");
        }
    }

    [Fact]
    public void HugeAndTinyRowsStayFinite()
    {
        var x = new float[] { 1000, 1000, 1e30f, 0, -1e30f, 1e30f, 1e-30f, 2e-30f, -1000, -1000 };
        var y = new float[x.Length];
        Activations.Softmax<float>(x, y, 5, 2);
        Assert.Equal(new float[] { 0.5f, 0.5f, 1, 0, 0, 1, 0.5f, 0.5f, 0.5f, 0.5f }, y);
        Activations.LogSoftmax<float>(x, y, 5, 2);
        Assert.All(y, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(-MathF.Log(2), y[0], 1e-6f);
        Assert.Equal(0f, y[2]);
        Assert.Equal(-1e30f, y[3]);
        Assert.Equal(-2e30f, y[4]);
        Assert.Equal(-MathF.Log(2), y[6], 1e-6f);

        // A long row (vector paths) of equal huge values.
        var row = Enumerable.Repeat(float.MaxValue, 100).ToArray();
        var s = new float[100];
        Activations.Softmax<float>(row, s, 1, 100);
        Assert.All(s, v => Assert.Equal(0.01f, v, 1e-8f));
    }
}
