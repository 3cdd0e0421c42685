using System.Runtime.Intrinsics.X86;

namespace FastNN.Intrinsics;

/// <summary>
/// The only block sizes not taken from the model (<see cref="BlockSizes.Model"/>): microarchitectures where a
/// measurement beat it, each row with the figure that justifies it. A microarchitecture not listed (every Intel core
/// so far, Zen 4) runs the model's sizes.
/// </summary>
internal static class BlockingOverrides
{
    /// <summary>One override: the sizes of <paramref name="Path"/>'s kernel for elements of <paramref name="ElementBytes"/> bytes on <paramref name="Microarchitecture"/>.</summary>
    internal sealed record Row(string Microarchitecture, IsaPath Path, int ElementBytes, int MC, int KC, int NC, string Evidence);

    /// <summary>
    /// AMD Zen 5 (family 1Ah): its L2 feeds the L1 at 64 bytes a cycle, so the kernels keep their pace with the
    /// KC×NR micro-panel of B̃ streaming from L2 rather than held in L1, the model's premise, and a deeper KC cuts the
    /// passes over C and the start-up of every tile fourfold. Measured on an EPYC Zen 5 (48K 12-way L1d, 1M 16-way L2,
    /// 32M L3), one thread, paired rounds alternating these sizes with the model's in one process (2026-12-06,
    /// benchmarks/RESULTS.md, Run 16). MC keeps the KC-deep block of A well inside L2 (a smaller MC than the model's L2
    /// constraint gives at this depth measured 2-3% faster at 2000³-2048³); NC keeps a block of B at 4 MiB.
    /// </summary>
    public static readonly Row[] Rows =
    [
        new("Zen 5", IsaPath.Vector512, 4, 96, 1024, 1024,
            "the model's (896, 256, 4096) read 2000³ and 2048³ 8-9% slower, 512³-1024³ 1-2%, fc1 fwd b64 and b256 5%; 256³ and the other MLP products within ±2%"),
        new("Zen 5", IsaPath.Vector512, 8, 48, 1024, 512,
            "the model's (592, 192, 2720) read 2000³ and 2048³ 14-18% slower, 1024³ 5%, fc2 dX b64 13%; 256³ 2% and fc1 dX, dW b64 and b256 3-4% faster"),
        new("Zen 5", IsaPath.Vector256, 4, 48, 1024, 1024,
            "the model's (444, 512, 2048) read 1024³ and 2048³ 6% slower; 256³ and 512³ 1% faster"),
        new("Zen 5", IsaPath.Vector256, 8, 48, 1024, 512,
            "the model's (336, 341, 1536) read 1024³ 13% and 2048³ 12% slower, 512³ 3%; 256³ 3% faster"),
    ];

    /// <summary>This processor's microarchitecture where an override names it, else null.</summary>
    public static string? Current { get; } = Detect();

    /// <summary>The override for this (microarchitecture, path, element size), if any.</summary>
    public static Row? Find(string? microarchitecture, IsaPath path, int elementBytes) =>
        microarchitecture is null ? null : Array.Find(Rows, r => r.Microarchitecture == microarchitecture && r.Path == path && r.ElementBytes == elementBytes);

    /// <summary>From CPUID's vendor and family; null on other processors, or where CPUID cannot be read.</summary>
    private static string? Detect()
    {
        if (!X86Base.IsSupported)
            return null;
        (_, int ebx, int ecx, int edx) = X86Base.CpuId(0, 0);
        const int Auth = 0x68747541, Enti = 0x69746E65, Camd = 0x444D4163; // "AuthenticAMD"
        if (ebx != Auth || edx != Enti || ecx != Camd)
            return null;
        int eax = X86Base.CpuId(1, 0).Eax;
        int family = ((eax >> 8) & 0xF) + ((eax >> 20) & 0xFF);
        return family == 0x1A ? "Zen 5" : null;
    }
}
