using System.Runtime.Intrinsics.X86;

namespace FastNN.Intrinsics;

/// <summary>
/// The only block sizes not taken from the model (<see cref="BlockSizes.Model"/>): microarchitectures where a
/// measurement beat it, each row with the figures that justify it. A microarchitecture not listed (every Intel core
/// so far) runs the model's sizes.
/// </summary>
internal static class BlockingOverrides
{
    /// <summary>One override: the sizes of <paramref name="Path"/>'s kernel for elements of <paramref name="ElementBytes"/> bytes on each of <paramref name="Microarchitectures"/>.</summary>
    internal sealed record Row(string[] Microarchitectures, IsaPath Path, int ElementBytes, int MC, int KC, int NC, string Evidence);

    /// <summary>
    /// AMD Zen 4 (family 19h with AVX-512) and Zen 5 (family 1Ah): their L2 feeds the L1 far faster than the kernels
    /// consume B̃ (the 8×32 kernel reads 128 bytes of B̃ per 16 FMAs: 8 bytes a cycle on Zen 4, whose 512-bit FMA runs at
    /// the 256-bit rate, 16 on Zen 5), so the kernels keep their pace with the KC×NR micro-panel of B̃ streaming from L2
    /// rather than held in L1, the model's premise, and a deeper KC cuts the passes over C and the start-up of every
    /// tile fourfold (eightfold on Zen 4, whose 32 KiB 8-way L1 gives the model a KC of 128). Measured one thread,
    /// paired rounds alternating these sizes with the model's in one process (benchmarks/RESULTS.md: Zen 5 Run 16,
    /// 2026-12-06, 48K 12-way L1d, 1M 16-way L2, 32M L3; Zen 4 "Zen 4: the blocking", 2026-12-07, 32K 8-way L1d,
    /// 1M 8-way L2, 32M L3). MC keeps the KC-deep block of A well inside L2 (a smaller MC than the model's L2 constraint
    /// gives at this depth measured 2-3% faster at 2000³-2048³ on Zen 5); NC keeps a block of B at 4 MiB.
    /// </summary>
    public static readonly Row[] Rows =
    [
        new(["Zen 4", "Zen 5"], IsaPath.Vector512, 4, 96, 1024, 1024,
            "Zen 5: the model's (896, 256, 4096) read 2000³ and 2048³ 8-9% slower, 512³-1024³ 1-2%, fc1 fwd b64 and b256 5%; 256³ and the other MLP products within ±2%. " +
            "Zen 4: the model's (1536, 128, 8192) read 2048³ 8% slower, 1024³ 6-7%, 512³ 2-5%, 256³ 3%, fc1 fwd and dX b64 8%, fc2 dX b64 9%, fc2 fwd b64 and the b256 products 1-4%; the others within ±1%"),
        new(["Zen 4", "Zen 5"], IsaPath.Vector512, 8, 48, 1024, 512,
            "Zen 5: the model's (592, 192, 2720) read 2000³ and 2048³ 14-18% slower, 1024³ 5%, fc2 dX b64 13%; 256³ 2% and fc1 dX, dW b64 and b256 3-4% faster. " +
            "Zen 4: the model's (768, 128, 4096) read 2048³ 8% slower, 512³ and 1024³ 6%, fc2 dX b64 10%, 256³ and fc1 fwd 2-3%; the others within ±2%"),
        new(["Zen 4", "Zen 5"], IsaPath.Vector256, 4, 48, 1024, 1024,
            "Zen 5: the model's (444, 512, 2048) read 1024³ and 2048³ 6% slower; 256³ and 512³ 1% faster. " +
            "Zen 4: the model's (1152, 170, 6160) read 2048³ 21% slower, 1024³ 12%, 512³ 7%, fc2 fwd and dX b64 3-10%; fc1 dX b64 4% faster (one pass of two 21%, not repeated)"),
        new(["Zen 4", "Zen 5"], IsaPath.Vector256, 8, 48, 1024, 512,
            "Zen 5: the model's (336, 341, 1536) read 1024³ 13% and 2048³ 12% slower, 512³ 3%; 256³ 3% faster. " +
            "Zen 4: the model's (384, 256, 2048) read 2048³ 13% slower, 1024³ 8%, 512³ 6%, fc1 fwd b256 5%; the others within ±2%"),
    ];

    /// <summary>This processor's microarchitecture where an override names it, else null.</summary>
    public static string? Current { get; } = Detect();

    /// <summary>The override for this (microarchitecture, path, element size), if any.</summary>
    public static Row? Find(string? microarchitecture, IsaPath path, int elementBytes) =>
        microarchitecture is null ? null
            : Array.Find(Rows, r => r.Microarchitectures.Contains(microarchitecture) && r.Path == path && r.ElementBytes == elementBytes);

    /// <summary>
    /// From CPUID's vendor, family and, for family 19h, whether the core has AVX-512 (Zen 4 has it, Zen 3 of the same
    /// family does not); read from CPUID itself, so a process that turns AVX-512 off still finds its Zen 4. Null on other
    /// processors, or where CPUID cannot be read.
    /// </summary>
    private static string? Detect()
    {
        if (!X86Base.IsSupported)
            return null;
        (int maxLeaf, int ebx, int ecx, int edx) = X86Base.CpuId(0, 0);
        const int Auth = 0x68747541, Enti = 0x69746E65, Camd = 0x444D4163; // "AuthenticAMD"
        if (ebx != Auth || edx != Enti || ecx != Camd)
            return null;
        int eax = X86Base.CpuId(1, 0).Eax;
        int family = ((eax >> 8) & 0xF) + ((eax >> 20) & 0xFF);
        bool avx512F = maxLeaf >= 7 && (X86Base.CpuId(7, 0).Ebx & (1 << 16)) != 0;
        return family switch
        {
            0x1A => "Zen 5",
            0x19 when avx512F => "Zen 4",
            _ => null,
        };
    }
}
