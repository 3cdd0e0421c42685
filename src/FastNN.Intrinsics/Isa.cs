using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastNN.Intrinsics;

/// <summary>The widest instruction-set path this process can use, read once from the runtime.</summary>
/// <remarks>
/// The runtime's <c>DOTNET_EnableAVX512=0</c>, <c>DOTNET_EnableAVX=0</c> and <c>DOTNET_EnableHWIntrinsic=0</c>
/// switches turn paths off, which is how CI runs every path on one machine.
/// <para>Thread safety: the path is chosen once, before first use; every member may be read from any thread.</para>
/// </remarks>
public static class Isa
{
    /// <summary>The path chosen for this process: the widest one the hardware and runtime accelerate.</summary>
    public static IsaPath Path { get; } = Detect();

    private static IsaPath Detect()
    {
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
            return IsaPath.Vector512;
        // The 256-bit kernels are written for FMA; AVX without FMA (Sandy/Ivy Bridge) takes the 128-bit path.
        if (Vector256.IsHardwareAccelerated && Fma.IsSupported)
            return IsaPath.Vector256;
        if (Vector128.IsHardwareAccelerated)
            return IsaPath.Vector128;
        return IsaPath.Scalar;
    }
}
