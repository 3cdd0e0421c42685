using FastNN.IO;
using FastNN.Models;

namespace FastNN.Tests.IO;

public class AtomicSaveTests
{
    [Fact]
    public void AFailureMidWriteLeavesThePreviousFileIntactAndNoTemporaryFile()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        ModelFile.Save(path, IoModels.Sample<float>(seed: 1));
        byte[] before = File.ReadAllBytes(path);

        // Half of another model's file reaches the disk, then the writer fails (as a full disk would).
        ModelFile.Save(folder.File("other.safetensors"), IoModels.Sample<float>(seed: 2));
        byte[] other = File.ReadAllBytes(folder.File("other.safetensors"));
        File.Delete(folder.File("other.safetensors"));
        var failure = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(other, 0, other.Length / 2);
            stream.Flush();
            throw new IOException("No space left on device (simulated)");
        }));

        Assert.Equal("No space left on device (simulated)", failure.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(folder.Path));
        Assert.Equal(IoModels.Sample<float>(seed: 1).Parameters.ToArray(), ModelFile.Load<float>(path).Model.Parameters.ToArray());
    }

    // A file system limits a name (255 bytes on Linux and Windows), not the temporary name a save makes up: a legal
    // long name must save, with no temporary file left behind.
    [Theory]
    [InlineData('m', 243)]
    [InlineData('模', 81)] // 3 bytes each in UTF-8
    public void AFileWithALongLegalNameSaves(char letter, int count)
    {
        using var folder = new TempFolder();
        string path = folder.File(new string(letter, count) + ".safetensors");
        Sequential<float> model = IoModels.Sample<float>(seed: 1);
        ModelFile.Save(path, model);
        Assert.Equal([path], Directory.GetFileSystemEntries(folder.Path));
        Assert.Equal(model.Parameters.ToArray(), ModelFile.Load<float>(path).Model.Parameters.ToArray());
    }

    [Fact]
    public void ASaveReplacesThePreviousFileWhole()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        ModelFile.Save(path, IoModels.Sample<double>(seed: 1));
        Sequential<double> second = IoModels.Sample<double>(seed: 2);
        ModelFile.Save(path, second);
        Assert.Equal(second.Parameters.ToArray(), ModelFile.Load<double>(path).Model.Parameters.ToArray());
        Assert.Equal([path], Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void ASaveIntoAMissingFolderFailsAndLeavesNothing()
    {
        using var folder = new TempFolder();
        string path = folder.File("absent/model.safetensors");
        var e = Assert.Throws<DirectoryNotFoundException>(() => ModelFile.Save(path, IoModels.Sample<float>()));
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
        // The message names the file asked for and its folder, not the hidden temporary file the save would have made.
        Assert.Contains($"'{path}'", e.Message);
        Assert.Contains(folder.File("absent"), e.Message);
        Assert.DoesNotContain(".tmp", e.Message);
    }
}
