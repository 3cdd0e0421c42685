using System.Numerics;
using System.Text.Json;
using FastNN.Data;
using FastNN.IO;
using FastNN.Layers;
using FastNN.Models;
using FastNN.Tests.Models;
using FastNN.Training;

namespace FastNN.Tests.IO;

public class ModelFileTests
{
    [Fact]
    public void FloatModelRoundTrips() => RoundTrips<float>();

    [Fact]
    public void DoubleModelRoundTrips() => RoundTrips<double>();

    private static void RoundTrips<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        Sequential<T> model = IoModels.Sample<T>();
        ModelFile.Save(path, model, IoModels.Info);

        SavedModel<T> saved = ModelFile.Load<T>(path);
        Assert.False(saved.Model.Training);
        Assert.Equal(model.ToJson(), saved.Model.ToJson());
        Assert.Equal(model.Parameters.ToArray(), saved.Model.Parameters.ToArray());
        Assert.Equal(model.State.ToArray(), saved.Model.State.ToArray());
        T[] input = IoModels.Input<T>(5, 3, 7);
        Assert.Equal(model.Forward(input, 5).ToArray(), saved.Model.Forward(input, 5).ToArray());

        ModelInfo info = saved.Info, expected = IoModels.Info;
        Assert.Equal(expected.Task, info.Task);
        Assert.Equal(expected.ClassLabels, info.ClassLabels);
        Assert.Equal(expected.FeatureNames, info.FeatureNames);
        Assert.Equal(expected.TargetName, info.TargetName);
        Assert.Equal(expected.Input!.Means.ToArray(), info.Input!.Means.ToArray());     // bit-exact through JSON
        Assert.Equal(expected.Input.Scales.ToArray(), info.Input.Scales.ToArray());
        Assert.Null(info.Target);

        // The same model loads with another batch limit and into a model built by hand.
        Assert.Equal(100, ModelFile.Load<T>(path, maxBatch: 100).Model.MaxBatch);
        Sequential<T> rebuilt = Sequential<T>.FromJson(model.ToJson(), seed: 42);
        ModelFile.LoadWeights(path, rebuilt);
        Assert.Equal(model.Parameters.ToArray(), rebuilt.Parameters.ToArray());
        Assert.Equal(model.State.ToArray(), rebuilt.State.ToArray());
    }

    // Every built-in layer with its non-default arguments (and PReLU slopes and batch statistics moved by training), saved
    // as double: loaded as double it predicts bit for bit as before, directly and (within the predictor's bound) through a
    // Predictor; loaded as float it is the same architecture. Saved as float, it loads as double exactly.
    [Fact]
    public void EveryLayerTypeRoundTripsBitForBit()
    {
        Sequential<double> model = new SequentialBuilder<double>(3).Dense(6, bias: false).LeakyRelu(0.2).Dense(6).Elu(0.7).Softplus(2, 5).Dense(5)
            .Gelu(true).Silu().BatchNorm(1e-3, 0.3).Sigmoid().Dense(4).Tanh().PRelu(false, 0.1).Dense(4).PRelu(true, -0.3).Dropout(0.4)
            .Residual(b => b.Dense(4).Relu().Dense(4)).Concat(b => b.Dense(2).Gelu()).LayerNorm(1e-4).Dense(3).LogSoftmax().Build(maxBatch: 8, seed: 3);
        double[] x = IoModels.Input<double>(8, 3, 1);
        model.Training = true;
        for (int i = 0; i < 4; i++)
            model.Forward(x, 8);
        foreach (ParameterTensor p in model.ParameterTensors.Where(p => p.Name.EndsWith(".weight", StringComparison.Ordinal) && p.Shape.Length == 1 && p.Length <= 4))
            model.Parameters[p.Offset] -= 0.5; // PReLU slopes away from their init
        model.Training = false;
        double[] before = model.Forward(x, 8).ToArray();

        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        ModelFile.Save(path, model);
        Sequential<double> loaded = ModelFile.Load<double>(path).Model;
        Assert.Equal(model.ToJson(), loaded.ToJson());
        Assert.Equal(model.State.ToArray(), loaded.State.ToArray());
        Assert.Equal(before, loaded.Forward(x, 8).ToArray());
        var predicted = new double[before.Length];
        FastNN.Inference.Predictor<double>.Load(path, chunkRows: 3).Predict(x, predicted, 8);
        double bound = 1e-12 * (1 + before.Max(Math.Abs));
        Assert.All(before.Zip(predicted), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= bound, $"{pair.First} vs {pair.Second}"));
        Assert.Equal(model.ToJson(), ModelFile.Load<float>(path).Model.ToJson());

        Sequential<float> single = Sequential<float>.FromJson(model.ToJson(), seed: 3);
        for (int i = 0; i < single.Parameters.Length; i++)
            single.Parameters[i] = (float)model.Parameters[i];
        for (int i = 0; i < single.State.Length; i++)
            single.State[i] = (float)model.State[i];
        string singlePath = folder.File("single.safetensors");
        ModelFile.Save(singlePath, single);
        Sequential<double> widened = ModelFile.Load<double>(singlePath).Model;
        Assert.Equal(single.Parameters.ToArray().Select(v => (double)v), widened.Parameters.ToArray());
        Assert.Equal(single.State.ToArray().Select(v => (double)v), widened.State.ToArray());
    }

    [Fact]
    public void TheFileIsSafetensorsWithPyTorchNamesDtypesAndMetadata()
    {
        using var folder = new TempFolder();
        string path = folder.File("model.safetensors");
        Sequential<float> model = IoModels.Sample<float>();
        ModelFile.Save(path, model, IoModels.Info);
        byte[] bytes = File.ReadAllBytes(path);

        var (tensors, metadata) = SafetensorsReference.Decode(bytes) ?? throw new Xunit.Sdk.XunitException("not a valid safetensors file");
        Assert.Equal(model.ParameterTensors.Select(p => p.Name).Concat(model.StateTensors.Select(s => s.Name)).Order(), tensors.Keys.Order());
        foreach (ParameterTensor p in model.ParameterTensors)
        {
            Assert.Equal("F32", tensors[p.Name].DType);
            Assert.Equal(p.Shape.Select(d => (long)d), tensors[p.Name].Shape);
            Assert.Equal(model.Parameters.Slice(p.Offset, p.Length).ToArray().Select(v => (double)v), tensors[p.Name].Values());
        }
        // PyTorch's buffers: running statistics in the model's dtype, the batch count as a 64-bit integer scalar.
        Assert.Equal("F32", tensors["1.running_var"].DType);
        Assert.Equal("I64", tensors["1.num_batches_tracked"].DType);
        Assert.Empty(tensors["1.num_batches_tracked"].Shape);
        Assert.Equal([3.0], tensors["1.num_batches_tracked"].Values());
        Assert.Equal([8L], tensors["5.weight"].Shape);   // PReLU, one slope per feature
        Assert.Equal([8L, 8L], tensors["3.body.0.weight"].Shape);

        Assert.Equal("pt", metadata["format"]);
        Assert.Equal("1", metadata["fastnn.version"]);
        Assert.Equal(model.ToJson(), metadata["fastnn.architecture"]);
        Assert.Equal("MultiClassClassification", metadata["fastnn.task"]);
        Assert.Equal(["setosa", "versicolor"], JsonSerializer.Deserialize<string[]>(metadata["fastnn.class_labels"])!);
        Assert.Equal("species", metadata["fastnn.target_name"]);
        // The header is padded to 8 bytes, so the data section starts aligned, as the safetensors library writes it.
        Assert.Equal(0UL, BitConverter.ToUInt64(bytes) % 8);
    }

    // The safetensors library lays tensors out widest element first, so that (the header being padded to 8 bytes) each
    // starts at a multiple of its element size in the file and can be viewed in place: torch's view(dtype) of the bytes,
    // Rust's bytemuck::cast_slice, a C cast. Before, a float model's I64 count followed its F32 tensors, at 4 mod 8 after
    // an odd number of floats (in the model file and in the checkpoint, whose optimizer buffers follow the model's tensors).
    [Fact]
    public void EveryTensorStartsAtAMultipleOfItsElementSizeInTheFile()
    {
        // 9 + 6 + 4 parameters and 6 running statistics: 25 floats before the count in the old layout.
        Sequential<float> model = new SequentialBuilder<float>(2).Dense(3).BatchNorm().Dense(1).Build(maxBatch: 4, seed: 1);
        var trainer = new Trainer<float>(model, new FastNN.Losses.MseLoss<float>(), new FastNN.Optimizers.Adam<float>(model.Parameters.Length, 0.01),
            TaskKind.Regression, new TrainerOptions { Epochs = 1, BatchSize = 4 });
        using var folder = new TempFolder();
        ModelFile.Save(folder.File("m.safetensors"), model);
        Checkpoint.Save(folder.File("c.safetensors"), trainer);
        foreach (string name in new[] { "m.safetensors", "c.safetensors" })
        {
            byte[] bytes = File.ReadAllBytes(folder.File(name));
            long dataStart = 8 + (long)BitConverter.ToUInt64(bytes);
            using JsonDocument header = JsonDocument.Parse(bytes.AsMemory(8, (int)(dataStart - 8)));
            foreach (JsonProperty t in header.RootElement.EnumerateObject().Where(t => t.Name != "__metadata__"))
            {
                int size = t.Value.GetProperty("dtype").GetString() == "F32" ? 4 : 8;
                Assert.True((dataStart + t.Value.GetProperty("data_offsets")[0].GetInt64()) % size == 0, $"{name}: {t.Name} is not aligned to its {size}-byte elements");
            }
        }
    }

    [Fact]
    public void ADoubleFileWhoseLayerNormEpsilonFloatCannotHoldIsRefusedWhenLoadedAsFloat()
    {
        // Before: Load<float> (and Predictor<float>.Load) returned a model whose every forward pass threw
        // ArgumentOutOfRangeException naming 'eps' (1e300 is +∞ in float), instead of saying what is wrong with the file.
        using var folder = new TempFolder();
        string path = folder.File("m.safetensors");
        ModelFile.Save(path, new Sequential<double>([new Dense<double>(3, 4), new LayerNorm<double>(4, 1e300), new Dense<double>(4, 2)], 2));
        Assert.Equal(2, ModelFile.Load<double>(path).Model.OutputSize);
        foreach (Action load in new Action[] { () => ModelFile.Load<float>(path), () => FastNN.Inference.Predictor<float>.Load(path) })
        {
            var e = Assert.Throws<ModelFileException>(load);
            Assert.Contains("eps", e.Message);
        }
    }

    [Fact]
    public void ADoubleFileWhoseWeightFloatCannotHoldIsRefusedWhenLoadedAsFloat()
    {
        // Before: 1e300 became +∞ in float without a word, and the float model predicted NaN where the double one, from
        // the same file, predicted numbers. A value that is already infinite (a diverged run's) loads as it is.
        using var folder = new TempFolder();
        string path = folder.File("m.safetensors");
        var wide = new Sequential<double>([new Dense<double>(3, 4), new LayerNorm<double>(4), new Dense<double>(4, 2)], 2);
        wide.Parameter("0.weight")[5] = -1e300;
        wide.Parameter("2.weight")[1] = double.PositiveInfinity;
        ModelFile.Save(path, wide);
        Assert.Equal(-1e300, ModelFile.Load<double>(path).Model.Tensor("0.weight")[5]);
        var narrow = new Sequential<float>([new Dense<float>(3, 4), new LayerNorm<float>(4), new Dense<float>(4, 2)], 2);
        float[] before = narrow.Parameters.ToArray();
        foreach (Action load in new Action[] { () => ModelFile.Load<float>(path), () => FastNN.Inference.Predictor<float>.Load(path), () => ModelFile.LoadWeights(path, narrow) })
        {
            var e = Assert.Throws<ModelFileException>(load);
            Assert.Contains("tensor '0.weight' element 5 is -1E+300, beyond the range of float", e.Message);
            Assert.True(e.NeedsDouble);
        }
        Assert.Equal(before, narrow.Parameters.ToArray());
        // The same file into a model it does not fit: the shapes are the problem, which loading as double would not mend.
        var misfit = new Sequential<float>([new Dense<float>(3, 5), new LayerNorm<float>(5), new Dense<float>(5, 2)], 2);
        Assert.False(Assert.Throws<ModelFileException>(() => ModelFile.LoadWeights(path, misfit)).NeedsDouble);

        wide.Parameter("0.weight")[5] = 0.5;
        ModelFile.Save(path, wide);
        Assert.Equal(float.PositiveInfinity, ModelFile.Load<float>(path).Model.Tensor("2.weight")[1]);
    }

    [Fact]
    public void AFileOfOneFloatTypeLoadsAsTheOther()
    {
        using var folder = new TempFolder();
        Sequential<double> wide = IoModels.Sample<double>();
        ModelFile.Save(folder.File("f64.safetensors"), wide);
        Sequential<float> narrowed = ModelFile.Load<float>(folder.File("f64.safetensors")).Model;
        Assert.Equal(wide.Parameters.ToArray().Select(v => (float)v), narrowed.Parameters.ToArray());
        Assert.Equal(wide.State.ToArray().Select(v => (float)v), narrowed.State.ToArray());

        Sequential<float> narrow = IoModels.Sample<float>();
        ModelFile.Save(folder.File("f32.safetensors"), narrow);
        Sequential<double> widened = ModelFile.Load<double>(folder.File("f32.safetensors")).Model;
        Assert.Equal(narrow.Parameters.ToArray().Select(v => (double)v), widened.Parameters.ToArray());
    }

    [Fact]
    public void StrictLoadingListsEveryMismatchAndLeavesTheModelUntouched()
    {
        using var folder = new TempFolder();
        string path = folder.File("a.safetensors");
        ModelFile.Save(path, new SequentialBuilder<float>(3).Dense(4).BatchNorm().Dense(2).Build(maxBatch: 4));
        Sequential<float> other = new SequentialBuilder<float>(3).Dense(4).Relu().Dense(3).LayerNorm().Build(maxBatch: 4, seed: 9);
        float[] parameters = other.Parameters.ToArray(), state = other.State.ToArray();

        var e = Assert.Throws<ModelFileException>(() => ModelFile.LoadWeights(path, other));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains("missing '3.weight', '3.bias'", e.Message);
        Assert.Contains("unexpected '1.num_batches_tracked', '1.weight', '1.bias', '1.running_mean', '1.running_var'", e.Message);   // in the file's order
        Assert.Contains("'2.weight' is [2, 4] in the file but [3, 4] in the model", e.Message);
        Assert.Contains("'2.bias' is [2] in the file but [3] in the model", e.Message);
        Assert.Equal(parameters, other.Parameters.ToArray());
        Assert.Equal(state, other.State.ToArray());
    }

    [Fact]
    public void ACountStoredAsAFloatIsADtypeMismatch()
    {
        using var folder = new TempFolder();
        string path = folder.File("bn.safetensors");
        // BatchNorm1d(1) with num_batches_tracked written as F32 instead of PyTorch's I64.
        string header = """{"0.weight":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"0.bias":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"0.running_mean":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"0.running_var":{"dtype":"F32","shape":[1],"data_offsets":[12,16]},"0.num_batches_tracked":{"dtype":"F32","shape":[],"data_offsets":[16,20]}}""";
        File.WriteAllBytes(path, SafetensorsReference.Build(header, new byte[20]));
        var e = Assert.Throws<ModelFileException>(() => ModelFile.LoadWeights(path, new SequentialBuilder<float>(1).BatchNorm().Build(maxBatch: 2)));
        Assert.Contains("'0.num_batches_tracked' is F32 in the file but a count (I64) in the model", e.Message);
    }

    public static TheoryData<string, ModelInfo> MisfitInfos() => new()
    {
        { "needs 1 output", new ModelInfo { Task = TaskKind.Regression } },
        { "ClassLabels need a classification Task", new ModelInfo { ClassLabels = ["a", "b"] } },
        { "ClassLabels has 3 labels", new ModelInfo { Task = TaskKind.MultiClassClassification, ClassLabels = ["a", "b", "c"] } },
        { "FeatureNames has 2 names; the model takes 3", new ModelInfo { FeatureNames = ["a", "b"] } },
        { "Input standardizer has 1 features", new ModelInfo { Input = new Standardizer([0.0], [1.0]) } },
        { "Target standardizer needs Task Regression", new ModelInfo { Task = TaskKind.MultiClassClassification, Target = new Standardizer([0.0], [1.0]) } },
        // A label twice or empty: the file could not name its classes (a Dataset and a CSV refuse such labels too).
        { "ClassLabels holds 'a' twice", new ModelInfo { Task = TaskKind.MultiClassClassification, ClassLabels = ["a", "a"] } },
        { "ClassLabels holds an empty label", new ModelInfo { Task = TaskKind.MultiClassClassification, ClassLabels = ["a", ""] } },
        // A name twice: the columns could not be found by name (a CSV header and a Dataset refuse it too).
        { "FeatureNames holds 'x' twice", new ModelInfo { FeatureNames = ["x", "y", "x"] } },
        // Names and labels as a CSV compares them, in Unicode normal form C: an 'é' composed and one decomposed were two
        // labels, saved, and the file's labels then refused by the CSV read of eval ("Class label 'né' appears twice").
        { "ClassLabels holds 'n\u00e9' twice (the second written 'ne\u0301'", new ModelInfo { Task = TaskKind.MultiClassClassification, ClassLabels = ["n\u00e9", "ne\u0301"] } },
        { "FeatureNames holds 'caf\u00e9' twice (the second written 'cafe\u0301'", new ModelInfo { FeatureNames = ["caf\u00e9", "y", "cafe\u0301"] } },
        // A target named as a feature: eval could not read the file's columns ("asked for both as a feature and as the target").
        { "TargetName 'y' is also FeatureNames[1]", new ModelInfo { FeatureNames = ["x", "y", "z"], TargetName = "y" } },
        { "TargetName 'cafe\u0301' is also FeatureNames[2] ('caf\u00e9'", new ModelInfo { FeatureNames = ["x", "y", "caf\u00e9"], TargetName = "cafe\u0301" } },
        // A lone surrogate: the file's UTF-8 cannot hold it. Before, the JSON writer put U+FFFD in its place, silently
        // renaming the class, and two labels that differ only there became one, which Load then refused ("holds '�' twice").
        { "ClassLabels[0] holds a lone surrogate (U+D800) at index 1", new ModelInfo { Task = TaskKind.MultiClassClassification, ClassLabels = ["a\ud800", "a\udc00"] } },
        { "FeatureNames[2] holds a lone surrogate (U+D800)", new ModelInfo { FeatureNames = ["x", "y", "z\ud800"] } },
        { "TargetName holds a lone surrogate (U+DBFF)", new ModelInfo { TargetName = "\udbff" } },
        { "A name in Notes holds a lone surrogate (U+D800) at index 0", new ModelInfo { Notes = new Dictionary<string, string> { ["\ud800"] = "a" } } },
        { "Notes['run'] holds a lone surrogate (U+DFFF)", new ModelInfo { Notes = new Dictionary<string, string> { ["run"] = "\udfff\ud800\udc00" } } },
    };

    [Theory]
    [InlineData("fastnn.class_labels", "[\"setosa\",\"setosa\"]", "holds 'setosa' twice")]
    [InlineData("fastnn.class_labels", "[\"setosa\",\"\"]", "holds an empty label")]
    [InlineData("fastnn.feature_names", "[\"a\",\"b\",\"a\"]", "holds 'a' twice")]
    [InlineData("fastnn.feature_names", "[\"caf\u00e9\",\"b\",\"cafe\u0301\"]", "holds 'caf\u00e9' twice (the second written 'cafe\u0301'")]
    public void LoadRefusesAFileWhoseLabelsOrNamesRepeat(string key, string value, string message)
    {
        using var folder = new TempFolder();
        string path = folder.File("m.safetensors");
        ModelFile.Save(path, IoModels.Sample<float>(), IoModels.Info);
        (string header, byte[] data) = SafetensorsReference.Split(File.ReadAllBytes(path));
        var json = System.Text.Json.Nodes.JsonNode.Parse(header)!;
        json["__metadata__"]![key] = value;
        File.WriteAllBytes(path, SafetensorsReference.Build(json.ToJsonString(), data));

        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load<float>(path));
        Assert.Contains(message, e.Message);
        Assert.Contains("m.safetensors", e.Message);
        Assert.Throws<ModelFileException>(() => ModelFile.ReadInfo(path));
    }

    [Theory]
    [MemberData(nameof(MisfitInfos))]
    public void SaveRejectsInfoThatDoesNotFitTheModelAndWritesNothing(string message, ModelInfo info)
    {
        using var folder = new TempFolder();
        var e = Assert.Throws<ArgumentException>(() => ModelFile.Save(folder.File("m.safetensors"), IoModels.Sample<float>(), info));
        Assert.Equal("info", e.ParamName);
        Assert.Contains(message, e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void ARegressionModelKeepsItsTargetStandardization()
    {
        using var folder = new TempFolder();
        string path = folder.File("r.safetensors");
        var info = new ModelInfo { Task = TaskKind.Regression, Target = new Standardizer([152.1], [77.0]), TargetName = "progression" };
        ModelFile.Save(path, new SequentialBuilder<double>(2).Dense(1).Build(maxBatch: 1), info);
        ModelInfo loaded = ModelFile.Load<double>(path).Info;
        Assert.Equal(TaskKind.Regression, loaded.Task);
        Assert.Equal([152.1], loaded.Target!.Means.ToArray());
        Assert.Equal([77.0], loaded.Target.Scales.ToArray());
    }

    [Fact]
    public void AModelWithALayerOfYourOwnIsSavedWithoutArchitectureAndLoadsIntoAModelYouBuild()
    {
        using var folder = new TempFolder();
        string path = folder.File("custom.safetensors");
        Sequential<double> model = new SequentialBuilder<double>(2).Dense(3).Add(new IdentityLayer<double>(3)).Dense(1).Build(maxBatch: 2, seed: 1);
        ModelFile.Save(path, model);

        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load<double>(path));
        Assert.Contains("no fastnn.architecture metadata", e.Message);
        Sequential<double> rebuilt = new SequentialBuilder<double>(2).Dense(3).Add(new IdentityLayer<double>(3)).Dense(1).Build(maxBatch: 2, seed: 2);
        ModelFile.LoadWeights(path, rebuilt);
        Assert.Equal(model.Parameters.ToArray(), rebuilt.Parameters.ToArray());
    }

    [Fact]
    public void ACountThatIsNotAnIntegerCannotBeSaved()
    {
        using var folder = new TempFolder();
        Sequential<float> model = new SequentialBuilder<float>(2).BatchNorm().Build(maxBatch: 2);
        model.SetTensor("0.num_batches_tracked", [2.5f]);
        var e = Assert.Throws<ArgumentException>(() => ModelFile.Save(folder.File("m.safetensors"), model));
        Assert.Contains("'0.num_batches_tracked' is a count but holds 2.5", e.Message);
    }

    // A model given as a pipe (app <(curl …), mkfifo): before, FileStream.Length threw NotSupportedException "Stream does
    // not support seeking", naming no file, which the sample and fastnn predict --model reported as a crash.
    [Fact]
    public void AModelFileThatIsAPipeIsRefusedNamingIt()
    {
        using var folder = new TempFolder();
        string model = folder.File("m.safetensors"), pipe = folder.File("pipe.safetensors");
        ModelFile.Save(model, IoModels.Sample<float>());
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [pipe]))
            mkfifo.WaitForExit();
        // The writer blocks until the load opens the pipe, and gets a broken pipe when the load closes it unread.
        var writer = new Thread(() =>
        {
            try
            {
                File.WriteAllBytes(pipe, File.ReadAllBytes(model));
            }
            catch (IOException)
            {
            }
        });
        writer.Start();
        var e = Assert.Throws<ModelFileException>(() => FastNN.Inference.Predictor<float>.Load(pipe));
        Assert.Equal(pipe, e.FilePath);
        Assert.Contains("not a regular file", e.Message);
        writer.Join();
    }

    [Fact]
    public void AMissingFileIsFileNotFoundAndBadArgumentsAreArgumentErrors()
    {
        using var folder = new TempFolder();
        Assert.Throws<FileNotFoundException>(() => ModelFile.Load<float>(folder.File("absent.safetensors")));
        Assert.Throws<ArgumentException>(() => ModelFile.Load<float>(""));
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelFile.Load<float>(folder.File("absent.safetensors"), maxBatch: 0));
        Assert.Throws<ArgumentNullException>(() => ModelFile.Save<float>(folder.File("m"), null!));
    }
}
