using System.Text.Json.Nodes;
using FastNN.Inference;
using FastNN.IO;
using FastNN.Models;

namespace FastNN.Tests.IO;

/// <summary>
/// A model's activations and workspace are sized by numbers its file states without holding the bytes behind them
/// (max_batch, the input width, widths that Concat blocks multiply): a file that asks for more working memory than the
/// larger of 256 MiB and 16 times its size is refused with <see cref="ModelFileException"/> before anything is
/// allocated. Before: a 850-byte file whose max_batch read 100,000,000 made ModelFile.Load allocate 9.6 GB, and a
/// 2.8 KB file of 28 Concat blocks 5.4 GB (Predictor.Load then threw ArgumentOutOfRangeException naming 'chunkRows').
/// </summary>
public class WorkingMemoryTests
{
    // Far below the budget's 256 MiB floor: what refusing a file may cost.
    private const long RefusalAllowance = 1 << 20;

    private static string Concats(int count) => string.Join(",", Enumerable.Repeat("""{"type":"Concat","body":[{"type":"ReLU"}]}""", count));

    /// <summary>A file with no tensor whose architecture is <paramref name="architecture"/>.</summary>
    private static byte[] WithoutTensors(string architecture) => SafetensorsReference.Build(
        new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt", ["fastnn.architecture"] = architecture } }.ToJsonString(), []);

    private static string Architecture(int inputSize, int maxBatch, string layers) =>
        $$"""{"format":"fastnn.sequential","version":1,"input_size":{{inputSize}},"max_batch":{{maxBatch}},"layers":[{{layers}}]}""";

    /// <summary>A saved 3-4-2 model whose recorded max_batch is <paramref name="maxBatch"/>.</summary>
    private static byte[] SmallModel(int maxBatch)
    {
        using var folder = new TempFolder();
        Sequential<float> model = new SequentialBuilder<float>(3).Dense(4).Relu().Dense(2).Build(maxBatch: 8, seed: 1);
        ModelFile.Save(folder.File("m"), model);
        (string text, byte[] data) = SafetensorsReference.Split(File.ReadAllBytes(folder.File("m")));
        JsonObject header = JsonNode.Parse(text)!.AsObject();
        JsonObject metadata = header["__metadata__"]!.AsObject();
        metadata["fastnn.architecture"] = metadata["fastnn.architecture"]!.GetValue<string>().Replace("\"max_batch\":8", $"\"max_batch\":{maxBatch}");
        return SafetensorsReference.Build(header.ToJsonString(), data);
    }

    public static TheoryData<string, string> TooMuch => new()
    {
        { "input width", Architecture(200_000_000, 1, """{"type":"ReLU"},{"type":"Dropout","p":0.5}""") },
        { "28 Concat blocks", Architecture(1, 1, Concats(28)) },
        { "30 Concat blocks", Architecture(1, 1, Concats(30)) },
    };

    [Theory]
    [MemberData(nameof(TooMuch))]
    public void AFileWhoseRowsAskForMoreWorkingMemoryThanItsBudgetIsRefusedBeforeAllocating(string what, string architecture)
    {
        using var folder = new TempFolder();
        string path = folder.File("hostile.safetensors");
        File.WriteAllBytes(path, WithoutTensors(architecture));
        foreach ((string call, Action load) in new (string, Action)[]
        {
            ("ModelFile.Load", () => ModelFile.Load<float>(path)),
            ("ModelFile.Load<double>", () => ModelFile.Load<double>(path)),
            ("Predictor.Load", () => Predictor<float>.Load(path)),
        })
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<ModelFileException>(load);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < RefusalAllowance, $"{what}, {call}: {allocated} bytes allocated to refuse the file");
            Assert.Equal(path, e.FilePath);
            Assert.Contains("working memory", e.Message);
        }
    }

    [Fact]
    public void ARecordedMaxBatchPastTheBudgetIsRefusedByNameAndAnExplicitOneIsTheCallersChoice()
    {
        using var folder = new TempFolder();
        string path = folder.File("m.safetensors");
        File.WriteAllBytes(path, SmallModel(100_000_000));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load<float>(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < RefusalAllowance);
        Assert.Contains("max_batch", e.Message);
        Assert.Contains("maxBatch", e.Message);

        // The caller who passes maxBatch chooses the batch; a predictor needs no max_batch at all.
        Assert.Equal(16, ModelFile.Load<float>(path, maxBatch: 16).Model.MaxBatch);
        Assert.Equal(3, Predictor<float>.Load(path).InputSize);
    }

    [Fact]
    public void ALargeRecordedMaxBatchWithinTheBudgetLoads()
    {
        // 65,536 rows of a 3-4-2 model: a few MB, far more than the 1 KB file, well within the 256 MiB floor.
        using var folder = new TempFolder();
        string path = folder.File("m.safetensors");
        File.WriteAllBytes(path, SmallModel(65_536));
        Assert.Equal(65_536, ModelFile.Load<float>(path).Model.MaxBatch);
    }
}
