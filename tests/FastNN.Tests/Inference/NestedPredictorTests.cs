using System.Numerics;
using FastNN.Inference;
using FastNN.Layers;
using FastNN.Models;
using FastNN.Tests.Gemm;

namespace FastNN.Tests.Inference;

/// <summary>
/// The predictor on blocks nested in blocks (Residual in Residual, Concat in Residual, Residual in Concat, a body of
/// only Dropout, unfusable layers inside, Softmax last): every row agrees with Sequential.Forward in evaluation mode
/// within the documented bound, is bit-identical alone and in a batch of 37, and does not change when the model is
/// trained or changed afterwards.
/// </summary>
public class NestedPredictorTests
{
    private const int Rows = 37, Input = 10;

    private static ILayer<T>[] Nested<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
    [
        new Dense<T>(Input, 16), new Relu<T>(16),
        new Residual<T>(
            new Residual<T>(new Dense<T>(16, 16), new LayerNorm<T>(16), new PRelu<T>(16, 16)),
            new Concat<T>(new Dense<T>(16, 5), new BatchNorm1d<T>(5), new Dropout<T>(5, 0.4)),      // 16 -> 21
            new Residual<T>(new Dense<T>(21, 9), new Gelu<T>(9)),                                    // projection 21 -> 9
            new Dense<T>(9, 16), new Sigmoid<T>(16)),
        new Concat<T>(new Residual<T>(new Dropout<T>(16, 0.5)), new Residual<T>(new Dense<T>(16, 3), new PRelu<T>(3)), new Dense<T>(3, 4)), // 16 -> 20
        new Residual<T>(new Dense<T>(20, 7), new Elu<T>(7)),                                          // projection 20 -> 7
        new Softmax<T>(7),
    ];

    /// <summary>
    /// Normalization, Dropout and blocks with no product in them (no Dense, no projection) and no activation to fuse:
    /// the predictor runs each layer's own evaluation pass, so it gives Sequential.Forward's bits, as its remarks say
    /// (the two differ only where a product's summation order or an activation's vector width differs).
    /// </summary>
    [Fact]
    public void WithoutProductsTheFloatPredictorGivesSequentialsBits() => CheckBits<float>();

    [Fact]
    public void WithoutProductsTheDoublePredictorGivesSequentialsBits() => CheckBits<double>();

    private static void CheckBits<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        ILayer<T>[] layers =
        [
            new BatchNorm1d<T>(Input, eps: 1e-3, momentum: 0.4), new LayerNorm<T>(Input),
            new Residual<T>(new BatchNorm1d<T>(Input), new Dropout<T>(Input, 0.5), new LayerNorm<T>(Input), new Tanh<T>(Input)),
            new Concat<T>(new Residual<T>(new LayerNorm<T>(Input), new PRelu<T>(Input, Input)), new Dropout<T>(Input, 0.9)),  // 10 -> 20
            new Residual<T>(new Concat<T>(new Dropout<T>(2 * Input, 0.2)), new Residual<T>(new BatchNorm1d<T>(4 * Input)),     // 20 -> 40
                new Dropout<T>(4 * Input, 1)),
            new Concat<T>(new Dropout<T>(4 * Input, 0.3)), new Softmax<T>(8 * Input),                                         // 40 -> 80
        ];
        var model = new Sequential<T>(layers, maxBatch: Rows, seed: 4);
        var random = new Random(9);
        T[] x = new T[Rows * Input];
        for (int i = 0; i < x.Length; i++)
            x[i] = T.CreateTruncating(4 * random.NextDouble() - 2 + i % 3);
        for (int pass = 0; pass < 3; pass++)
            model.Forward(x, Rows); // running statistics away from their initial values
        for (int i = 0; i < model.Parameters.Length; i++)
            model.Parameters[i] += T.CreateTruncating(0.1 * Math.Cos(i));
        var predictor = new Predictor<T>(model);
        model.Training = false;
        T[] reference = model.Forward(x, Rows).ToArray();
        T[] batched = new T[reference.Length], alone = new T[predictor.OutputSize];
        predictor.Predict(x, batched, Rows);
        for (int r = 0; r < Rows; r++)
        {
            predictor.Predict(x.AsSpan(r * Input, Input), alone, 1);
            for (int c = 0; c < alone.Length; c++)
            {
                int i = r * alone.Length + c;
                Assert.True(GemmAssert.BitEquals(batched[i], reference[i]), $"row {r} column {c}: predictor {batched[i]}, Sequential {reference[i]}");
                Assert.True(GemmAssert.BitEquals(alone[c], reference[i]), $"row {r} column {c}: predictor alone {alone[c]}, Sequential {reference[i]}");
            }
        }
    }

    [Fact]
    public void FloatNestedBlocksAgreeAndDoNotDependOnTheBatch() => Check<float>(1e-5);

    [Fact]
    public void DoubleNestedBlocksAgreeAndDoNotDependOnTheBatch() => Check<double>(1e-12);

    private static void Check<T>(double tol) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var model = new Sequential<T>(Nested<T>(), maxBatch: Rows, seed: 11);
        var random = new Random(5);
        T[] x = new T[Rows * Input];
        for (int i = 0; i < x.Length; i++)
            x[i] = T.CreateTruncating(4 * random.NextDouble() - 2);
        model.Forward(x, Rows); // training pass: running statistics move
        for (int i = 0; i < model.Parameters.Length; i++)   // parameters away from their initial values (LayerNorm, PReLU)
            model.Parameters[i] += T.CreateTruncating(0.05 * Math.Sin(i));
        var predictor = new Predictor<T>(model);
        int outputs = predictor.OutputSize;
        Assert.Equal(7, outputs);

        model.Training = false;
        T[] reference = model.Forward(x, Rows).ToArray();
        T[] batched = new T[Rows * outputs];
        predictor.Predict(x, batched, Rows);
        for (int r = 0; r < Rows; r++)
        {
            T[] alone = new T[outputs];
            predictor.Predict(x.AsSpan(r * Input, Input), alone, 1);
            double max = 0;
            for (int c = 0; c < outputs; c++)
                max = Math.Max(max, Math.Abs(double.CreateTruncating(reference[r * outputs + c])));
            for (int c = 0; c < outputs; c++)
            {
                Assert.True(GemmAssert.BitEquals(alone[c], batched[r * outputs + c]), $"row {r} column {c}: {alone[c]} alone, {batched[r * outputs + c]} in the batch");
                double p = double.CreateTruncating(batched[r * outputs + c]), s = double.CreateTruncating(reference[r * outputs + c]);
                Assert.True(Math.Abs(p - s) <= tol * (1 + max), $"row {r} column {c}: predictor {p}, Sequential {s}");
            }
        }

        // In chunks of 5 rows, and from a model file (saved in T, loaded back): the same bits.
        T[] chunked = new T[Rows * outputs];
        new Predictor<T>(model, chunkRows: 5).Predict(x, chunked, Rows);
        string path = Path.Combine(Path.GetTempPath(), $"nested-{typeof(T).Name}-{Guid.NewGuid():N}.safetensors");
        try
        {
            FastNN.IO.ModelFile.Save(path, model);
            T[] loaded = new T[Rows * outputs];
            Predictor<T>.Load(path).Predict(x, loaded, Rows);
            for (int i = 0; i < loaded.Length; i++)
            {
                Assert.True(GemmAssert.BitEquals(chunked[i], batched[i]), $"element {i}: {chunked[i]} in chunks of 5, {batched[i]} in one");
                Assert.True(GemmAssert.BitEquals(loaded[i], batched[i]), $"element {i}: {loaded[i]} from the file, {batched[i]} from the model");
            }
        }
        finally
        {
            File.Delete(path);
        }

        // Changing the model afterwards leaves the predictor as it was.
        model.Parameters.Fill(T.CreateTruncating(0.25));
        model.State.Fill(T.CreateTruncating(3));
        T[] after = new T[Rows * outputs];
        predictor.Predict(x, after, Rows);
        for (int i = 0; i < after.Length; i++)
            Assert.True(GemmAssert.BitEquals(after[i], batched[i]), $"element {i}: {after[i]} after the model changed, {batched[i]} before");
    }
}
