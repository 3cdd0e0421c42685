using System.Globalization;
using FastNN.Data;
using FastNN.Gradients;
using FastNN.Inference;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;

namespace FastNN.Tests.Training;

// The values a message quotes from the caller's data are written as the data and every file write them, as the Dataset's
// and ClassLabels' messages already were. Under de-DE the loss said "target[1] = 0,5", the trainer "is 1,5", and the
// predictor's message, invariant in its first half, "standardizes to -3,0000000054977558E+41 (μ = 2, σ = 0,001 …)"; under sv-SE a
// negative value was written with U+2212 and an infinity as ∞.
public sealed class MessageCultureTests
{
    [Theory]
    [InlineData("de-DE")] // ',' as the decimal point
    [InlineData("sv-SE")] // U+2212 as the minus sign
    public void MessagesQuoteValuesWithAPointAndAHyphenMinusWhateverTheCurrentCulture(string culture)
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo(culture);
        try
        {
            double[] x = [1, 2, 3, 4];
            var loss = Assert.Throws<ArgumentException>(() => new SoftmaxCrossEntropyLoss<double>().Compute(x, [1, -0.5], new double[4], 2));
            Assert.Contains("target[1] = -0.5 is not", loss.Message);
            var metric = Assert.Throws<ArgumentException>(() => Metrics.BinaryAccuracy<double>([1, 2], [0, 0.5]));
            Assert.Contains("labels[1] = 0.5 is neither", metric.Message);

            var model = new Sequential<double>([new Dense<double>(1, 1)], maxBatch: 2, seed: 1);
            var trainer = new Trainer<double>(model, new BceWithLogitsLoss<double>(), new Sgd<double>(model.Parameters.Length, learningRate: 0.1), TaskKind.BinaryClassification);
            var target = Assert.Throws<ArgumentException>(() => trainer.Fit(new Dataset<double>([1, 2], [0, 1.5], 1)));
            Assert.Contains("the target of row 1 (counting from 0) is 1.5;", target.Message);
            var guard = new NonFiniteGradientException("0.weight", 0, 3, double.NegativeInfinity);
            Assert.Contains("is -Infinity at element 3", guard.Message);

            var info = new ModelInfo { Input = new Standardizer([2], [1e-3]) };
            var predictor = new Predictor<float>(new Sequential<float>([new Dense<float>(1, 1)], maxBatch: 1, seed: 1), info);
            var feature = Assert.Throws<ArgumentException>(() => predictor.PredictValues([-3e38f], new float[1], 1));
            Assert.Contains("is -3E+38 (counting from 0), which standardizes to -3.0000000054977558E+41 (μ = 2, σ = 0.001 as recorded)", feature.Message);

            // Found at review-s31e: a plain SGD's state that records a momentum read "momentum 0,5" under de-DE.
            var sgd = new Sgd<double>(2, 0.1);
            OptimizerState<double> state = sgd.SaveState();
            state = state with { HyperParameters = new Dictionary<string, double>(state.HyperParameters) { ["momentum"] = 0.5 } };
            Assert.Contains("The state's momentum 0.5 and this optimizer's 0 differ", Assert.Throws<ArgumentException>(() => sgd.LoadState(state)).Message);
            // So did a reversed range "[0,5, -1,5)" and the gradient check's tolerance "(-0,5)".
            Assert.Contains("The range [0.5, -1.5) must be", Assert.Throws<ArgumentOutOfRangeException>(() => new FastRandom(1).NextDouble(0.5, -1.5)).Message);
            var tolerance = Assert.Throws<ArgumentOutOfRangeException>(() => GradientCheck.CheckLoss(new MseLoss<double>(), [1.0], [0.0], 1, new GradientCheckOptions { AbsoluteTolerance = -0.5 }));
            Assert.Contains("options.AbsoluteTolerance (-0.5) and options.RelativeTolerance (", tolerance.Message);
            // And a model description's negative integers, "$.input_size is −3" under sv-SE.
            string description = "{\"format\":\"fastnn.sequential\",\"version\":-1,\"input_size\":-3,\"layers\":[{\"type\":\"LayerNorm\",\"normalized_shape\":-4}]}";
            Assert.Contains("$.version is -1;", Assert.Throws<FormatException>(() => Sequential<float>.FromJson(description)).Message);
            Assert.Contains("$.input_size is -3;", Assert.Throws<FormatException>(() => Sequential<float>.FromJson(description.Replace("-1", "1", StringComparison.Ordinal))).Message);
            Assert.Contains("normalized_shape is -4 but", Assert.Throws<FormatException>(() => Sequential<float>.FromJson(description.Replace("-1", "1", StringComparison.Ordinal).Replace("-3", "3", StringComparison.Ordinal))).Message);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }
}
