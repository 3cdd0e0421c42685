using System.Runtime.Intrinsics.X86;
using System.Text.RegularExpressions;
using FastNN.Benchmarks.Baselines;

namespace FastNN.Benchmarks.Tests;

/// <summary>
/// On a CPU with AVX-512 the OpenBLAS baseline is given the kernels of FastNN's own path: SkylakeX beside the 512-bit
/// path, Haswell beside the 256-bit one. .NET leaves 512-bit vectors unaccelerated while still reporting AVX-512 on
/// Intel CPUs whose AVX-512 slows the clock (Skylake-X, Cascade Lake: DOTNET_PreferredVectorBitWidth 256 by default);
/// FastNN then takes its 256-bit path, and OpenBLAS used to get SkylakeX all the same (it read Avx512F.IsSupported),
/// so every GEMM ratio and efficiency compared 256-bit code with 512-bit code.
/// </summary>
public partial class OpenBlasCoreTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("DOTNET_EnableAVX512", "0")]
    [InlineData("DOTNET_PreferredVectorBitWidth", "256")]
    public void OpenBLAS_runs_the_kernels_of_the_path_FastNN_runs(string? variable, string? value)
    {
        if (!CpuHasAvx512() || OpenBlas.Problem is not null)
            return; // the core type is left to OpenBLAS there
        Match header = Header().Match(FirstLine(variable, value));
        Assert.True(header.Success, "no header line");
        string path = header.Groups["path"].Value, core = header.Groups["core"].Value;
        Assert.Equal(path == "Vector512" ? "SkylakeX" : "Haswell", core);
        if (variable is not null)
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
