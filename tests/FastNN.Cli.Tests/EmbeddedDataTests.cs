using FastNN.Cli.Training;

namespace FastNN.Cli.Tests;

/// <summary>The data set compiled into the command is the repository's data file, byte for byte (Data/README.md says it is a copy).</summary>
public class EmbeddedDataTests
{
    [Fact]
    public void TheEmbeddedDigitsAreTheRepositorysDataFile()
    {
        // Two copies can drift: the library's tests, README figures and the PyTorch comparisons read data/digits.csv.gz,
        // fastnn train without --data reads the embedded one.
        using Stream embedded = EmbeddedData.OpenDigits();
        var bytes = new MemoryStream();
        embedded.CopyTo(bytes);
        Assert.Equal(File.ReadAllBytes(Cli.Data("digits.csv.gz")), bytes.ToArray());
    }
}
