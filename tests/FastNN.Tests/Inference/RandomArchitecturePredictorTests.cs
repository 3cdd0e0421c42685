using System.Numerics;
using FastNN.Inference;
using FastNN.Models;
using FastNN.Tests.Gemm;
using FastNN.Tests.Models;
using FsCheck.Xunit;

namespace FastNN.Tests.Inference;

/// <summary>
/// Predictor's documented promises on random architectures (RandomArchitectures: every layer kind, nested blocks,
/// float and double) and random batches of 1 to 70 rows: every row within tol·(1 + max|s|) of Sequential.Forward in
/// evaluation mode (whatever the mode of the model it was built from), bit-identical alone, in any slice of the batch, and in chunks of any size.
/// </summary>
public class RandomArchitecturePredictorTests
{
    [Property(MaxTest = 60, EndSize = 1 << 30)]
    public void FloatRowsAgreeWithSequentialAndDoNotDependOnTheBatch(int seed) => Check<float>(seed, 1e-5);

    [Property(MaxTest = 60, EndSize = 1 << 30)]
    public void DoubleRowsAgreeWithSequentialAndDoNotDependOnTheBatch(int seed) => Check<double>(seed, 1e-12);

    private static void Check<T>(int seed, double tol) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Sequential<T> model = RandomArchitectures.Trained<T>(seed);
        var random = new Random(~seed);
        int batch = 1 + random.Next(RandomArchitectures.MaxBatch), inputs = model.InputSize, outputs = model.OutputSize;
        T[] x = RandomArchitectures.Input<T>(random, batch, inputs);
        model.Training = random.Next(2) == 0; // the predictor runs in evaluation mode whatever the model's
        var predictor = new Predictor<T>(model);
        int chunkRows = 1 + random.Next(batch);
        var chunked = new Predictor<T>(model, chunkRows: chunkRows);
        model.Training = false;
        T[] reference = model.Forward(x, batch).ToArray();

        T[] all = new T[batch * outputs], inChunks = new T[batch * outputs];
        predictor.Predict(x, all, batch);
        chunked.Predict(x, inChunks, batch);
        int start = random.Next(batch), length = 1 + random.Next(batch - start);
        T[] slice = new T[length * outputs];
        predictor.Predict(x.AsSpan(start * inputs, length * inputs), slice, length);
        T[] alone = new T[outputs];
        string at = $"seed {seed}, batch {batch}:\n{predictor.Describe()}";
        for (int r = 0; r < batch; r++)
        {
            predictor.Predict(x.AsSpan(r * inputs, inputs), alone, 1);
            double max = 0;
            for (int c = 0; c < outputs; c++)
                max = Math.Max(max, Math.Abs(double.CreateTruncating(reference[r * outputs + c])));
            for (int c = 0; c < outputs; c++)
            {
                int i = r * outputs + c;
                Assert.True(GemmAssert.BitEquals(alone[c], all[i]), $"row {r} column {c}: {alone[c]:R} alone, {all[i]:R} in the batch; {at}");
                Assert.True(GemmAssert.BitEquals(inChunks[i], all[i]), $"row {r} column {c}: {inChunks[i]:R} in chunks of {chunkRows}, {all[i]:R} in one; {at}");
                if (r >= start && r < start + length)
                    Assert.True(GemmAssert.BitEquals(slice[i - start * outputs], all[i]), $"row {r} column {c}: {slice[i - start * outputs]:R} in rows {start}..{start + length - 1}, {all[i]:R} in all; {at}");
                double p = double.CreateTruncating(all[i]), s = double.CreateTruncating(reference[i]);
                Assert.True(Math.Abs(p - s) <= tol * (1 + max) || (double.IsNaN(p) && double.IsNaN(s)),
                    $"row {r} column {c}: predictor {p:R}, Sequential {s:R}, bound {tol * (1 + max):R}; {at}");
            }
        }
    }
}
