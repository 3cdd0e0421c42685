using System.Buffers.Binary;
using FastNN.IO;
using FastNN.Models;

namespace FastNN.Tests.IO;

/// <summary>Each rule of the reader, shown by a hand-written file that breaks it (for a Linear(2, 1) model: weight [1, 2], bias [1]).</summary>
public class SafetensorsFormatTests
{
    private const string Weight = "\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}";
    private const string Bias = "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}";

    private static byte[] File(string header, int dataLength = 12) => SafetensorsReference.Build(header, Data(dataLength));

    private static byte[] Data(int length) => Enumerable.Range(0, length).Select(i => (byte)(i % 4 == 3 ? 0x3F : 0)).ToArray();

    private static byte[] WithLength(ulong length, byte[] file)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(file, length);
        return file;
    }

    public static TheoryData<string, byte[]> BrokenFiles() => new()
    {
        { "too short for a safetensors file", [1, 2, 3] },
        { "more than the 100000000 bytes (100 MB)", WithLength(100_000_001, File($"{{{Weight},{Bias}}}")) },
        { "more than the 100000000 bytes (100 MB)", WithLength(ulong.MaxValue, File($"{{{Weight},{Bias}}}")) },
        { "only 80 bytes follow it", WithLength(81, File("{}", 78)) },
        { "not valid UTF-8", SafetensorsReference.Build("{\"x\":\"\"}", []).Select((b, i) => i == 14 ? (byte)0xFF : b).ToArray() },
        { "not valid JSON", File($"{{{Weight},{Bias}") },
        { "a JSON Array, not an object", File("[]", 0) },
        { "'0.bias' has dtype 'F16'", File($"{{{Weight},{Bias.Replace("F32", "F16")}}}") },
        { "'0.bias' has data_offsets [8, 12] (4 bytes) but shape [2] of F32 takes 8 bytes", File($"{{{Weight},{Bias.Replace("[1]", "[2]")}}}") },
        { "'0.bias' has data_offsets [8, 16] but the data section holds 12 bytes", File($"{{{Weight},{Bias.Replace("[1]", "[2]").Replace("12]", "16]")}}}") },
        { "tensors '0.weight' [0, 8] and '0.bias' [4, 8] overlap", File($"{{{Weight},{Bias.Replace("[8,12]", "[4,8]")}}}", 8) },
        { "bytes [8, 12) of the data section belong to no tensor", File($"{{{Weight},{Bias.Replace("[8,12]", "[12,16]")}}}", 16) },
        { "4 bytes follow the last tensor", File($"{{{Weight},{Bias}}}", 16) },
        { "names '0.bias' twice", File($"{{{Weight},{Bias},{Bias}}}") },
        { "__metadata__.format is a JSON Number", File($"{{\"__metadata__\":{{\"format\":1}},{Weight},{Bias}}}") },
        { "shape[1] = -2; it must be a non-negative integer", File($"{{{Weight.Replace("[1,2]", "[1,-2]")},{Bias}}}") },
        { "shape[0] = 1.5; it must be a non-negative integer", File($"{{{Weight.Replace("[1,2]", "[1.5,2]")},{Bias}}}") },
        { "data_offsets [8, 4]; they must be [begin, end] with begin ≤ end", File($"{{{Weight},{Bias.Replace("[8,12]", "[8,4]")}}}") },
        { "unexpected or repeated field 'offsets'", File($"{{{Weight},{Bias.Replace("}", ",\"offsets\":[0]}")}}}") },
        { "more than the 2147483591 elements", File($"{{{Weight},{Bias.Replace("[1]", "[1099511627776,1099511627776]")}}}") },
        { "has no dtype string", File($"{{{Weight},{Bias.Replace("\"F32\"", "32")}}}") },
    };

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void ABrokenFileRaisesModelFileExceptionNamingFileAndProblemAndTouchesNothing(string problem, byte[] bytes)
    {
        using var folder = new TempFolder();
        string path = folder.File("broken.safetensors");
        System.IO.File.WriteAllBytes(path, bytes);
        Sequential<float> model = new SequentialBuilder<float>(2).Dense(1).Build(maxBatch: 1, seed: 3);
        float[] before = model.Parameters.ToArray();

        var e = Assert.Throws<ModelFileException>(() => ModelFile.LoadWeights(path, model));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(problem, e.Message);
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Fact]
    public void AHeaderPaddedWithSpacesAndAnyTensorOrderIsRead()
    {
        using var folder = new TempFolder();
        string path = folder.File("padded.safetensors");
        // Bias first in the header but second in the data, then the spaces the safetensors library pads with.
        System.IO.File.WriteAllBytes(path, SafetensorsReference.Build($"  {{{Bias},{Weight}}}       ", Data(12)));
        Sequential<float> model = new SequentialBuilder<float>(2).Dense(1).Build(maxBatch: 1);
        ModelFile.LoadWeights(path, model);
        float quarter = BitConverter.Int32BitsToSingle(0x3F000000); // bytes 00 00 00 3F
        Assert.Equal([quarter, quarter], model.Tensor("0.weight").ToArray());
        Assert.Equal([quarter], model.Tensor("0.bias").ToArray());
    }

    [Fact]
    public void EmptyTensorsAndUnknownMetadataAreAccepted()
    {
        using var folder = new TempFolder();
        string path = folder.File("empty.safetensors");
        // A zero-element tensor occupies no bytes; PyTorch and other tools may add metadata of their own.
        string empty = "\"extra\":{\"dtype\":\"F64\",\"shape\":[0,3],\"data_offsets\":[8,8]}";
        System.IO.File.WriteAllBytes(path, SafetensorsReference.Build($"{{\"__metadata__\":{{\"source\":\"torch\"}},{Weight},{empty},{Bias}}}", Data(12)));
        var e = Assert.Throws<ModelFileException>(() => ModelFile.LoadWeights(path, new SequentialBuilder<float>(2).Dense(1).Build(maxBatch: 1)));
        Assert.EndsWith("(strict loading): unexpected 'extra'.", e.Message);   // the layout passed; only strictness objects
    }

    // Before: a dimension past Array.MaxLength before the zero was refused as "more than the 2147483591 elements an array
    // holds" (the tensor holds none), while [0, 3000000000] passed; the safetensors reference accepts both.
    [Theory]
    [InlineData("[3000000000,0]")]
    [InlineData("[9223372036854775807,2,0,5]")]
    [InlineData("[0,3000000000]")]
    public void AZeroElementTensorIsAcceptedWhateverItsOtherDimensions(string shape)
    {
        using var folder = new TempFolder();
        string path = folder.File("empty.safetensors");
        string empty = $"\"extra\":{{\"dtype\":\"F32\",\"shape\":{shape},\"data_offsets\":[12,12]}}";
        System.IO.File.WriteAllBytes(path, SafetensorsReference.Build($"{{{Weight},{Bias},{empty}}}", Data(12)));
        var e = Assert.Throws<ModelFileException>(() => ModelFile.LoadWeights(path, new SequentialBuilder<float>(2).Dense(1).Build(maxBatch: 1)));
        Assert.EndsWith("(strict loading): unexpected 'extra'.", e.Message);
    }

    // Before: the names were listed bare, so a tensor of the empty name (which safetensors allows) read "unexpected .".
    [Fact]
    public void StrictLoadingQuotesTheNamesItLists()
    {
        using var folder = new TempFolder();
        string path = folder.File("empty-name.safetensors");
        string unnamed = "\"\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}";
        System.IO.File.WriteAllBytes(path, SafetensorsReference.Build($"{{{Weight},{unnamed}}}", Data(12)));
        var e = Assert.Throws<ModelFileException>(() => ModelFile.LoadWeights(path, new SequentialBuilder<float>(2).Dense(1).Build(maxBatch: 1)));
        Assert.EndsWith("(strict loading): missing '0.bias'; unexpected ''.", e.Message);
    }
}
