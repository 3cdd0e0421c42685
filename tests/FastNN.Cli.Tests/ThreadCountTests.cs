namespace FastNN.Cli.Tests;

/// <summary>
/// Results do not depend on the thread count, beyond the two threads this machine has: <c>fastnn</c> runs in processes
/// that see six processors (<c>DOTNET_PROCESSOR_COUNT</c>), its threads set by <c>FASTNN_NUM_THREADS</c> at start-up, so
/// the GEMM, the element-wise passes and the optimizer split into five parts instead of one.
/// </summary>
public class ThreadCountTests
{
    private const int Processors = 6;

    [Fact]
    public void TrainingSavesTheSameBytesOnOneAndFiveThreads()
    {
        using var cli = new Cli();
        (int exit, string output, string error) = Fastnn("5", "info");
        Assert.True(exit == 0, error);
        Assert.Matches($@"threads\s+\|\s+5 of {Processors} \(FASTNN_NUM_THREADS=5\)", output);

        // Products of 256×1024×1024 (hundreds of times a thread's minimum), a GELU over 256×1024 (2^18 elements, where
        // a pass splits) and AdamW over 1.1 million parameters: every kind of split call, in every layer kind that has one.
        byte[]? one = null;
        foreach (string threads in new[] { "1", "5" })
        {
            string model = cli.PathOf($"threads{threads}.safetensors");
            (exit, _, error) = Fastnn(threads, "train", "--layers", "1024,1024", "--activation", "gelu", "--layer-norm", "--batch-norm",
                "--residual", "--dropout", "0.1", "--optimizer", "adamw", "--batch-size", "256", "--epochs", "1", "--seed", "5",
                "--save", model, "--plot", cli.PathOf($"threads{threads}.png"));
            Assert.True(exit == 0, error);
            byte[] saved = File.ReadAllBytes(model);
            one ??= saved;
            Assert.True(one.AsSpan().SequenceEqual(saved), $"the model trained on {threads} threads differs from the one trained on 1");
        }
    }

    private static (int Exit, string Out, string Error) Fastnn(string threads, params string[] args) =>
        Cli.Shell($"DOTNET_PROCESSOR_COUNT={Processors} FASTNN_NUM_THREADS={threads} exec \"$@\"", args);
}
