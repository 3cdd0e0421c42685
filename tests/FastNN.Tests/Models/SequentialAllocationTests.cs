using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Tests.Optimizers;
using FastNN.Tests.Threading;

namespace FastNN.Tests.Models;

/// <summary>
/// Steady-state allocation of a model's steps, alone in the process: a gen-2 collection set off by another test lets
/// the GEMM's shared workspaces go (by design), and the next call takes a new one inside the measured window.
/// </summary>
[Collection(ParallelismCollection.Name)]
public class SequentialAllocationTests
{
    [Fact]
    public void TrainingStepsAllocateNothing()
    {
        var model = new Sequential<float>(
        [
            new Dense<float>(16, 32), new BatchNorm1d<float>(32), new Relu<float>(32), new LayerNorm<float>(32), new Dropout<float>(32, 0.2),
            new Residual<float>(new Dense<float>(32, 32), new LayerNorm<float>(32), new Gelu<float>(32)), new Residual<float>(new Dense<float>(32, 24), new Tanh<float>(24)),
            new Concat<float>(new Dense<float>(24, 8), new Silu<float>(8)), new PRelu<float>(32, 32), new Elu<float>(32), new LeakyRelu<float>(32),
            new Softplus<float>(32), new Sigmoid<float>(32), new Gelu<float>(32, tanhApproximation: true), new PRelu<float>(32),
            new Dense<float>(32, 5), new Softmax<float>(5), new LogSoftmax<float>(5),
        ], maxBatch: 16, seed: 1);
        var random = new Random(1);
        float[] x = TestData.Uniform(random, 16 * 16).Select(v => (float)v).ToArray();
        float[] labels = Enumerable.Range(0, 16).Select(i => (float)(i % 5)).ToArray();
        float[] gradient = new float[16 * 5];
        var loss = new SoftmaxCrossEntropyLoss<float>();

        void Step(int batch)
        {
            model.ZeroGrad();
            ReadOnlySpan<float> y = model.Forward(x.AsSpan(0, batch * 16), batch);
            loss.Compute(y, labels.AsSpan(0, batch), gradient.AsSpan(0, batch * 5), batch);
            model.Backward(gradient.AsSpan(0, batch * 5), batch);
        }

        Assert.Equal(0, BytesOfSteps(Step));
        model.Training = false;
        model.Forward(x, 16);
        Assert.Equal(0, SteadyStateAllocation.Least(3, () => model.Forward(x, 16)));
    }

    // As a trainer runs it (ComputeInputGradient off), the first layer gets an empty dx: PReLU's slope gradient alone
    // (shared or per feature) takes its own path through the kernel.
    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    public void StepsWithoutTheInputGradientAllocateNothing(int slopes)
    {
        var model = new Sequential<float>([new PRelu<float>(16, slopes), new Dense<float>(16, 5)], maxBatch: 16, seed: 1) { ComputeInputGradient = false };
        float[] x = TestData.Uniform(new Random(2), 16 * 16).Select(v => (float)v).ToArray();
        float[] gradient = Enumerable.Range(0, 16 * 5).Select(i => (float)(i % 7 - 3)).ToArray();

        void Step(int batch)
        {
            model.Forward(x.AsSpan(0, batch * 16), batch);
            model.Backward(gradient.AsSpan(0, batch * 5), batch);
        }

        Assert.Equal(0, BytesOfSteps(Step));
    }

    // The least bytes of 1000 steps of batches 16, 15, 14, 13, after 10 to warm up.
    private static long BytesOfSteps(Action<int> step)
    {
        for (int i = 0; i < 10; i++)
            step(16 - i % 4);
        return SteadyStateAllocation.Least(3, () =>
        {
            for (int i = 0; i < 1000; i++)
                step(16 - i % 4);
        });
    }
}
