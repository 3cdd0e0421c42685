using System.Globalization;
using System.Numerics;
using System.Text.Json;
using FastNN.Intrinsics;

namespace FastNN.Tests.Elementwise;

/// <summary>
/// Every activation at a NaN input against PyTorch 1.13 (Fixtures/nan_activation_fixtures.json, written by
/// Fixtures/make_nan_activation_fixtures.py): the output, and the input gradient from the backward kernel and, for the
/// activations whose derivative their output gives, from <see cref="Rows.ActivationGradient{T}"/>, as a network's backward
/// pass takes them. Spans of 3 (the zero-padded short vector) and 37 elements (every width's body and tail).
/// </summary>
public class NaNActivationTests
{
    private static readonly Lazy<JsonElement> Fixture = new(() => JsonFixture.Load("nan_activation_fixtures.json", "FastNN NaN activation fixtures", version: 1));

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (JsonElement c in Fixture.Value.GetProperty("cases").EnumerateArray())
            cases.Add(c.GetProperty("dtype").GetString()!, c.GetProperty("activation").GetString()!);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorch(string dtype, string activation)
    {
        JsonElement c = Fixture.Value.GetProperty("cases").EnumerateArray()
            .Single(e => e.GetProperty("dtype").GetString() == dtype && e.GetProperty("activation").GetString() == activation);
        double dy = Fixture.Value.GetProperty("dy").GetDouble();
        double y = Parse(c.GetProperty("y").GetString()!), dx = Parse(c.GetProperty("dx").GetString()!);
        if (dtype == "float32")
            Check<float>(activation, dy, y, dx);
        else
            Check<double>(activation, dy, y, dx);
    }

    private static void Check<T>(string activation, double dyValue, double expectedY, double expectedDx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool takesOutput = activation is "sigmoid" or "tanh";
        foreach (int n in new[] { 3, 37 })
        {
            T[] x = Enumerable.Repeat(T.NaN, n).ToArray(), dy = Enumerable.Repeat(T.CreateTruncating(dyValue), n).ToArray();
            var y = new T[n];
            var dx = new T[n];
            ActivationCases.Forward<T>(activation, x, y);
            Assert.All(y, v => AssertSame(expectedY, v, $"{activation}<{typeof(T).Name}>({n} NaN)"));
            ActivationBackwardTests.Backward<T>(activation, takesOutput ? y : x, dy, dx);
            Assert.All(dx, v => AssertSame(expectedDx, v, $"{activation}<{typeof(T).Name}> backward ({n} NaN)"));
            Activation? fromOutput = activation switch
            {
                "relu" => Activation.Relu, "sigmoid" => Activation.Sigmoid, "tanh" => Activation.Tanh, _ => null,
            };
            if (fromOutput is { } f)
            {
                Rows.ActivationGradient<T>(y, dy, dx, new T[n], 1, n, f, accumulate: false);
                Assert.All(dx, v => AssertSame(expectedDx, v, $"{activation}<{typeof(T).Name}> ActivationGradient ({n} NaN)"));
            }
        }
    }

    private static double Parse(string text) =>
        text == "nan" ? double.NaN : double.Parse(text, CultureInfo.InvariantCulture);

    private static void AssertSame<T>(double expected, T actual, string what) where T : IFloatingPointIeee754<T>
    {
        double a = double.CreateTruncating(actual);
        Assert.True(double.IsNaN(expected) ? double.IsNaN(a) : a == double.CreateTruncating(T.CreateTruncating(expected)),
            $"{what}: PyTorch 1.13 gives {expected:R}, got {a:R}");
    }
}
