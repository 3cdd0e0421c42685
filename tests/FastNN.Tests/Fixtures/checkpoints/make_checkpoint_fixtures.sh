#!/usr/bin/env bash
# Writes paused_before_watch_f32.safetensors: a checkpoint as FastNN wrote them before the early-stopping watch and the
# Shuffle/DropLast options were saved (commit 8e38d73), for EarlyStoppingResumeTests. It builds that commit's library in
# a temporary folder and runs the run of EarlyStoppingResumeTests (its Data() and New(), paused after 35 steps, the end
# of epoch 7), then saves the checkpoint here. Run from anywhere inside the repository: make_checkpoint_fixtures.sh
set -euo pipefail
commit=8e38d73
here=$(cd "$(dirname "$0")" && pwd)
source "$here/build_and_run_at.sh"
run_at "$commit" "$here/paused_before_watch_f32.safetensors" <<'CS'
using FastNN.Data;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Regularization;
using FastNN.Training;

var random = new FastRandom(5);
var x = new float[60 * 4];
var y = new float[60];
for (int r = 0; r < 60; r++)
{
    y[r] = r % 3;
    for (int c = 0; c < 4; c++)
        x[4 * r + c] = (float)((c == r % 3 ? 1.0 : 0.0) + random.NextDouble(-2, 2));
}
var data = new Dataset<float>(x, y, 4);
Sequential<float> model = new SequentialBuilder<float>(4).Dense(32).BatchNorm().Relu().Dropout(0.1).Dense(3).Build(maxBatch: 8, 1);
using var stop = new CancellationTokenSource();
var trainer = new Trainer<float>(model, new SoftmaxCrossEntropyLoss<float>(), new AdamW<float>(model.Parameters.Length, learningRate: 0.01),
    TaskKind.MultiClassClassification, new TrainerOptions { Epochs = 30, BatchSize = 8, Seed = 3, ValidationFraction = 0.4, Patience = 3, RestoreBest = true })
{
    Regularizer = new PauseAfter(35, stop),
};
trainer.Fit(data, cancellationToken: stop.Token);
Checkpoint.Save(args[0], trainer);
Console.WriteLine($"{args[0]}: {trainer.Steps} steps, {trainer.CompletedEpochs} epochs");

// The tests' StepHook: no penalty, the step's gradient path of a trainer with a regularizer; cancels after `steps` steps.
internal sealed class PauseAfter(int steps, CancellationTokenSource stop) : IRegularizer<float>
{
    private int _steps;

    public float AddTo(ReadOnlySpan<float> parameters, Span<float> gradients, IReadOnlyList<ParameterTensor> tensors)
    {
        if (++_steps == steps)
            stop.Cancel();
        return 0;
    }
}
CS
