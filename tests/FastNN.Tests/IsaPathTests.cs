using FastNN.Intrinsics;

namespace FastNN.Tests;

/// <summary>Proves each CI run took the instruction-set path it asked for: a silent fallback fails here.</summary>
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
}
