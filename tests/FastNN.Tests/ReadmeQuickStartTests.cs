using FastNN.Data;
using FastNN.Inference;
using FastNN.IO;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Tests.Data;
using FastNN.Tests.IO;
using FastNN.Training;

namespace FastNN.Tests;

/// <summary>The README's quick start, line for line, so that the README stays true.</summary>
public class ReadmeQuickStartTests
{
    [Fact]
    public void QuickStartReachesTheAccuracyTheReadmeStates()
    {
        Dataset<float> data = Csv.Read<float>(DataFiles.Path("digits.csv.gz"));
        var (rawTrain, rawTest) = data.Split(0.2, seed: 0, stratified: true);
        Standardizer standardizer = Standardizer.Fit(rawTrain);
        Dataset<float> train = standardizer.Transform(rawTrain), test = standardizer.Transform(rawTest);

        Sequential<float> model = new SequentialBuilder<float>(64).Dense(64).Relu().Dense(10).Build(maxBatch: 64, seed: 1);
        var optimizer = new AdamW<float>(model.Parameters.Length, learningRate: 1e-3, weightDecay: 1e-2,
            groups: ParameterGroup.DecayWeightsOnly(model.ParameterTensors));
        var trainer = new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), optimizer,
            TaskKind.MultiClassClassification, new TrainerOptions { Epochs = 15, BatchSize = 32, Seed = 1 });
        trainer.Fit(train);

        double accuracy = trainer.Evaluate(test).Accuracy;
        Assert.InRange(accuracy, 0.965, 1.0);

        using var folder = new TempFolder();
        string path = folder.File("digits.safetensors");
        ModelFile.Save(path, model, new ModelInfo
        {
            Task = TaskKind.MultiClassClassification,
            ClassLabels = Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray(),
            Input = standardizer,
        });
        SavedModel<float> saved = ModelFile.Load<float>(path);

        float[] x = rawTest.Row(0).ToArray(), scores = new float[10];
        saved.Info.Input!.Transform<float>(x);
        new Predictor<float>(saved.Model).Predict(x, scores, batch: 1);
        string digit = saved.Info.ClassLabels![Array.IndexOf(scores, scores.Max())];

        Sequential<float> same = new SequentialBuilder<float>(64).Dense(64).Relu().Dense(10).Build(maxBatch: 64);
        ModelFile.LoadWeights(path, same);

        // The loaded model predicts what the trained one does, and the file carries the standardization.
        float[] rows = test.Features[..(64 * 64)].ToArray();
        model.Training = false;
        float[] expected = model.Forward(rows, 64).ToArray();
        Assert.Equal(expected, saved.Model.Forward(rows, 64).ToArray());
        same.Training = false;
        Assert.Equal(expected, same.Forward(rows, 64).ToArray());
        Assert.Equal(standardizer.Means.ToArray(), saved.Info.Input!.Means.ToArray());
        Assert.Equal("9", saved.Info.ClassLabels![9]);
        // The raw row, standardized with the file's statistics and predicted, gets the trained model's class for it.
        int best = 0;
        for (int c = 1; c < 10; c++)
            if (expected[c] > expected[best]) best = c;
        Assert.Equal(best.ToString(), digit);
    }
}
