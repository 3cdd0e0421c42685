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
    /// benchmarks/RESULTS.md, Run 16). MC keeps the KC-deep block of A well inside L2; NC keeps a block of B at 4 MiB.
    /// </summary>
    public static readonly Row[] Rows =
    [
        new("Zen 5", IsaPath.Vector512, 4, 96, 1024, 1024,
            "model (896, 256, 4096): 2000³ and 2048³ -13% to -18%, 1000³-1024³ -2% to -5%, up to 512³ within ±1%"),
        new("Zen 5", IsaPath.Vector512, 8, 48, 1024, 512,
            "model (592, 192, 2720): 512³-1024³ -5% to -10%, 2000³-2048³ -9% to -16%, the MLP at batch 256 -3%"),
        new("Zen 5", IsaPath.Vector256, 4, 48, 1024, 1024,
            "model (444, 512, 2048): 2048³ -7%, 1024³ -3%, up to 512³ within ±2%"),
        new("Zen 5", IsaPath.Vector256, 8, 48, 1024, 512,
            "model (336, 341, 1536): see Run 16"),
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
