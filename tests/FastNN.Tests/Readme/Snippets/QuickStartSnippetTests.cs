#region README
using FastNN.Data;
using FastNN.Inference;
using FastNN.IO;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;

#endregion
namespace FastNN.Tests.Readme.Snippets;

/// <summary>The README's quick start, verbatim between the regions (ReadmeSnippetTests checks it against the README), run
/// as a user runs it from a folder holding <c>data/</c>: the test assembly's folder, where the project copies the data.</summary>
[Collection(nameof(ReadmeSnippetCollection))]
public class QuickStartSnippetTests
{
    [Fact]
    public void QuickStartRunsAndItsClaimsHold()
    {
        ReadmeSnippetCollection.AssertRunFromTheTestFolder();
        try
        {
            #region README
            Dataset<float> data = Csv.Read<float>("data/digits.csv.gz");          // header row, target in the last column
            var (rawTrain, rawTest) = data.Split(0.2, seed: 0, stratified: true);
            Standardizer standardizer = Standardizer.Fit(rawTrain);                // statistics from training rows only
            Dataset<float> train = standardizer.Transform(rawTrain), test = standardizer.Transform(rawTest);

            Sequential<float> model = new SequentialBuilder<float>(64).Dense(64).Relu().Dense(10).Build(maxBatch: 64, seed: 1);
            var optimizer = new AdamW<float>(model.Parameters.Length, learningRate: 1e-3, weightDecay: 1e-2,
                groups: ParameterGroup.DecayWeightsOnly(model.ParameterTensors));  // no decay on biases and norm parameters
            var trainer = new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), optimizer,
                TaskKind.MultiClassClassification, new TrainerOptions { Epochs = 15, BatchSize = 32, Seed = 1 });
            trainer.Fit(train);
            Console.WriteLine($"held-out accuracy {trainer.Evaluate(test).Accuracy:P1}");   // about 97-98 %

            // One file holds the weights, the architecture and what predicting needs (safetensors, PyTorch's tensor names).
            ModelFile.Save("digits.safetensors", model, new ModelInfo
            {
                Task = TaskKind.MultiClassClassification,
                ClassLabels = Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray(),
                Input = standardizer,
            });
            SavedModel<float> saved = ModelFile.Load<float>("digits.safetensors");   // evaluation mode; saved.Info has the rest

            // Predict a raw row: the file carries the standardization and the labels; a Predictor is thread-safe, 0 B per call.
            float[] x = rawTest.Row(0).ToArray(), scores = new float[10];
            saved.Info.Input!.Transform<float>(x);
            new Predictor<float>(saved.Model).Predict(x, scores, batch: 1);
            string digit = saved.Info.ClassLabels![Array.IndexOf(scores, scores.Max())];

            // Strict loading into a model you build, as PyTorch's load_state_dict(strict=True): a missing, unexpected or
            // mis-shaped tensor throws ModelFileException listing them all, and the model is left untouched.
            Sequential<float> same = new SequentialBuilder<float>(64).Dense(64).Relu().Dense(10).Build(maxBatch: 64);
            ModelFile.LoadWeights("digits.safetensors", same);
            #endregion

            // "about 97-98 %": 98.1 % on the default path when this was written.
            Assert.InRange(trainer.Evaluate(test).Accuracy, 0.965, 0.99);

            // The loaded model and the strictly loaded one predict what the trained one does.
            float[] rows = test.Features[..(64 * 64)].ToArray();
            model.Training = false;
            float[] expected = model.Forward(rows, 64).ToArray();
            Assert.Equal(expected, saved.Model.Forward(rows, 64).ToArray());
            same.Training = false;
            Assert.Equal(expected, same.Forward(rows, 64).ToArray());
            Assert.Equal(standardizer.Means.ToArray(), saved.Info.Input!.Means.ToArray());
            Assert.Equal("9", saved.Info.ClassLabels![9]);

            // The raw row, standardized with the file's statistics, gets the trained model's class for its standardized row,
            // and that is the row's true digit.
            float[] first = model.Forward(test.Row(0).ToArray(), 1).ToArray();
            Assert.Equal(Array.IndexOf(first, first.Max()).ToString(), digit);
            Assert.Equal(rawTest.Targets[0].ToString(), digit);

            // A model of another shape is refused, naming the tensor, and left as it was.
            Sequential<float> other = new SequentialBuilder<float>(64).Dense(32).Relu().Dense(10).Build(maxBatch: 64);
            float[] before = other.Parameters.ToArray();
            Assert.Contains("0.weight", Assert.Throws<ModelFileException>(() => ModelFile.LoadWeights("digits.safetensors", other)).Message);
            Assert.Equal(before, other.Parameters.ToArray());
        }
        finally
        {
            File.Delete("digits.safetensors");
        }
    }
}
