using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastNN.Intrinsics;
using FastNN.Layers;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Tests.Threading;

namespace FastNN.Tests.Models;

/// <summary>
/// A model and optimizer whose buffers lie on huge pages (<see cref="HugePages"/>) train to the same bits as the same
/// model on ordinary arrays, and allocate nothing per step. In the allocation collection: a gen-2 collection set off by
/// another test lets the GEMM's shared workspaces go, and the next call takes a new one inside the measured window.
/// </summary>
[Collection(ParallelismCollection.Name)]
public class HugePageModelTests
{
    private const int Batch = 32, Inputs = 784, Classes = 10;

    private static (Sequential<float> Model, Optimizer<float> Optimizer) Build(bool adamW)
    {
        var model = new Sequential<float>([new Dense<float>(Inputs, 256), new Relu<float>(256), new Dense<float>(256, 256),
            new Sigmoid<float>(256), new Dense<float>(256, Classes)], maxBatch: Batch, seed: 7);
        Optimizer<float> optimizer = adamW ? new AdamW<float>(model.Parameters.Length, learningRate: 0.01)
            : new Sgd<float>(model.Parameters.Length, learningRate: 0.05, momentum: 0.9);
        return (model, optimizer);
    }

    private static long Address(Span<float> span) =>
        Unsafe.ByteOffset(ref Unsafe.NullRef<float>(), ref MemoryMarshal.GetReference(span));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void StepsGiveTheBitsOfOrdinaryArraysAndAllocateNothing(bool adamW)
    {
        (Sequential<float> model, Optimizer<float> optimizer) = Build(adamW);
        (Sequential<float> ordinary, Optimizer<float> ordinaryOptimizer) = HugePages.WithOrdinaryArrays(() => Build(adamW));
        var random = new Random(3);
        float[] x = Enumerable.Range(0, Batch * Inputs).Select(_ => (float)random.NextDouble()).ToArray();
        float[] labels = Enumerable.Range(0, Batch).Select(i => (float)(i % Classes)).ToArray();
        float[] gradient = new float[Batch * Classes];
        var loss = new SoftmaxCrossEntropyLoss<float>();

        void Step(Sequential<float> m, Optimizer<float> o)
        {
            m.ZeroGrad();
            loss.Compute(m.Forward(x, Batch), labels, gradient, Batch);
            m.Backward(gradient, Batch);
            o.Step(m.Parameters, m.Gradients);
        }

        // The model under test took the huge-page path wherever it is on offer (its 1.07 MB of parameters are more
        // than half a page), and the other one did not.
        if (HugePages.PageBytes != 0)
            Assert.Equal(0, Address(model.Parameters) % HugePages.PageBytes);
        Assert.NotEqual(0, Address(ordinary.Parameters) % (2 << 20));
        for (int i = 0; i < 4; i++)
        {
            Step(model, optimizer);
            Step(ordinary, ordinaryOptimizer);
        }
        Assert.Equal(ordinary.Parameters.ToArray(), model.Parameters.ToArray());
        Assert.Equal(ordinary.Gradients.ToArray(), model.Gradients.ToArray());
        OptimizerState<float> state = optimizer.SaveState(), ordinaryState = ordinaryOptimizer.SaveState();
        Assert.Equal(ordinaryState.Buffers.Keys.Order(), state.Buffers.Keys.Order());
        foreach ((string name, float[] buffer) in ordinaryState.Buffers)
            Assert.Equal(buffer, state.Buffers[name]);
        Assert.Equal(0, SteadyStateAllocation.Least(3, () =>
        {
            for (int i = 0; i < 20; i++)
                Step(model, optimizer);
        }));

        // A state loaded into huge-page buffers continues as the ordinary run does.
        optimizer.LoadState(ordinaryState);
        ordinary.Parameters.CopyTo(model.Parameters);
        Step(model, optimizer);
        Step(ordinary, ordinaryOptimizer);
        Assert.Equal(ordinary.Parameters.ToArray(), model.Parameters.ToArray());
    }
}
