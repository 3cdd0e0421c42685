using System.Text.Json;
using FastNN.Inference;
using FastNN.IO;
using FastNN.Models;
using FastNN.Training;
using static FastNN.Tests.IO.CommittedFiles;

namespace FastNN.Tests.IO;

/// <summary>
/// The committed model file and checkpoint with each byte changed alone (the whole model file; the checkpoint's header,
/// where its record is), and the model file cut at every length: every load either takes exactly what the file holds
/// (its tensors as the tests' own reader finds them, <see cref="LoadOracle"/>, and its metadata: saving what was
/// loaded writes the file's architecture, info and checkpoint record again, value for value) or raises
/// <see cref="ModelFileException"/> naming the file, leaving the model or trainer as it was. A single byte is the damage
/// a disk or a transfer does most; it reaches every name, digit, quote and escape of the header once.
/// </summary>
public class SingleByteDamageTests : IDisposable
{
    // JSON's own characters, digits, letters, whitespace, and bytes that are no UTF-8 text alone.
    private static readonly byte[] Replacements = [.. "0159\" \\{}[],:-.eEaz\t"u8, 0x00, 0x7F, 0x80, 0xC3, 0xFF];

    private readonly TempFolder _folder = new();
    private Sequential<float>? _model;
    private Trainer<float>? _trainer;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void EveryByteOfAModelFileChangedLoadsExactlyOrIsRefused()
    {
        byte[] original = File.ReadAllBytes(BatchNormFile);
        int headerEnd = 8 + SafetensorsReference.Split(original).Header.Length;
        for (int at = 0; at < original.Length; at++)
        {
            // One bit of every byte (which bit turns with the position), and in the header one replacement too.
            CheckModel(Changed(original, at, (byte)(original[at] ^ (1 << (at % 8)))));
            if (at < headerEnd)
                CheckModel(Changed(original, at, Replacements[at % Replacements.Length]));
        }
    }

    [Fact]
    public void EveryByteOfACheckpointsHeaderChangedLoadsExactlyOrIsRefused()
    {
        byte[] original = File.ReadAllBytes(CheckpointFile);
        int headerEnd = 8 + SafetensorsReference.Split(original).Header.Length;
        for (int at = 0; at < headerEnd; at++)
            CheckCheckpoint(Changed(original, at, Replacements[at % Replacements.Length]));
    }

    [Fact]
    public void AModelFileCutAtEveryLengthIsRefused()
    {
        byte[] original = File.ReadAllBytes(BatchNormFile);
        Sequential<float> model = ModelFile.Load<float>(BatchNormFile).Model;
        float[] parameters = model.Parameters.ToArray();
        for (int length = 0; length < original.Length; length++)
        {
            string path = _folder.Write("cut.safetensors", original[..length]);
            Assert.False(LoadOracle.Attempt(path, original, () => ModelFile.LoadWeights(path, model)), $"cut to {length} bytes, it loaded");
            Assert.False(LoadOracle.Attempt(path, original, () => Predictor<float>.Load(path)), $"cut to {length} bytes, it loaded");
        }
        Assert.Equal(parameters, model.Parameters.ToArray());
    }

    private static byte[] Changed(byte[] original, int at, byte value)
    {
        byte[] bytes = (byte[])original.Clone();
        bytes[at] = value == original[at] ? (byte)~value : value;
        return bytes;
    }

    private void CheckModel(byte[] bytes)
    {
        string path = _folder.Write("damaged.safetensors", bytes);
        var reference = SafetensorsReference.Decode(bytes);
        // A model a load took is a new one's; one a refused load was aimed at is as it was, and serves the next.
        Sequential<float> model = _model ??= ModelFile.Load<float>(BatchNormFile).Model;
        float[] parameters = model.Parameters.ToArray(), state = model.State.ToArray();
        if (LoadOracle.Attempt(path, bytes, () => ModelFile.LoadWeights(path, model)))
        {
            LoadOracle.AssertLoaded(reference, model);
            _model = null;
        }
        else
        {
            Assert.Equal(parameters, model.Parameters.ToArray());
            Assert.Equal(state, model.State.ToArray());
        }
        SavedModel<float>? saved = null;
        if (LoadOracle.Attempt(path, bytes, () => saved = ModelFile.Load<float>(path)))
        {
            LoadOracle.AssertLoaded(reference, saved!.Model);
            string again = _folder.File("again.safetensors");
            ModelFile.Save(again, saved.Model, saved.Info);
            AssertSameMetadata(reference!.Value.Metadata, again, ModelKeys);
            Assert.True(LoadOracle.Attempt(path, bytes, () => ModelFile.ReadInfo(path)), "Load took the file, ReadInfo did not");
        }
    }

    private void CheckCheckpoint(byte[] bytes)
    {
        string path = _folder.Write("damaged.safetensors", bytes);
        var reference = SafetensorsReference.Decode(bytes);
        Trainer<float> trainer = _trainer ??= CheckpointTrainer();
        var before = new TrainerSnapshot(trainer);
        ModelInfo? info = null;
        if (LoadOracle.Attempt(path, bytes, () => info = Checkpoint.Load(path, trainer)))
        {
            LoadOracle.AssertLoaded(reference, trainer.Model);
            _trainer = null;
            foreach ((string name, float[] buffer) in trainer.Optimizer.SaveState().Buffers)
                Assert.Equal(reference!.Value.Tensors["optimizer." + name].Values(), buffer.Select(v => (double)v));
            string again = _folder.File("again.safetensors");
            Checkpoint.Save(again, trainer, info);
            // The architecture is compared with the trainer's (its max_batch may differ), so only the info and the record.
            AssertSameMetadata(reference!.Value.Metadata, again, [.. ModelKeys.Where(k => k != "fastnn.architecture"), "fastnn.checkpoint"]);
        }
        else
        {
            Assert.Equal(before, new TrainerSnapshot(trainer));
        }
    }

    // The keys a load reads (fastnn.version only says which layout the others have; a file may lack it, and
    // AssertSameMetadata checks it apart).
    private static readonly string[] ModelKeys = ["fastnn.architecture", "fastnn.task", "fastnn.class_labels", "fastnn.feature_names",
        "fastnn.target_name", "fastnn.input_standardization", "fastnn.target_standardization", "fastnn.notes"];

    /// <summary>
    /// What the damaged file records under <paramref name="keys"/> is what saving the loaded model or run records again:
    /// JSON values compared value for value (numbers as doubles), and every key of the file's JSON found again, so that
    /// nothing in the file was passed over. (The re-saved record may hold more: a file from an older build lacks parts.)
    /// </summary>
    private static void AssertSameMetadata(Dictionary<string, string> file, string again, string[] keys)
    {
        Dictionary<string, string> saved = SafetensorsReference.Decode(File.ReadAllBytes(again))!.Value.Metadata;
        // A file may lack the version, but one that has it loads only as the version this build writes: a damaged digit
        // is another layout, refused (a load that passed over it read the other keys as this layout's).
        if (file.TryGetValue("fastnn.version", out string? version))
            Assert.True(version == saved["fastnn.version"], $"fastnn.version is '{version}' in the file, '{saved["fastnn.version"]}' saved again");
        foreach (string key in keys)
        {
            Assert.True(file.ContainsKey(key) == saved.ContainsKey(key), $"{key} is in {(file.ContainsKey(key) ? "the file" : "the re-saved file")} only");
            if (!file.TryGetValue(key, out string? value))
                continue;
            if (key is "fastnn.task" or "fastnn.target_name")
            {
                Assert.Equal(value, saved[key]);
                continue;
            }
            using JsonDocument a = JsonDocument.Parse(value), b = JsonDocument.Parse(saved[key]);
            AssertContained(a.RootElement, b.RootElement, key);
        }
    }

    private static void AssertContained(JsonElement file, JsonElement saved, string at)
    {
        Assert.True(file.ValueKind == saved.ValueKind, $"{at} is {file.GetRawText()} in the file, {saved.GetRawText()} saved again");
        switch (file.ValueKind)
        {
            case JsonValueKind.Number:
                Assert.True(file.GetDouble().Equals(saved.GetDouble()), $"{at} is {file.GetRawText()} in the file, {saved.GetRawText()} saved again");
                break;
            case JsonValueKind.String:
                Assert.True(file.GetString() == saved.GetString(), $"{at} is {file.GetRawText()} in the file, {saved.GetRawText()} saved again");
                break;
            case JsonValueKind.Array:
                Assert.True(file.GetArrayLength() == saved.GetArrayLength(), $"{at} has {file.GetArrayLength()} items in the file, {saved.GetArrayLength()} saved again");
                for (int i = 0; i < file.GetArrayLength(); i++)
                    AssertContained(file[i], saved[i], $"{at}[{i}]");
                break;
            case JsonValueKind.Object:
                foreach (JsonProperty p in file.EnumerateObject())
                {
                    Assert.True(saved.TryGetProperty(p.Name, out JsonElement value), $"{at}.{p.Name} is in the file, not saved again: the load passed over it");
                    AssertContained(p.Value, value, $"{at}.{p.Name}");
                }
                break;
        }
    }
}
