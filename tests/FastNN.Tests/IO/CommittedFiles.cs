using System.Text.Json.Nodes;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Schedules;
using FastNN.Training;

namespace FastNN.Tests.IO;

/// <summary>The committed model file and checkpoint the hostile-file tests damage, a trainer the checkpoint fits, and
/// the edits they make: a metadata value changed, or bytes of one tensor rewritten (re-framed by the tests' own writer).</summary>
internal static class CommittedFiles
{
    public static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    public static string BatchNormFile => Fixture("safetensors", "fastnn", "batchnorm_eval_f32.safetensors");

    public static string CheckpointFile => Fixture("checkpoints", "warmup_groups_before_parameters_f32.safetensors");

    /// <summary>A trainer as the checkpoint fixture's run was set up (see CheckpointTests).</summary>
    public static Trainer<float> CheckpointTrainer()
    {
        Sequential<float> model = new SequentialBuilder<float>(4).Dense(16).BatchNorm().Relu().Dropout(0.3).Dense(3).Build(maxBatch: 16, 99);
        var optimizer = new AdamW<float>(model.Parameters.Length, learningRate: 0.01, groups: [new ParameterGroup(0, 64, LearningRate: 0.03)]);
        return new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), optimizer, TaskKind.MultiClassClassification,
            new TrainerOptions { Epochs = 6, BatchSize = 16, Seed = 12345 })
        { Schedule = new WarmupSchedule(new CosineAnnealingSchedule(0.01, tMax: 4), warmup: 2) };
    }

    /// <summary>The file with metadata <paramref name="key"/> set to <paramref name="edit"/>, or for "from→to" with that text replaced in its value; a task is set so that class labels apply.</summary>
    public static byte[] EditMetadata(byte[] file, string key, string edit, string task)
    {
        (string header, byte[] data) = SafetensorsReference.Split(file);
        JsonObject root = JsonNode.Parse(header)!.AsObject();
        JsonObject metadata = root["__metadata__"]!.AsObject();
        string[] parts = edit.Split('→');
        string old = metadata[key]?.GetValue<string>() ?? "";
        Assert.True(parts.Length == 1 || old.Contains(parts[0], StringComparison.Ordinal), $"{key} holds no {parts[0]}");
        metadata[key] = parts.Length == 1 ? edit : old.Replace(parts[0], parts[1], StringComparison.Ordinal);
        if (key == "fastnn.class_labels")
            metadata["fastnn.task"] = task;
        return SafetensorsReference.Build(root.ToJsonString(), data);
    }

    /// <summary>The file with the bytes of <paramref name="tensor"/> from <paramref name="at"/> on changed by <paramref name="patch"/>.</summary>
    public static byte[] Patch(byte[] file, string tensor, int at, SpanAction patch)
    {
        (string header, byte[] data) = SafetensorsReference.Split(file);
        JsonArray offsets = JsonNode.Parse(header)![tensor]!["data_offsets"]!.AsArray();
        byte[] copy = (byte[])data.Clone();
        int begin = (int)offsets[0]!, end = (int)offsets[1]!;
        patch(copy.AsSpan(begin + at, end - begin - at));
        return SafetensorsReference.Build(header, copy);
    }

    public delegate void SpanAction(Span<byte> bytes);
}
