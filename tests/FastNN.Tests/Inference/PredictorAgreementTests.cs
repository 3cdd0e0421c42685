using FastNN.Inference;
using FastNN.Layers;
using FastNN.Models;
using FastNN.Tests.Layers;
using FastNN.Tests.Models;

namespace FastNN.Tests.Inference;

/// <summary>
/// Predictor&lt;T&gt;.Predict against Sequential&lt;T&gt;.Forward in evaluation mode, on every layer type, batches 1 to
/// 300: within the documented |p − s| ≤ tol·(1 + max|s|) per row, tol = 1e-5 (float) and 1e-12 (double).
/// </summary>
public class PredictorAgreementTests
{
    private const double FloatTolerance = 1e-5, DoubleTolerance = 1e-12;

    /// <summary>Batch sizes: the panel kernel's tiles (1-4), the packed GEMM (5 up), whole and partial chunks of 64 rows, 300.</summary>
    private static readonly int[] Batches = [1, 2, 3, 4, 5, 7, 16, 33, 64, 65, 130, 300];

    public static TheoryData<string> Models => new()
    {
        // Every Dense + activation pair the predictor fuses, and Dense without bias or activation.
        """[{"type":"Linear","out_features":40},{"type":"ReLU"},{"type":"Linear","out_features":33},{"type":"LeakyReLU","negative_slope":0.1},{"type":"Linear","out_features":20,"bias":false}]""",
        """[{"type":"Linear","out_features":35},{"type":"ELU","alpha":0.5},{"type":"Linear","out_features":17},{"type":"GELU"},{"type":"Linear","out_features":9},{"type":"GELU","approximate":"tanh"}]""",
        """[{"type":"Linear","out_features":30},{"type":"SiLU"},{"type":"Linear","out_features":31},{"type":"Sigmoid"},{"type":"Linear","out_features":32},{"type":"Tanh"},{"type":"Linear","out_features":5},{"type":"Softplus","beta":2,"threshold":4}]""",
        """[{"type":"Linear","out_features":24},{"type":"PReLU"},{"type":"Linear","out_features":24},{"type":"PReLU","num_parameters":24},{"type":"Dropout","p":0.4},{"type":"Linear","out_features":10},{"type":"Softmax"}]""",
        // Normalization with running statistics, residual blocks (with and without projection), concat, log-softmax.
        """[{"type":"Linear","out_features":20,"bias":false},{"type":"BatchNorm1d"},{"type":"ReLU"},{"type":"Residual","body":[{"type":"Linear","out_features":20},{"type":"LayerNorm"},{"type":"GELU"}]},{"type":"Concat","body":[{"type":"Linear","out_features":6},{"type":"SiLU"}]},{"type":"Residual","body":[{"type":"Linear","out_features":12},{"type":"Tanh"}]},{"type":"Linear","out_features":7},{"type":"LogSoftmax"}]""",
        // An activation first (not fused), a lone Dense last, and Dropout between.
        """[{"type":"Tanh"},{"type":"Dropout","p":0.5},{"type":"Linear","out_features":3}]""",
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void AgreesWithSequentialInEvaluationMode(string layers)
    {
        string json = $$"""{"format":"fastnn.sequential","version":1,"input_size":19,"max_batch":300,"layers":{{layers}}}""";
        var random = new Random(layers.Length);
        var reference = Sequential<double>.FromJson(json, seed: 5);
        TestData.Randomize(reference, random);
        reference.Training = false;
        var single = Sequential<float>.FromJson(json, seed: 5);
        for (int i = 0; i < reference.Parameters.Length; i++)
            single.Parameters[i] = (float)reference.Parameters[i];
        for (int i = 0; i < reference.State.Length; i++)
            single.State[i] = (float)reference.State[i];
        single.Training = false;
        // Chunks of 64 rows, so 65, 130 and 300 also cross chunk boundaries.
        var predictor = new Predictor<double>(reference, chunkRows: 64);
        var predictorF = new Predictor<float>(single, chunkRows: 64);

        double[] x = TestData.Uniform(random, 300 * 19, 2);
        float[] xF = x.Select(v => (float)v).ToArray();
        foreach (int batch in Batches)
        {
            double[] expected = reference.Forward(x.AsSpan(0, batch * 19), batch).ToArray();
            var actual = new double[expected.Length];
            predictor.Predict(x.AsSpan(0, batch * 19), actual, batch);
            Close(expected, actual, reference.OutputSize, DoubleTolerance, $"double, batch {batch}");

            float[] expectedF = single.Forward(xF.AsSpan(0, batch * 19), batch).ToArray();
            var actualF = new float[expectedF.Length];
            predictorF.Predict(xF.AsSpan(0, batch * 19), actualF, batch);
            Close(expectedF.Select(v => (double)v).ToArray(), actualF.Select(v => (double)v).ToArray(), single.OutputSize, FloatTolerance, $"float, batch {batch}");
        }
    }

    [Fact]
    public void RunsAUserLayer()
    {
        var random = new Random(3);
        Sequential<double> model = TestData.Model(random, 8, new Dense<double>(5, 6), new IdentityLayer<double>(6), new Relu<double>(6), new Dense<double>(6, 2));
        model.Training = false;
        double[] x = TestData.Uniform(random, 8 * 5);
        double[] expected = model.Forward(x, 8).ToArray();
        var actual = new double[expected.Length];
        new Predictor<double>(model).Predict(x, actual, 8);
        Close(expected, actual, 2, DoubleTolerance, "user layer");
    }

    [Fact]
    public void IsASnapshot()
    {
        // Training mode at build time, and later changes to the model, do not reach the predictor.
        var random = new Random(4);
        Sequential<double> model = TestData.Model(random, 4, new Dense<double>(3, 5), new BatchNorm1d<double>(5), new Dropout<double>(5, 0.5), new Dense<double>(5, 2));
        var predictor = new Predictor<double>(model);
        Assert.True(model.Training);
        double[] x = TestData.Uniform(random, 4 * 3);
        var before = new double[8];
        predictor.Predict(x, before, 4);
        model.Training = false;
        double[] expected = model.Forward(x, 4).ToArray();
        Close(expected, before, 2, DoubleTolerance, "built in training mode");
        model.Parameters.Fill(0.25);
        model.State.Fill(2);
        var after = new double[8];
        predictor.Predict(x, after, 4);
        Assert.Equal(before, after);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void APReluSlopeThatIsNotFiniteRunsAsForward(double slope)
    {
        // A diverged run (or a file) can hold any slope. Before: the Dense + one-slope PReLU pair was fused whatever
        // the slope, and the fused kernel's factory refused a non-finite one, so the constructor (and Predictor.Load
        // of such a file) threw ArgumentOutOfRangeException naming 'negativeSlope', where Forward runs.
        var random = new Random(6);
        Sequential<double> model = TestData.Model(random, 6, new Dense<double>(3, 5), new PRelu<double>(5), new Dense<double>(5, 4), new PRelu<double>(4));
        model.SetTensor("1.weight", [slope]);
        model.SetTensor("3.weight", [slope]);
        model.Training = false;
        double[] x = TestData.Uniform(random, 6 * 3, 2);
        x[0] = 0; // a zero pre-activation somewhere: 0·∞ is NaN
        double[] expected = model.Forward(x, 6).ToArray();
        var actual = new double[expected.Length];
        new Predictor<double>(model).Predict(x, actual, 6);
        for (int i = 0; i < expected.Length; i++)
        {
            if (double.IsFinite(expected[i]))
                Assert.True(Math.Abs(actual[i] - expected[i]) <= DoubleTolerance * (1 + Math.Abs(expected[i])), $"element {i}: predictor {actual[i]}, Sequential {expected[i]}");
            else
                Assert.Equal(expected[i], actual[i]);
        }
    }

    private static void Close(double[] expected, double[] actual, int width, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int row = 0; row < expected.Length / width; row++)
        {
            double scale = 1;
            for (int j = 0; j < width; j++)
                scale = Math.Max(scale, 1 + Math.Abs(expected[row * width + j]));
            for (int j = 0; j < width; j++)
            {
                int i = row * width + j;
                Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance * scale,
                    $"{what}: row {row}, column {j}: predictor {actual[i]}, Sequential {expected[i]} (tolerance {tolerance} × {scale}, path {Intrinsics.Isa.Path})");
            }
        }
    }
}
