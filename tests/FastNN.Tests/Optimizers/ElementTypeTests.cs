using FastNN.Optimizers;

namespace FastNN.Tests.Optimizers;

/// <summary>
/// The generic constraint admits Half and NFloat, but models, GEMM and model files hold float or double only, and the
/// optimizers' rules (state below the smallest normal number stored as zero) are written for those two.
/// </summary>
public class ElementTypeTests
{
    // Before: Sgd<Half> ran; Adam<Half> and AdamW<Half> failed on the default ε ("rounds to 0 in Half"), which blamed an
    // argument the caller had not given.
    [Fact]
    public void AnOptimizerOfHalfOrNFloatIsRefusedAsAModelIs()
    {
        Action[] builds =
        [
            () => _ = new Sgd<Half>(4),
            () => _ = new Sgdw<Half>(4),
            () => _ = new RmsProp<Half>(4),
            () => _ = new Adam<Half>(4),
            () => _ = new AdamW<Half>(4),
            () => _ = new Adam<System.Runtime.InteropServices.NFloat>(4),
        ];
        foreach (Action build in builds)
        {
            var e = Assert.Throws<NotSupportedException>(build);
            Assert.Matches("An optimizer holds float or double values, not (Half|NFloat)", e.Message);
        }
    }
}
