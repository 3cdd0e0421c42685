namespace FastNN.Intrinsics;

/// <summary>
/// Activation functions and their fused derivatives on spans (forward <c>y = f(x)</c>; backward
/// <c>dx = dy·f′</c> in one pass), with PyTorch's definitions and defaults.
/// </summary>
/// <remarks>
/// <para>Every method is generic over <see cref="float"/> and <see cref="double"/>; the destination comes last and
/// is overwritten unless stated otherwise. A destination may be exactly the same span as an input (in place) or
/// disjoint from it; partial overlap throws. Backward methods take either the saved output y (sigmoid, tanh,
/// softmax) or the saved input x (the others), whichever is cheaper.</para>
/// <para>The vector width (Vector512, Vector256, Vector128 or scalar) is chosen per call from what the hardware
/// accelerates, so results may differ across instruction sets in the last bits.</para>
/// <para>Thread safety: every method may run on any number of threads at once, provided no call writes memory that
/// another call reads or writes.</para>
/// </remarks>
public static partial class Activations
{
}
