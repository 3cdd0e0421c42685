using System.Runtime.Intrinsics.X86;
using System.Text.RegularExpressions;
using FastNN.Benchmarks.Baselines;
using FastNN.Intrinsics;

namespace FastNN.Benchmarks.Tests;

/// <summary>
/// On a CPU with AVX-512 the OpenBLAS baseline is given SkylakeX, the kernels issue 15 names as the baseline on Intel
/// and the best a user of OpenBLAS gets there, also where .NET leaves 512-bit vectors unaccelerated (Intel's Skylake-X
/// and Cascade Lake: DOTNET_PreferredVectorBitWidth 256 by default) and FastNN takes its 256-bit path; Haswell only
/// where the process turns AVX-512 off (DOTNET_EnableAVX512=0), to judge the AVX2 path against kernels of its width.
/// </summary>
public partial class OpenBlasCoreTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("DOTNET_EnableAVX512", "0")]
    [InlineData("DOTNET_PreferredVectorBitWidth", "256")]
    public void OpenBLAS_runs_SkylakeX_unless_the_process_turns_AVX512_off(string? variable, string? value)
    {
        if (!CpuHasAvx512() || OpenBlas.Problem is not null)
            return; // the core type is left to OpenBLAS there
        Match header = Header().Match(FirstLine(variable, value));
        Assert.True(header.Success, "no header line");
        string path = header.Groups["path"].Value, core = header.Groups["core"].Value;
        // The child inherits this process's switches (CI's runs of the other paths set DOTNET_EnableAVX512=0 and more),
        // and adds the case's own.
        bool childHasAvx512 = Avx512F.IsSupported && variable != "DOTNET_EnableAVX512";
        Assert.Equal(childHasAvx512 ? "SkylakeX" : "Haswell", core);
        if (variable is not null && Isa.Path == IsaPath.Vector512)
            Assert.Equal("Vector256", path);
    }

    private static bool CpuHasAvx512() => X86Base.IsSupported && (X86Base.CpuId(7, 0).Ebx & (1 << 16)) != 0;

    /// <summary>The benchmark's first line, from a command line it refuses right after printing it.</summary>
    private static string FirstLine(string? variable, string? value)
    {
        (string, string?)[] environment = variable is null ? [("OPENBLAS_CORETYPE", null)] : [("OPENBLAS_CORETYPE", null), (variable, value)];
        (int exitCode, string output, string error) = BenchmarkProcess.Run(["soak", "--steps", "0"], environment);
        Assert.Equal(2, exitCode);
        Assert.Contains("--steps takes", error);
        return output.Split('\n')[0];
    }

    [GeneratedRegex(@"ISA path (?<path>\w+), .* OpenBLAS core (?<core>\w+) \(")]
    private static partial Regex Header();
}
