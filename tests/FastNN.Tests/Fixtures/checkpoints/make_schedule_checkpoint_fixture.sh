#!/usr/bin/env bash
# Writes warmup_groups_before_parameters_f32.safetensors: a checkpoint as FastNN wrote them before the schedule's
# parameters were recorded (commit e8e80c9), for CheckpointTests.ACheckpointOfAnOlderBuildWithAWarmupAndAGroupRateResumes.
# The run: CheckpointTests' Blobs() and model, AdamW with a group of its own rate (so the file holds scheduled group
# rates), a warm-up of 2 epochs in front of a cosine over 4, paused after epoch 1. Run from anywhere inside the
# repository: make_schedule_checkpoint_fixture.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/build_and_run_at.sh"
run_at e8e80c9 "$here/warmup_groups_before_parameters_f32.safetensors" <<'CS'
using FastNN.Data;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Schedules;
using FastNN.Training;

var random = new FastRandom(17);
var x = new float[90 * 4];
var y = new float[90];
for (int r = 0; r < 90; r++)
{
    y[r] = r % 3;
    for (int c = 0; c < 4; c++)
        x[4 * r + c] = (float)((c == r % 3 ? 2.0 : 0.0) + random.NextDouble(-1, 1));
}
var data = new Dataset<float>(x, y, 4);
Sequential<float> model = new SequentialBuilder<float>(4).Dense(16).BatchNorm().Relu().Dropout(0.3).Dense(3).Build(maxBatch: 16, 1);
var optimizer = new AdamW<float>(model.Parameters.Length, learningRate: 0.01, groups: [new ParameterGroup(0, 64, LearningRate: 0.03)]);
var trainer = new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), optimizer, TaskKind.MultiClassClassification,
    new TrainerOptions { Epochs = 6, BatchSize = 16, Seed = 7 })
{
    Schedule = new WarmupSchedule(new CosineAnnealingSchedule(0.01, tMax: 4), warmup: 2),
};
using var stop = new CancellationTokenSource();
trainer.EpochCompleted = e => stop.Cancel();
trainer.Fit(data, cancellationToken: stop.Token);
Checkpoint.Save(args[0], trainer);
Console.WriteLine($"{args[0]}: {trainer.Steps} steps, {trainer.CompletedEpochs} epochs");
CS
