using FastNN.Layers;

namespace FastNN.Tests.Models;

/// <summary>A minimal user layer (y = x), standing for any layer a user writes.</summary>
internal sealed class IdentityLayer(int features) : ILayer<double>
{
    public int InputSize => features;
    public int OutputSize => features;
    public IReadOnlyList<ParameterDeclaration> ParameterDeclarations => [];
    public IReadOnlyList<StateDeclaration> StateDeclarations => [];
    public int ScratchLength(int batch) => 0;
    public void Initialize(LayerBuffers<double> buffers) { }
    public void Forward(Span<double> y, ReadOnlySpan<double> x, LayerBuffers<double> buffers, int batch) => x.CopyTo(y);
    public void Backward(Span<double> dx, ReadOnlySpan<double> dy, ReadOnlySpan<double> x, ReadOnlySpan<double> y, LayerBuffers<double> buffers, int batch) => dy.CopyTo(dx);
}
