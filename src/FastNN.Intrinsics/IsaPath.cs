namespace FastNN.Intrinsics;

/// <summary>The instruction-set path a kernel family runs on, chosen once at start-up.</summary>
/// <remarks>Thread safety: an enum; its values are constants, safe on any thread.</remarks>
public enum IsaPath
{
    /// <summary>Plain scalar code: no SIMD (hardware intrinsics disabled or absent).</summary>
    Scalar,

    /// <summary>128-bit vectors (SSE on x86-64, AdvSimd on Arm64).</summary>
    Vector128,

    /// <summary>256-bit vectors with fused multiply-add (AVX2 + FMA).</summary>
    Vector256,

    /// <summary>512-bit vectors (AVX-512F).</summary>
    Vector512,
}
