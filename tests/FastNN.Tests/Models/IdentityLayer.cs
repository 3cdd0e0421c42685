using System.Numerics;
using FastNN.Layers;

namespace FastNN.Tests.Models;

/// <summary>A minimal user layer (y = x), standing for any layer a user writes; no built-in layer fuses with it.</summary>
internal sealed class IdentityLayer<T>(int features) : ILayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public int InputSize => features;
    public int OutputSize => features;
    public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => [];
    public IReadOnlyList<StateDeclaration> StateDeclarations => [];
    public int ScratchLength(int batch) => 0;
    public void Initialize(LayerBuffers<T> buffers) { }
    public void Forward(Span<T> y, ReadOnlySpan<T> x, LayerBuffers<T> buffers, int batch) => x.CopyTo(y);
    public void Backward(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> y, LayerBuffers<T> buffers, int batch) => dy.CopyTo(dx);
}
