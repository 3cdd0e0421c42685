using System.Globalization;
using System.Text;
using FastNN.IO;

namespace FastNN.Cli.Tests;

/// <summary>
/// eval and predict read a class score of +∞ (finite weights whose product overflows the type) as the library's
/// <c>Predictor.Classify</c> does: that class takes all the probability, the softmax's limit. They computed a softmax of
/// their own, whose exp(∞ − ∞) is NaN: every probability of the row NaN and its class 0, which eval counted as right or
/// wrong like any other.
/// </summary>
public class InfiniteScoreTests
{
    [Fact]
    public void AClassScoredInfinityTakesAllTheProbability()
    {
        using var cli = new Cli();
        var text = new StringBuilder("x1,x2,kind\n");
        for (int i = 0; i < 60; i++)
            text.Append(CultureInfo.InvariantCulture, $"{i % 3 + 0.01 * i},{(i * 7) % 5},{"abc"[i % 3]}\n");
        string data = cli.Write("kinds.csv", text.ToString()), model = cli.PathOf("kinds.safetensors");
        CliRun train = cli.Run("train", "--data", data, "--layers", "4", "--epochs", "1", "--save", model);
        Assert.True(train.ExitCode == 0, train.ToString());

        // Class c's score: float.MaxValue plus each hidden ReLU output (never negative) times float.MaxValue, which is +∞
        // for a row with any hidden unit above about 1e-8, and float.MaxValue itself otherwise: class c every time.
        SavedModel<float> saved = ModelFile.Load<float>(model);
        Assert.Equal(["a", "b", "c"], saved.Info.ClassLabels!);
        saved.Model.Parameter("2.weight").Slice(2 * 4, 4).Fill(float.MaxValue);
        saved.Model.Parameter("2.bias")[2] = float.MaxValue;
        ModelFile.Save(model, saved.Model, saved.Info);

        CliRun predict = cli.Run("predict", "--model", model, "--data", data);
        Assert.True(predict.ExitCode == 0, predict.ToString());
        string[] lines = predict.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(61, lines.Length);
        Assert.All(lines.Skip(1), line => Assert.Equal("c,0,0,1", line));

        CliRun eval = cli.Run("eval", "--model", model, "--data", data);
        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.EndsWith("accuracy 33.33% (20 of 60 rows)", eval.Out.TrimEnd());
    }
}
