using FastNN.IO;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Training;

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

    // Any character a Unix name may hold saves and loads back, leaves no temporary file, and a damaged file's error names
    // the path as given (a brace or a percent sign is text, not a format).
    [Theory]
    [InlineData("a b.safetensors")]
    [InlineData("line\nbreak\t.safetensors")]
    [InlineData("-starts-with-dash")]
    [InlineData(".hidden")]
    [InlineData("{0} %s $HOME `x`.safetensors")]
    [InlineData("émoji 😀 模型.safetensors")]
    [InlineData("back\\slash ends in a dot.")]
    public void ANameWithUnusualCharactersSavesLoadsAndIsNamedInErrors(string name)
    {
        using var folder = new TempFolder();
        string path = folder.File(name);
        Sequential<float> model = IoModels.Sample<float>(seed: 1);
        ModelFile.Save(path, model);
        Assert.Equal([path], Directory.GetFileSystemEntries(folder.Path));
        Assert.Equal(model.Parameters.ToArray(), ModelFile.Load<float>(path).Model.Parameters.ToArray());

        File.WriteAllBytes(path, File.ReadAllBytes(path)[..20]);
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load<float>(path));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
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

    // Before: Save wrote a header of any size, and Load refused the file ("more than the 100000000 bytes (100 MB) a
    // safetensors header may have"): the model saved over the previous file could not be read back.
    [Fact]
    public void AHeaderPastTheLimitLoadEnforcesIsRefusedBeforeAnythingIsWritten()
    {
        using var folder = new TempFolder();
        string model = folder.File("model.safetensors"), checkpoint = folder.File("run.safetensors");
        Sequential<double> small = new SequentialBuilder<double>(2).Dense(1).Build(maxBatch: 4);
        var trainer = new Trainer<double>(small, new MseLoss<double>(), new Sgd<double>(small.Parameters.Length, 0.1), TaskKind.Regression);
        ModelFile.Save(model, small);
        Checkpoint.Save(checkpoint, trainer);
        byte[] modelBefore = File.ReadAllBytes(model), checkpointBefore = File.ReadAllBytes(checkpoint);

        // Escaped in the notes' JSON (\u003C), then its backslash again in the header's: 7 bytes a character.
        var info = new ModelInfo { Task = TaskKind.Regression, Notes = new Dictionary<string, string> { ["log"] = new string('<', 15_000_000) } };
        foreach (Action save in new Action[] { () => ModelFile.Save(model, small, info), () => Checkpoint.Save(checkpoint, trainer, info) })
        {
            var e = Assert.Throws<ArgumentException>(save);
            Assert.Equal("info", e.ParamName);
            Assert.Contains("more than the 100000000 bytes (100 MB) a safetensors header may have", e.Message);
            Assert.Matches(@"header of 10\d{7} bytes", e.Message);
        }
        Assert.Equal(modelBefore, File.ReadAllBytes(model));
        Assert.Equal(checkpointBefore, File.ReadAllBytes(checkpoint));
        Assert.Equal([model, checkpoint], Directory.GetFileSystemEntries(folder.Path).Order(StringComparer.Ordinal));
    }

    // Before: the rename replaced the link with a regular file (the target kept the old model), and a replaced file's
    // mode became the umask default (a 0600 file readable by all). Saving now does what editors and cp do.
    [Fact]
    public void ASaveThroughASymlinkWritesItsTargetAndKeepsTheReplacedFilesMode()
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("models"));
        string target = folder.File("models/model.safetensors"), link = folder.File("latest.safetensors");
        ModelFile.Save(target, IoModels.Sample<float>(seed: 1));
        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.CreateSymbolicLink(link, "models/model.safetensors");

        Sequential<float> second = IoModels.Sample<float>(seed: 2);
        ModelFile.Save(link, second);

        Assert.Equal("models/model.safetensors", new FileInfo(link).LinkTarget);
        Assert.Equal(second.Parameters.ToArray(), ModelFile.Load<float>(target).Model.Parameters.ToArray());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(target));
        Assert.Equal([target], Directory.GetFileSystemEntries(folder.File("models")));
    }

    // Before: the save read a relative link's ".." as text from the link's path, and followed only a link at the path's
    // end: through deep → real/inner, the link dots → ../m.safetensors wrote m.safetensors beside deep, not
    // real/m.safetensors, the file the system opens for deep/dots; and the link out → deep/../m.safetensors likewise.
    [Theory]
    [InlineData("deep/dots")]
    [InlineData("out")]
    public void ASaveThroughALinkedFolderWritesTheFileTheSystemOpens(string save)
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("real/inner"));
        Directory.CreateSymbolicLink(folder.File("deep"), "real/inner");
        File.CreateSymbolicLink(folder.File("real/inner/dots"), "../m.safetensors");
        File.CreateSymbolicLink(folder.File("out"), "deep/../m.safetensors");

        Sequential<float> model = IoModels.Sample<float>(seed: 3);
        ModelFile.Save(folder.File(save), model);

        Assert.Equal(model.Parameters.ToArray(), ModelFile.Load<float>(folder.File("real/m.safetensors")).Model.Parameters.ToArray());
        Assert.False(File.Exists(folder.File("m.safetensors")));
        Assert.Equal("../m.safetensors", new FileInfo(folder.File("real/inner/dots")).LinkTarget);
        Assert.Equal([folder.File("real/inner"), folder.File("real/m.safetensors")], Directory.GetFileSystemEntries(folder.File("real")).Order(StringComparer.Ordinal));
    }

    // A ".." in the path itself is read as text by every .NET file API (FileStream opens Path.GetFullPath(path)), loads
    // included: a save through a linked folder's ".." writes the file a load of the same path reads, beside deep.
    [Fact]
    public void ASaveThroughDotsAfterALinkedFolderWritesTheFileALoadOfThePathReads()
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("real/inner"));
        Directory.CreateSymbolicLink(folder.File("deep"), "real/inner");

        Sequential<float> model = IoModels.Sample<float>(seed: 4);
        string path = folder.File("deep/../m.safetensors");
        ModelFile.Save(path, model);

        Assert.Equal(model.Parameters.ToArray(), ModelFile.Load<float>(path).Model.Parameters.ToArray());
        Assert.True(File.Exists(folder.File("m.safetensors")));
        Assert.False(File.Exists(folder.File("real/m.safetensors")));
    }

    // A path ending in a separator names a folder, as the system reads it: the save fails and writes no file of that name
    // (resolving the path's links must not drop the separator and save "m.safetensors/" as m.safetensors).
    [Fact]
    public void ASaveToAPathEndingInASeparatorFailsAndLeavesNothing()
    {
        using var folder = new TempFolder();
        string path = folder.File("m.safetensors") + Path.DirectorySeparatorChar;
        Assert.Throws<DirectoryNotFoundException>(() => ModelFile.Save(path, IoModels.Sample<float>()));
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    // So does a link whose target ends in a separator (out → m.safetensors/, or a link to such a link), which the system
    // reads as a folder ("Is a directory" from a shell's > out); the save wrote the file m.safetensors, which a load of
    // out then failed to read ("Not a directory").
    // A target ending in "/." names the folder too (the system looks up "." in m.safetensors); read as the file
    // m.safetensors, the save wrote it where a load of dot then failed.
    [Theory]
    [InlineData("out")]
    [InlineData("via")]
    [InlineData("dot")]
    public void ASaveThroughALinkToAPathEndingInASeparatorFailsAndLeavesTheLinks(string save)
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var folder = new TempFolder();
        File.CreateSymbolicLink(folder.File("out"), "m.safetensors/");
        File.CreateSymbolicLink(folder.File("via"), "out");
        File.CreateSymbolicLink(folder.File("dot"), "m.safetensors/.");
        Assert.Throws<DirectoryNotFoundException>(() => ModelFile.Save(folder.File(save), IoModels.Sample<float>()));
        Assert.Equal([folder.File("dot"), folder.File("out"), folder.File("via")], Directory.GetFileSystemEntries(folder.Path).Order(StringComparer.Ordinal));
    }

    // A loop of links names no file: the save fails as opening it would, and the links stay links.
    [Fact]
    public void ASaveThroughALoopOfLinksFailsAndLeavesTheLinks()
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var folder = new TempFolder();
        File.CreateSymbolicLink(folder.File("a"), "b");
        File.CreateSymbolicLink(folder.File("b"), "a");

        var e = Assert.Throws<IOException>(() => ModelFile.Save(folder.File("a"), IoModels.Sample<float>()));

        Assert.Contains(folder.File("a"), e.Message);
        Assert.Equal("b", new FileInfo(folder.File("a")).LinkTarget);
        Assert.Equal("a", new FileInfo(folder.File("b")).LinkTarget);
        Assert.Equal(2, Directory.GetFileSystemEntries(folder.Path).Length);
    }
}
