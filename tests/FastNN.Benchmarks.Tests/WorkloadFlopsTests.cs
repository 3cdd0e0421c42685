using FastNN.Benchmarks.Gemm;
using FastNN.Benchmarks.Models;

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
}
