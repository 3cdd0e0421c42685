using FastNN.Intrinsics;

namespace FastNN.Tests;

/// <summary>Proves each CI run took the instruction-set path and the block sizes it asked for: a silent fallback fails here.</summary>
public class IsaPathTests
{
    [Fact]
    public void GemmRunsOnTheExpectedPath()
    {
        string? expected = Environment.GetEnvironmentVariable("FASTNN_EXPECTED_PATH");
        if (string.IsNullOrEmpty(expected))
            return; // A developer's plain `dotnet test`: whatever the machine offers is right.
        Assert.Equal(Enum.Parse<IsaPath>(expected), FastNN.Intrinsics.Gemm.SelectedPath);
    }

    [Fact]
    public void ABlockingExperimentInTheEnvironmentIsOneTheGemmTakes()
    {
        // The GEMM ignores a malformed FASTNN_GEMM_BLOCKING (its derived sizes run), so a typo in CI's blocking run
        // would test the usual sizes again under its name.
        string? experiment = Environment.GetEnvironmentVariable("FASTNN_GEMM_BLOCKING");
        if (string.IsNullOrEmpty(experiment))
            return;
        (int mr, int nr) = BlockSizes.Tile(FastNN.Intrinsics.Gemm.SelectedPath, sizeof(float));
        Assert.NotNull(BlockSizes.TryParseExperiment(experiment, mr, nr));
    }
}
