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
            MetadataOracle.AssertSame(reference!.Value.Metadata, again, MetadataOracle.ModelKeys);
            Assert.True(LoadOracle.Attempt(path, bytes, () => ModelFile.ReadInfo(path)), "Load took the file, ReadInfo did not");
        }
    }

    private void CheckCheckpoint(byte[] bytes)
    {
        string path = _folder.Write("damaged.safetensors", bytes);
        var reference = SafetensorsReference.Decode(bytes);
        Trainer<float> trainer = _trainer ??= CheckpointTrainer();
        var before = TrainerSnapshot.Of(trainer);
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
            MetadataOracle.AssertSame(reference!.Value.Metadata, again, [.. MetadataOracle.ModelKeys.Where(k => k != "fastnn.architecture"), "fastnn.checkpoint"]);
        }
        else
        {
            Assert.Equal(before, TrainerSnapshot.Of(trainer));
        }
    }
}
