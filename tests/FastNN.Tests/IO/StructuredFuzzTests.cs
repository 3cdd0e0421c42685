using System.Numerics;
using FastNN.Data;
using FastNN.IO;
using FastNN.Losses;
using FastNN.Models;
using FastNN.Optimizers;
using FastNN.Regularization;
using FastNN.Schedules;
using FastNN.Training;

namespace FastNN.Tests.IO;

/// <summary>
/// A structured fuzzer over files the library saves: model files of <see cref="IoModels.Sample{T}"/> (BatchNorm,
/// LayerNorm, Residual, PReLU, Dropout) with a full <see cref="ModelInfo"/>, in float and double, and checkpoints of a
/// run under each optimizer (SGD with Nesterov momentum, SGDW, centred RMSprop with momentum, Adam with AMSGrad and a
/// parameter group, and AdamW through Fit with a schedule, clipping, an L2 penalty and early stopping with its best
/// weights, in float and double), each mutated once or twice by <see cref="StructuredMutation"/> from a fixed seed.
/// A file a mutation kept equivalent (reordered, escaped, re-spaced, padded, laid out anew, widened) loads exactly as
/// the intact file: saving what each load took writes the same bytes. Any other file loads exactly what it holds
/// (<see cref="LoadOracle"/>: its tensors as the tests' own reader finds them in a file that follows every rule, and
/// <see cref="MetadataOracle"/>: every metadata value saved again) or is refused with <see cref="ModelFileException"/>
/// naming the file, the model or trainer unchanged; never another exception, and never an allocation beyond a small
/// multiple of the file's size.
/// </summary>
public class StructuredFuzzTests : IDisposable
{
    // CI runs the suite once per instruction-set path (.ci/run), but the loads are scalar code, the same on every path:
    // the full count runs once, on the default path (and in a plain `dotnet test`), and the runs that repeat the suite
    // with instruction sets turned off (FASTNN_REPEATED_RUN=1) take the first tenth of the cases, on their own path's
    // files. The full count takes about 20 s.
    private static int CasesPerFile => Environment.GetEnvironmentVariable("FASTNN_REPEATED_RUN") == "1" ? 25 : 250;

    private static readonly string[] Files = ["model f32", "model f64", "sgd", "sgdw", "rmsprop", "adam", "adamw f32", "adamw f64"];

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string> Seeds() => [.. Files];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void EveryMutatedFileLoadsAsTheIntactOneLoadsWhatItHoldsOrIsRefused(string file) =>
        Run(Array.IndexOf(Files, file), Create(file));

    // The seeds fix the mutations, but a case is the same file only if the intact file is: nothing in it may come from a
    // clock (or from anything else that differs between runs), or a failure would not come back when run again.
    [Theory]
    [MemberData(nameof(Seeds))]
    public void EveryIntactFileIsTheSameOnEveryRun(string file) =>
        Assert.Equal(Create(file).Intact, Create(file).Intact);

    private Subject Create(string file) => file switch
    {
        "model f32" => new ModelSubject<float, double>(_folder),
        "model f64" => new ModelSubject<double, float>(_folder),
        "adamw f64" => new CheckpointSubject<double>(_folder, "adamw"),
        _ => new CheckpointSubject<float>(_folder, file.Split(' ')[0]),
    };

    private void Run(int index, Subject subject)
    {
        var random = new Random(1000 + index);
        for (int i = 0; i < CasesPerFile; i++)
        {
            byte[] bytes = subject.Intact;
            bool equivalent = true;
            var done = new List<string>();
            for (int m = random.Next(3) == 0 ? 2 : 1; m > 0; m--)
            {
                (bytes, string what, bool kept) = StructuredMutation.Apply(bytes, random);
                equivalent &= kept;
                done.Add(what);
            }
            string path = _folder.Write("mutated.safetensors", bytes);
            try
            {
                subject.Check(path, bytes, equivalent);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new Xunit.Sdk.XunitException($"{Files[index]}, case {i}: {string.Join("; then ", done)} ({(equivalent ? "equivalent" : "damaged")}):\n{e}");
            }
        }
    }

    /// <summary>A saved file and the loads that read it.</summary>
    private abstract class Subject(TempFolder folder)
    {
        public abstract byte[] Intact { get; }

        protected TempFolder Folder => folder;

        /// <summary>Every load of <paramref name="path"/> (holding <paramref name="bytes"/>) behaves as the class remarks say.</summary>
        public abstract void Check(string path, byte[] bytes, bool equivalent);

        protected static void Refused(bool equivalent, string load) =>
            Assert.False(equivalent, $"{load} refused a file equivalent to the intact one");
    }

    private sealed class ModelSubject<T, TOther> : Subject
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOther : unmanaged, IFloatingPointIeee754<TOther>
    {
        private static readonly ModelInfo Info = IoModels.Info with { Notes = new Dictionary<string, string> { ["by"] = "fuzz/1 é", ["run"] = "{\"lr\":0.1}" } };
        private readonly string _architecture;
        private readonly T[] _parameters, _state;
        private readonly byte[] _saved, _savedOther;

        public ModelSubject(TempFolder folder) : base(folder)
        {
            Sequential<T> model = IoModels.Sample<T>();
            string path = folder.File("intact.safetensors");
            ModelFile.Save(path, model, Info);
            Intact = File.ReadAllBytes(path);
            _architecture = model.ToJson();
            _parameters = model.Parameters.ToArray();
            _state = model.State.ToArray();
            _saved = Resaved(ModelFile.Load<T>(path));
            _savedOther = Resaved(ModelFile.Load<TOther>(path));
        }

        public override byte[] Intact { get; }

        public override void Check(string path, byte[] bytes, bool equivalent)
        {
            var reference = SafetensorsReference.Decode(bytes);

            // Strict weights into a model built from the architecture.
            var model = Sequential<T>.FromJson(_architecture, seed: 77);
            T[] parameters = model.Parameters.ToArray(), state = model.State.ToArray();
            if (LoadOracle.Attempt(path, bytes, () => ModelFile.LoadWeights(path, model)))
            {
                LoadOracle.AssertLoaded(reference, model);
                if (equivalent)
                {
                    Assert.Equal(_parameters, model.Parameters.ToArray());
                    Assert.Equal(_state, model.State.ToArray());
                }
            }
            else
            {
                Refused(equivalent, "LoadWeights");
                Assert.Equal(parameters, model.Parameters.ToArray());
                Assert.Equal(state, model.State.ToArray());
            }

            // The whole model, in the file's element type and in the other.
            Loads<T>(path, bytes, reference, equivalent, _saved);
            Loads<TOther>(path, bytes, reference, equivalent, _savedOther);
            if (!LoadOracle.Attempt(path, bytes, () => ModelFile.ReadInfo(path)))
                Refused(equivalent, "ReadInfo");
        }

        private void Loads<TLoad>(string path, byte[] bytes, (Dictionary<string, RawTensor> Tensors, Dictionary<string, string> Metadata)? reference,
            bool equivalent, byte[] intactSaved) where TLoad : unmanaged, IFloatingPointIeee754<TLoad>
        {
            SavedModel<TLoad>? saved = null;
            if (!LoadOracle.Attempt(path, bytes, () => saved = ModelFile.Load<TLoad>(path)))
            {
                Refused(equivalent, $"Load<{typeof(TLoad).Name}>");
                return;
            }
            LoadOracle.AssertLoaded(reference, saved!.Model);
            byte[] again = Resaved(saved);
            MetadataOracle.AssertSame(reference!.Value.Metadata, Folder.Write("again.safetensors", again), MetadataOracle.ModelKeys);
            if (equivalent)
                Assert.Equal(intactSaved, again);
        }

        private byte[] Resaved<TLoad>(SavedModel<TLoad> saved) where TLoad : unmanaged, IFloatingPointIeee754<TLoad>
        {
            string again = Folder.File("resaved.safetensors");
            ModelFile.Save(again, saved.Model, saved.Info);
            return File.ReadAllBytes(again);
        }
    }

    private sealed class CheckpointSubject<T> : Subject where T : unmanaged, IFloatingPointIeee754<T>
    {
        private static readonly ModelInfo Info = new() { Task = TaskKind.MultiClassClassification, ClassLabels = ["a", "b"], FeatureNames = ["x", "y", "z"] };
        private readonly string _optimizer;
        private readonly byte[] _saved;

        public CheckpointSubject(TempFolder folder, string optimizer) : base(folder)
        {
            _optimizer = optimizer;
            Trainer<T> trainer = NewTrainer(1);
            if (optimizer == "adamw")
            {
                trainer.Fit(Data());
            }
            else
            {
                T[] x = IoModels.Input<T>(8, 3, 4);
                T[] y = [.. Enumerable.Range(0, 8).Select(i => T.CreateTruncating(i % 3 % 2))];
                for (int step = 0; step < 3; step++)
                    trainer.TrainStep(x, y, 8);
            }
            string path = folder.File("intact.safetensors");
            Checkpoint.Save(path, trainer, Info);
            File.WriteAllBytes(path, WithoutClock(File.ReadAllBytes(path)));
            Trainer<T> loaded = NewTrainer(2);
            ModelInfo info = Checkpoint.Load(path, loaded);
            // The file as Save lays it out, holding the pinned time.
            Intact = _saved = Resaved(loaded, info);
        }

        // Fit records how long the best epoch took (early_stopping.best.elapsed_ticks), which a clock measures: pinned, so
        // that every run mutates the same file.
        private static byte[] WithoutClock(byte[] file)
        {
            (string header, byte[] data) = SafetensorsReference.Split(file);
            var root = (FuzzJson.Object)FuzzJson.Parse(header);
            var holder = (FuzzJson.Leaf)((FuzzJson.Object)root["__metadata__"]!)["fastnn.checkpoint"]!;
            var record = (FuzzJson.Object)FuzzJson.Parse(FuzzJson.Text(holder.Raw));
            if (record["early_stopping"] is not FuzzJson.Object { } watch || watch["best"] is not FuzzJson.Object { } best)
                return file;
            ((FuzzJson.Leaf)best["elapsed_ticks"]!).Raw = "1000000";
            holder.Raw = FuzzJson.Quote(record.Write());
            return SafetensorsReference.Build(root.Write(), data);
        }

        public override byte[] Intact { get; }

        private Trainer<T> NewTrainer(ulong seed)
        {
            Sequential<T> model = IoModels.Sample<T>(seed);
            int n = model.Parameters.Length;
            Optimizer<T> optimizer = _optimizer switch
            {
                "sgd" => new Sgd<T>(n, 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-4),
                "sgdw" => new Sgdw<T>(n, 0.05, momentum: 0.5, dampening: 0.1),
                "rmsprop" => new RmsProp<T>(n, 0.01, momentum: 0.5, centered: true),
                "adam" => new Adam<T>(n, amsGrad: true, groups: [new ParameterGroup(0, 24, LearningRate: 0.003)]),
                _ => new AdamW<T>(n, 0.01),
            };
            var trainer = new Trainer<T>(model, new SoftmaxCrossEntropyLoss<T>(), optimizer, TaskKind.MultiClassClassification,
                new TrainerOptions { Epochs = 3, BatchSize = 8, Seed = 3, ValidationFraction = 0.25, Patience = 5, RestoreBest = true });
            if (_optimizer == "adamw")
            {
                trainer.Schedule = new WarmupSchedule(new CosineAnnealingSchedule(0.01, tMax: 10), warmup: 2);
                trainer.MaxGradientNorm = 5;
                trainer.Regularizer = new L2Penalty<T>(1e-4);
            }
            return trainer;
        }

        private static Dataset<T> Data()
        {
            T[] x = IoModels.Input<T>(40, 3, 9);
            return new Dataset<T>(x, [.. Enumerable.Range(0, 40).Select(r => T.CreateTruncating(x[3 * r] > T.Zero ? 1 : 0))], 3);
        }

        public override void Check(string path, byte[] bytes, bool equivalent)
        {
            var reference = SafetensorsReference.Decode(bytes);
            Trainer<T> trainer = NewTrainer(3);
            TrainerSnapshot before = TrainerSnapshot.Of(trainer);
            ModelInfo? info = null;
            if (LoadOracle.Attempt(path, bytes, () => info = Checkpoint.Load(path, trainer)))
            {
                LoadOracle.AssertLoaded(reference, trainer.Model);
                foreach ((string name, T[] buffer) in trainer.Optimizer.SaveState().Buffers)
                    Assert.Equal(LoadOracle.Stored<T>(reference!.Value.Tensors["optimizer." + name]), buffer);
                byte[] again = Resaved(trainer, info!);
                // The architecture is compared with the trainer's, so only the info and the record.
                MetadataOracle.AssertSame(reference!.Value.Metadata, Folder.Write("again.safetensors", again),
                    [.. MetadataOracle.ModelKeys.Where(k => k != "fastnn.architecture"), "fastnn.checkpoint"]);
                if (equivalent)
                    Assert.Equal(_saved, again);
            }
            else
            {
                Refused(equivalent, "Checkpoint.Load");
                Assert.Equal(before, TrainerSnapshot.Of(trainer));
            }
            // A model loader refuses a checkpoint (or, its mark damaged, takes what the file holds).
            SavedModel<T>? saved = null;
            if (LoadOracle.Attempt(path, bytes, () => saved = ModelFile.Load<T>(path)))
                LoadOracle.AssertLoaded(reference, saved!.Model);
        }

        private byte[] Resaved(Trainer<T> trainer, ModelInfo info)
        {
            string again = Folder.File("resaved.safetensors");
            Checkpoint.Save(again, trainer, info);
            return File.ReadAllBytes(again);
        }
    }
}
