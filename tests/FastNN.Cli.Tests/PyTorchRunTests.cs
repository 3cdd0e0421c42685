using System.Globalization;
using System.Text.Json;
using FastNN.IO;
using FastNN.Models;

namespace FastNN.Cli.Tests;

/// <summary>
/// A <c>fastnn train</c> run compared step for step with PyTorch 1.13 (Fixtures/make_pytorch_run.py): PyTorch's initial
/// weights through <c>--init-weights</c>, batches in file order with the last partial batch kept (<c>--no-shuffle</c>,
/// as a DataLoader without shuffle), SGD with momentum, raw features, every row trained on.
/// </summary>
public class PyTorchRunTests
{
    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", file);

    private static CliRun Train(Cli cli, string save, params string[] extra) => cli.Run(
    [
        "train", "--data", Fixture("pytorch_run.csv"), "--task", "classify", "--layers", "5", "--activation", "relu",
        "--init-weights", Fixture("pytorch_run_init.safetensors"), "--optimizer", "sgd", "--lr", "0.1", "--momentum", "0.9",
        "--epochs", "2", "--batch-size", "4", "--test-fraction", "0", "--no-standardize", "--save", cli.PathOf(save), .. extra,
    ]);

    [Fact]
    public void AnUnshuffledRunFromPyTorchsWeightsEndsOnPyTorchsWeights()
    {
        using var cli = new Cli();
        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(Fixture("pytorch_run.json")));

        CliRun run = Train(cli, "run.safetensors", "--no-shuffle");
        Assert.True(run.ExitCode == 0, run.ToString());
        Sequential<float> model = ModelFile.Load<float>(cli.PathOf("run.safetensors")).Model;
        double worst = 0;
        foreach (JsonProperty tensor in expected.RootElement.GetProperty("weights").EnumerateObject())
        {
            float[] reference = tensor.Value.EnumerateArray().Select(v => v.GetSingle()).ToArray();
            ReadOnlySpan<float> actual = model.Tensor(tensor.Name);
            Assert.Equal(reference.Length, actual.Length);
            for (int i = 0; i < reference.Length; i++)
                worst = Math.Max(worst, Math.Abs(actual[i] - reference[i]) / (1e-6 + 1e-5 * Math.Abs(reference[i])));
        }
        Assert.True(worst <= 1, $"worst |fastnn − pytorch| / (1e-6 + 1e-5·|pytorch|) = {worst}");

        // Each epoch's mean training loss, as PyTorch averaged it over the rows.
        double[] losses = expected.RootElement.GetProperty("epoch_losses").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        for (int epoch = 1; epoch <= 2; epoch++)
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}/2  loss {losses[epoch - 1]:F4}"), run.Out);

        // The comparison is sensitive to the order: the same run with shuffled batches ends elsewhere.
        Assert.Equal(0, Train(cli, "shuffled.safetensors").ExitCode);
        Sequential<float> shuffled = ModelFile.Load<float>(cli.PathOf("shuffled.safetensors")).Model;
        float[] first = expected.RootElement.GetProperty("weights").GetProperty("0.weight").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.True(first.Zip(shuffled.Tensor("0.weight").ToArray()).Max(p => Math.Abs(p.First - p.Second)) > 1e-3);
    }
}
