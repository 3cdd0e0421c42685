using FastNN.IO;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;

namespace FastNN.Tests.IO;

/// <summary>
/// A run that diverged with no guard (a step whose loss was finite but whose gradient was not) leaves the optimizer's
/// state NaN or infinite, which <see cref="Checkpoint.Load{T}"/> refuses: <see cref="Checkpoint.Save{T}"/> refuses it
/// too, before anything is written, so that every file it writes loads back.
/// </summary>
public class DivergedCheckpointTests
{
    // y = w·x + b from w = b = 0, on one row x = 1e21, target 1e18: the loss (1e18)² = 1e36 is finite in float, but
    // dL/dw = 2·(0 − 1e18)·1e21 = −2e39 is not, and the unguarded step takes it.
    private static Trainer<float> Diverged(Optimizer<float> optimizer, Sequential<float> model)
    {
        var trainer = new Trainer<float>(model, new MseLoss<float>(), optimizer, TaskKind.Regression);
        model.Parameters.Clear();
        trainer.TrainStep(new float[] { 1e21f }, new float[] { 1e18f }, 1);
        return trainer;
    }

    private static Sequential<float> Linear() => new([new Dense<float>(1, 1)], maxBatch: 1, seed: 3);

    [Fact]
    public void AnOptimizerStateANonFiniteGradientLeftIsRefusedBeforeAnythingIsWritten()
    {
        // Before: the file was written, and Checkpoint.Load refused it ("the optimizer state does not fit the trainer's
        // optimizer: The state's buffer 'exp_avg' holds -Infinity at element 0 ...").
        Sequential<float> model = Linear();
        Trainer<float> trainer = Diverged(new Adam<float>(model.Parameters.Length, learningRate: 1e-3), model);
        Assert.Equal(1, trainer.Steps);
        Assert.True(float.IsNegativeInfinity(trainer.Optimizer.SaveState().Buffers["exp_avg"][0]));

        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        Sequential<float> earlierModel = Linear();
        Checkpoint.Save(path, new Trainer<float>(earlierModel, new MseLoss<float>(), new Adam<float>(earlierModel.Parameters.Length, learningRate: 1e-3), TaskKind.Regression));
        byte[] earlier = File.ReadAllBytes(path);

        var error = Assert.Throws<InvalidOperationException>(() => Checkpoint.Save(path, trainer));
        Assert.Contains("Adam optimizer's state cannot be saved", error.Message);
        Assert.Contains("buffer 'exp_avg' holds -Infinity at element 0", error.Message);
        Assert.Contains("diverged", error.Message);
        Assert.Equal(earlier, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void ASquareAverageOfPlusInfinityAloneIsSavedAndLoadsBack()
    {
        // A finite gradient whose square overflows leaves v = +∞ with θ finite, a run going on: Load takes it, so Save
        // must too. dL/dw = 2·(0 − 1e18)·1e19 = −2e37 is finite, its square is not.
        Sequential<float> model = Linear();
        var trainer = new Trainer<float>(model, new MseLoss<float>(), new Adam<float>(model.Parameters.Length, learningRate: 1e-3), TaskKind.Regression);
        model.Parameters.Clear();
        trainer.TrainStep(new float[] { 1e19f }, new float[] { 1e18f }, 1);
        Assert.True(float.IsPositiveInfinity(trainer.Optimizer.SaveState().Buffers["exp_avg_sq"][0]));

        using var folder = new TempFolder();
        string path = folder.File("run.ckpt.safetensors");
        Checkpoint.Save(path, trainer);
        Sequential<float> resumedModel = Linear();
        var resumed = new Trainer<float>(resumedModel, new MseLoss<float>(), new Adam<float>(resumedModel.Parameters.Length, learningRate: 1e-3), TaskKind.Regression);
        Checkpoint.Load(path, resumed);
        Assert.Equal(trainer.Optimizer.SaveState().Buffers["exp_avg_sq"], resumed.Optimizer.SaveState().Buffers["exp_avg_sq"]);
    }

    [Fact]
    public void AMomentumBufferANaNGradientLeftIsNamedWithItsElement()
    {
        // SGD with momentum keeps one buffer, momentum_buffer; the gradient's −∞ goes into it as it is.
        Sequential<float> model = Linear();
        Trainer<float> trainer = Diverged(new Sgd<float>(model.Parameters.Length, learningRate: 1e-3, momentum: 0.9), model);

        using var folder = new TempFolder();
        var error = Assert.Throws<InvalidOperationException>(() => Checkpoint.Save(folder.File("run.ckpt.safetensors"), trainer));
        Assert.Contains("SGD optimizer's state cannot be saved", error.Message);
        Assert.Contains("buffer 'momentum_buffer' holds -Infinity at element 0", error.Message);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }
}
