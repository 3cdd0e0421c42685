#region README
using FastNN.Inference;

#endregion
using FastNN.IO;
using FastNN.Models;
using FastNN.Training;

namespace FastNN.Tests.Readme.Snippets;

/// <summary>The README's "Serving a model" block, verbatim between the regions, run on a model.safetensors of the shape
/// <c>fastnn train</c> writes (64 inputs, 10 digit classes, the labels and an input standardization recorded).</summary>
[Collection(nameof(ReadmeSnippetCollection))]
public class ServingSnippetTests
{
    [Fact]
    public void ServingRunsAndItsClaimsHold()
    {
        ReadmeSnippetCollection.AssertRunFromTheTestFolder();
        Sequential<float> trained = new SequentialBuilder<float>(64).Dense(32).Relu().Dense(10).Build(maxBatch: 8, seed: 3);
        var standardizer = new FastNN.Data.Standardizer(Enumerable.Range(0, 64).Select(i => 0.1 * i).ToArray(),
            Enumerable.Range(0, 64).Select(i => 1 + 0.01 * i).ToArray());
        string[] labels = [.. Enumerable.Range(0, 10).Select(d => $"digit {d}")];
        ModelFile.Save("model.safetensors", trained, new ModelInfo
        {
            Task = TaskKind.MultiClassClassification,
            ClassLabels = labels,
            Input = standardizer,
        });
        try
        {
            #region README
            // model.safetensors as `fastnn train` writes it: the digits, 64 pixels in, 10 classes out.
            var predictor = Predictor<float>.Load("model.safetensors");   // or new Predictor<float>(model): a snapshot in evaluation mode
            int batch = 4;
            float[] input = new float[batch * predictor.InputSize], output = new float[batch * predictor.OutputSize];
            predictor.Predict(input, output, batch);                       // the model itself: [batch, InputSize] -> [batch, OutputSize]
            float[] row = new float[predictor.InputSize], probabilities = new float[predictor.ClassLabels.Count];
            int c = predictor.Classify(row, probabilities);                // classification: each class's probability; label ClassLabels[c]
            // A regression model's file: predictor.PredictValues(features, values, batch), raw features in, values in the target's
            // units out (on a classifier it throws InvalidOperationException, as Classify does on a regression model).
            #endregion

            // Predict is the model on its own inputs (no standardization), each of the batch's rows alike.
            trained.Training = false;
            float[] expected = trained.Forward(input, batch).ToArray();
            float scale = 1 + expected.Max(Math.Abs);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(output[i] - expected[i]) <= 1e-5f * scale, $"output[{i}] {output[i]} against {expected[i]}");

            // Classify standardizes the raw row with the file's statistics, and gives the softmax and its most probable class.
            float[] standardized = [.. row];
            standardizer.Transform<float>(standardized);
            float[] logits = trained.Forward(standardized, 1).ToArray();
            double max = logits.Max(), sum = logits.Sum(z => Math.Exp(z - max));
            for (int k = 0; k < 10; k++)
                Assert.Equal(Math.Exp(logits[k] - max) / sum, probabilities[k], 1e-6);
            Assert.Equal(Array.IndexOf(probabilities, probabilities.Max()), c);
            Assert.Equal(labels, predictor.ClassLabels);

            // The comment's claim about a classifier's file.
            Assert.Throws<InvalidOperationException>(() => predictor.PredictValues(row, new float[predictor.OutputSize], 1));
        }
        finally
        {
            File.Delete("model.safetensors");
        }
    }
}
