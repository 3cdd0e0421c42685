using System.Numerics;
using System.Runtime.Intrinsics;
using FastNN.Intrinsics;
using FastNN.Losses;
using FastNN.Tests.Gemm;
using FsCheck.Xunit;

namespace FastNN.Tests.Losses;

/// <summary>
/// A row's loss gradient does not depend on the batch it is in: for every loss, rows of 1 to 3·(widest vector) + 1
/// features (half the cases shorter than a Vector128), each computed alone (batch 1), and the same rows in a batch of 1
/// to 70 (into a separate gradient or in place), give gradients whose bits differ only by the mean's 1/batch: in the batch,
/// the row's gradient is its gradient alone times 1/batch, rounded once, bit for bit. Rows shorter than a vector, one
/// vector of each width, and vectors with a tail; float and double; on whatever instruction-set path the run takes.
/// The softmax and log-softmax row kernels (forward and backward) give a row alone the bits it gets in the batch.
/// </summary>
public class LossRowTests
{
    [Property(MaxTest = 60)]
    public void FloatRowGradientsDoNotDependOnTheBatch(int seed) => Check<float>(seed);

    [Property(MaxTest = 60)]
    public void DoubleRowGradientsDoNotDependOnTheBatch(int seed) => Check<double>(seed);

    [Property(MaxTest = 30)]
    public void FloatSoftmaxRowsDoNotDependOnTheBatch(int seed) => CheckRowKernels<float>(seed);

    [Property(MaxTest = 30)]
    public void DoubleSoftmaxRowsDoNotDependOnTheBatch(int seed) => CheckRowKernels<double>(seed);

    private const int MaxBatch = 70;

    private static int MaxFeatures<T>() where T : unmanaged => 3 * Vector512<T>.Count + 1;

    private static void Check<T>(int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        // Half the rows shorter than a Vector128, where a span alone once took the scalar operator.
        int features = 1 + random.Next(random.Next(2) == 0 ? Vector128<T>.Count - 1 : MaxFeatures<T>()), batch = 1 + random.Next(MaxBatch);
        bool inPlace = random.Next(2) == 0;
        double delta = 0.25 + 2 * random.NextDouble();
        (string Name, ILoss<T> Loss, bool Labels)[] losses =
        [
            ("MSE", new MseLoss<T>(), false), ("BCE-with-logits", new BceWithLogitsLoss<T>(), false),
            ($"Huber δ = {delta}", new HuberLoss<T>(delta), false), ("softmax cross-entropy", new SoftmaxCrossEntropyLoss<T>(), true),
        ];
        foreach ((string name, ILoss<T> loss, bool labels) in losses)
        {
            T[] p = Values<T>(random, batch * features, 8), t;
            if (labels)
                t = [.. Enumerable.Range(0, batch).Select(_ => T.CreateTruncating(random.Next(features)))];
            else if (name.StartsWith("BCE", StringComparison.Ordinal))
                t = [.. Enumerable.Range(0, batch * features).Select(_ => T.CreateTruncating(random.Next(3) == 0 ? random.Next(2) : random.NextDouble()))];
            else
                t = Values<T>(random, batch * features, 8);
            int targetsPerRow = labels ? 1 : features;
            T[] all = new T[p.Length];
            T[] pIn = inPlace ? (T[])p.Clone() : p;
            loss.Compute(pIn, t, inPlace ? pIn : all, batch);
            if (inPlace)
                all = pIn;
            T inverseBatch = T.One / T.CreateTruncating(batch);
            T[] alone = new T[features];
            for (int row = 0; row < batch; row++)
            {
                T[] rowP = p.AsSpan(row * features, features).ToArray(), rowT = t.AsSpan(row * targetsPerRow, targetsPerRow).ToArray();
                loss.Compute(rowP, rowT, alone, 1);
                for (int j = 0; j < features; j++)
                {
                    T expected = alone[j] * inverseBatch, actual = all[row * features + j];
                    Assert.True(GemmAssert.BitEquals(expected, actual),
                        $"{name}, seed {seed}: row {row} of {batch} ({features} features{(inPlace ? ", in place" : "")}), element {j} " +
                        $"(p = {rowP[j]:R}): {actual:R} in the batch, {alone[j]:R} alone (× 1/{batch} = {expected:R})");
                }
            }
        }
    }

    private static void CheckRowKernels<T>(int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        int cols = 1 + random.Next(MaxFeatures<T>()), rows = 1 + random.Next(MaxBatch), row = random.Next(rows);
        T[] x = Values<T>(random, rows * cols, 20), dy = Values<T>(random, rows * cols, 2);
        T[] rowX = x.AsSpan(row * cols, cols).ToArray(), rowDy = dy.AsSpan(row * cols, cols).ToArray();
        foreach (bool log in new[] { false, true })
        {
            string name = log ? "log-softmax" : "softmax";
            T[] y = new T[x.Length], dx = new T[x.Length], rowY = new T[cols], rowDx = new T[cols];
            if (log)
            {
                Activations.LogSoftmax<T>(x, y, rows, cols);
                Activations.LogSoftmax<T>(rowX, rowY, 1, cols);
                Activations.LogSoftmaxBackward<T>(y, dy, dx, rows, cols);
                Activations.LogSoftmaxBackward<T>(rowY, rowDy, rowDx, 1, cols);
            }
            else
            {
                Activations.Softmax<T>(x, y, rows, cols);
                Activations.Softmax<T>(rowX, rowY, 1, cols);
                Activations.SoftmaxBackward<T>(y, dy, dx, rows, cols);
                Activations.SoftmaxBackward<T>(rowY, rowDy, rowDx, 1, cols);
            }
            for (int j = 0; j < cols; j++)
            {
                int i = row * cols + j;
                Assert.True(GemmAssert.BitEquals(rowY[j], y[i]), $"{name}, seed {seed}: row {row} of {rows} ({cols} columns), column {j}: {rowY[j]:R} alone, {y[i]:R} in the batch");
                Assert.True(GemmAssert.BitEquals(rowDx[j], dx[i]), $"{name} backward, seed {seed}: row {row} of {rows} ({cols} columns), column {j}: {rowDx[j]:R} alone, {dx[i]:R} in the batch");
            }
        }
    }

    /// <summary>Values uniform in (−range, range).</summary>
    private static T[] Values<T>(Random random, int count, double range) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new T[count];
        for (int i = 0; i < count; i++)
            values[i] = T.CreateTruncating(range * (2 * random.NextDouble() - 1));
        return values;
    }
}
