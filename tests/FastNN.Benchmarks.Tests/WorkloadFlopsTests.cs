using FastNN.Benchmarks.Baselines;
using FastNN.Benchmarks.Elementwise;
using FastNN.Benchmarks.Gemm;
using FastNN.Benchmarks.Models;
using FastNN.Benchmarks.Optimizers;
using FastNN.Layers;

namespace FastNN.Benchmarks.Tests;

/// <summary>
/// The flop counts behind every GFLOP/s and efficiency figure, against counts done by hand: a Dense layer in→out over
/// b rows costs 2·b·in·out per product; a training step does the forward product, the weight gradient, and the input
/// gradient of every layer but the first.
/// </summary>
public class WorkloadFlopsTests
{
    [Theory]
    // 64 · 2 · (2·784·256 + 3·256·256 + 3·256·10) = 64 · 2 · 605,696
    [InlineData("mlp64", 77_529_088.0)]
    // the same at 256 rows: 4 times mlp64
    [InlineData("mlp256", 310_116_352.0)]
    // 64 · 2 · (2·256·256 + 19 · 3·256·256 + 3·256·10) = 64 · 2 · 3,874,304
    [InlineData("deep64", 495_910_912.0)]
    // an epoch is timed, not rated
    [InlineData("fit", 0.0)]
    public void Step_flops_are_the_forward_products_the_weight_gradients_and_all_input_gradients_but_the_first(string workload, double expected) =>
        Assert.Equal(expected, StepWorkload.FlopsOf(workload));

    [Theory]
    [InlineData("mlp64")]
    [InlineData("mlp256")]
    [InlineData("deep64")]
    [InlineData("fit")]
    public void The_step_reports_count_is_the_suites_and_follows_the_built_models_layers(string workload)
    {
        // The step report rates a built workload (Flops, from its Widths); the suite counts by name (FlopsOf): both must
        // follow the Dense layers the workload really builds. fit's epoch is timed, not rated (0): the step report printed
        // a GFLOP/s for it (its steps' flops over the epoch, Fit's own work included) that RESULTS.md's tables leave out.
        StepWorkload built = StepWorkload.Create(workload);
        int[] widths = [built.Model.InputSize, .. built.Model.Layers.OfType<Dense<float>>().Select(d => d.OutputSize)];
        Assert.Equal(widths, built.Widths);
        Assert.Equal(StepWorkload.FlopsOf(workload), built.Flops);
    }

    [Theory]
    // forward 2·64·(784·256 + 256·256 + 256·10) = 34,406,400; input gradients but the first 2·64·(256·256 + 256·10) = 8,716,288
    [InlineData(64, "MlpForward", 34_406_400.0)]
    [InlineData(64, "MlpBackward", 43_122_688.0)]
    [InlineData(64, "MlpTrainingStep", 77_529_088.0)]
    [InlineData(64, "DenseForward", 25_690_112.0)]
    // no input gradient: the weight gradient alone, the forward's size
    [InlineData(64, "DenseBackward", 25_690_112.0)]
    [InlineData(256, "MlpTrainingStep", 310_116_352.0)]
    public void Model_suite_flops_match_a_count_by_hand(int batch, string method, double expected) =>
        Assert.Equal(expected, new ModelBenchmarks { Batch = batch }.Flops(method));

    [Fact]
    public void A_dense_layer_has_three_products_of_two_flops_per_term()
    {
        GemmShape[] products = [.. GemmShape.DenseLayer("fc1", 784, 256, 64)];
        Assert.Equal(3, products.Length);
        Assert.All(products, p => Assert.Equal(25_690_112.0, p.Flops));
        Assert.Equal(2_147_483_648.0, GemmShape.Square(1024).Flops);
    }

    [Theory]
    // 2^20 loop steps × 12 chains × lanes × 2 flops per FMA
    [InlineData("Vector512Float", 402_653_184.0)]
    [InlineData("Vector512Double", 201_326_592.0)]
    [InlineData("Vector256Float", 201_326_592.0)]
    [InlineData("Vector256Double", 100_663_296.0)]
    public void The_peak_probe_counts_two_flops_per_fma_lane(string method, double expected) =>
        Assert.Equal(expected, new PeakFmaBenchmarks().Flops(method));

    [Theory]
    // Adam/AdamW: θ, m, v read and written, g read = 7 floats a parameter; SGD with momentum and RMSprop: θ and one state
    // read and written, g read = 5
    [InlineData("AdamW", 1 << 20, 29_360_128.0)]
    [InlineData("AdamLoop", 1 << 20, 29_360_128.0)]
    [InlineData("Sgd", 1 << 20, 20_971_520.0)]
    [InlineData("RmsPropLoop", 10 << 20, 209_715_200.0)]
    public void Optimizer_bytes_are_the_state_each_update_must_move(string method, int parameters, double expected) =>
        Assert.Equal(expected, new OptimizerBenchmarks { Parameters = parameters }.Bytes(method));

    [Fact]
    public void Triad_and_activation_bytes_count_each_array_once()
    {
        // STREAM's count: a written, b and c read, 4 bytes each
        Assert.Equal(12.0 * 16_777_216, new TriadBenchmarks { Length = 16 << 20 }.Bytes("Triad"));
        // forward x read, y written; backward dy and x (or y) read, dx written; 1M floats
        Assert.Equal(8.0 * 1_048_576, new ActivationBenchmarks().Bytes("Sigmoid"));
        Assert.Equal(12.0 * 1_048_576, new ActivationBenchmarks().Bytes("SigmoidBackward"));
    }
}
