using System.Numerics;
using System.Text.Json;
using FastNN.Losses;
using static FastNN.Tests.FixtureValues;

namespace FastNN.Tests.Losses;

/// <summary>
/// Every built-in loss against PyTorch 1.13 at the extremes, value and prediction gradient, in float and in double, each
/// computed by PyTorch in that precision with its default mean reduction (Fixtures/make_loss_extreme_fixtures.py):
/// logits of ±1e30, ±3e38, ±∞ and NaN, one class, a dominant logit over 100 classes, a batch of one row, BCE targets
/// outside [0, 1] (taken, as PyTorch takes them), MSE past float's range, Huber at δ of 1, 0.5, 1e-3, 1e30 and +∞.
/// Infinities and NaN must match exactly; finite values within <see cref="RelativeUlps"/> units of T's precision
/// relative, plus 4 of T's smallest subnormal (the losses evaluate exp and log, correctly rounded to a few ulp, and sum
/// a handful of terms: two implementations differ by tens of ulp at most).
/// <para>Where FastNN differs from PyTorch it must match the exact value instead (mpmath from the rounded inputs; for
/// BCE the limit at an infinite logit), and <see cref="DifferencesFromPyTorchAreWhereFastNNIsExact"/> lists where.</para>
/// </summary>
public class LossExtremeFixtureTests
{
    private const int RelativeUlps = 64;

    [Fact]
    public void FloatLossesMatchPyTorchAtTheExtremes() => Check<float>("float");

    [Fact]
    public void DoubleLossesMatchPyTorchAtTheExtremes() => Check<double>("double");

    /// <summary>
    /// PyTorch's softmax sums 1 + 99·e^−16 with the dominant term's rounding near 1 (0.5 % of the loss of 1.1e-5 in
    /// float; in double 1e-10 of it), where FastNN takes the loss from the other classes' sum (the class remarks); BCE at
    /// a logit of −∞ with a target above 0 is +∞, its limit, where PyTorch 1.13 gives NaN (as the kernel's remarks say).
    /// A change here is a change of behaviour to review.
    /// </summary>
    [Fact]
    public void DifferencesFromPyTorchAreWhereFastNNIsExact()
    {
        string[] expected =
        [
            "float ce 100 classes, dominant: value", "float ce 100 classes, dominant: gradient[0]",
            "float bce ±inf, t ½, batch 1: value", "float bce ±inf, t ½, batch 2: value",
            "double ce 100 classes, dominant: value", "double ce 100 classes, dominant: gradient[0]",
            "double bce ±inf, t ½, batch 1: value", "double bce ±inf, t ½, batch 2: value",
        ];
        string[] actual = [.. Check<float>("float"), .. Check<double>("double")];
        Assert.True(expected.SequenceEqual(actual), "now: " + string.Join(", ", actual.Select(d => $"\"{d}\"")));
    }

    private static List<string> Check<T>(string dtype) where T : unmanaged, IFloatingPointIeee754<T>
    {
        JsonElement root = JsonFixture.Load("extremes/losses.json", "fastnn-loss-extremes-fixture", 1);
        JsonElement[] cases = [.. root.GetProperty("cases").EnumerateArray().Where(c => c.GetProperty("dtype").GetString() == dtype)];
        Assert.Equal(56, cases.Length);
        var failures = new List<string>();
        var differences = new List<string>();
        foreach (JsonElement c in cases)
        {
            string name = $"{dtype} {c.GetProperty("name").GetString()}";
            int batch = c.GetProperty("batch").GetInt32();
            T[] prediction = Read<T>(c.GetProperty("prediction")), target = Read<T>(c.GetProperty("target")), gradient = new T[prediction.Length];
            ILoss<T> loss = c.GetProperty("loss").GetString() switch
            {
                "cross_entropy" => new SoftmaxCrossEntropyLoss<T>(),
                "bce_with_logits" => new BceWithLogitsLoss<T>(),
                "mse" => new MseLoss<T>(),
                "huber" => new HuberLoss<T>(Parse<double>(c.GetProperty("delta").GetString())),
                var other => throw new InvalidDataException($"unknown loss {other}"),
            };
            T value = loss.Compute(prediction, target, gradient, batch);
            JsonElement exactGradient = c.GetProperty("exact_gradient");
            Compare(failures, differences, $"{name}: value", value, Parse<T>(c.GetProperty("value").GetString()), Exact<T>(c.GetProperty("exact_value")));
            T[] expected = Read<T>(c.GetProperty("gradient"));
            Assert.Equal(expected.Length, gradient.Length);
            for (int i = 0; i < gradient.Length; i++)
                Compare(failures, differences, $"{name}: gradient[{i}]", gradient[i], expected[i], exactGradient.ValueKind == JsonValueKind.Null ? null : Exact<T>(exactGradient[i]));
        }
        Assert.True(failures.Count == 0, $"{failures.Count} mismatches with PyTorch ({dtype}):\n" + string.Join("\n", failures));
        return differences;
    }

    private static void Compare<T>(List<string> failures, List<string> differences, string what, T actual, T pyTorch, T? exact) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Close(actual, pyTorch))
            return;
        if (exact is T e && Close(actual, e))
            differences.Add(what);
        else
            failures.Add($"{what}: FastNN {actual}, PyTorch {pyTorch}, exact {exact?.ToString() ?? "-"}");
    }

    private static bool Close<T>(T a, T e) where T : unmanaged, IFloatingPointIeee754<T> =>
        T.IsNaN(e) ? T.IsNaN(a)
        : !T.IsFinite(e) || !T.IsFinite(a) ? a == e
        : T.Abs(a - e) <= T.CreateTruncating(RelativeUlps) * Ulp<T>() * T.Abs(e) + T.CreateTruncating(4) * T.Epsilon;

    // T's ε: 2^-23 for float, 2^-52 for double.
    private static T Ulp<T>() where T : unmanaged, IFloatingPointIeee754<T> => T.BitIncrement(T.One) - T.One;

    private static T? Exact<T>(JsonElement value) where T : unmanaged, IFloatingPointIeee754<T> =>
        value.ValueKind == JsonValueKind.Null ? null : Parse<T>(value.GetString());
}
