using System.Numerics;
using System.Text.Json;
using FastNN.Models;
using static FastNN.Tests.FixtureValues;

namespace FastNN.Tests.Layers;

/// <summary>
/// Every activation layer against PyTorch 1.13 at the extremes (±0, subnormals, saturating and huge inputs, ±inf; Softmax
/// and LogSoftmax rows with ±1e30 and −inf entries; Dropout in training at p = 0 and p = 1 over ±inf and NaN), forward
/// and backward (and PReLU's slope gradients, per channel and shared), in float and in double, each computed by
/// PyTorch in that precision (Fixtures/make_extreme_fixtures.py). Infinities and NaN must match exactly; finite values
/// within <see cref="RelativeUlps"/> units of T's precision relative, plus <see cref="AbsoluteUlps"/> of T's smallest
/// subnormal. Why: each side evaluates one or two transcendental functions (exp, erf, tanh, log1p), each correctly
/// rounded to within a few ulp, with a handful of roundings around them, so two implementations differ by tens of ulp
/// at most; a subnormal result has a fixed absolute spacing, hence the absolute term, scaled by max(1, |x|) because
/// SiLU and GELU multiply a subnormal intermediate (σ(x), Φ(x)) by x. Tanh and Sigmoid compute their derivative from the
/// rounded output y (1 − y², y·(1 − y), as PyTorch does), so that y's rounding, up to ε, moves it by up to 2ε: their
/// backward pass gets a further absolute 4ε (times |dy| = 1).
/// <para>Where FastNN differs from PyTorch it must instead match the exact value (mpmath, rounded to T; the fixture's
/// exact_* arrays) within the same tolerance: PyTorch 1.13's CPU kernels lose digits that FastNN keeps (x·(1 + erf(x/√2))/2
/// and σ(x) = 1/(1 + e^−x) round to 0 for x ≤ −10 in float, exp(x) − 1 for ELU near 0, GELU-tanh's x³ overflows to
/// NaN gradients at ±1e30 in float). Those differences are listed by <see cref="DifferencesFromPyTorchAreAllPyTorchsRounding"/>.</para>
/// </summary>
public class ExtremeActivationTests
{
    private const int RelativeUlps = 64;
    private const int AbsoluteUlps = 4;

    private static JsonElement[] Cases(string dtype)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "extremes", "activations.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal("fastnn-extremes-fixture", document.RootElement.GetProperty("magic").GetString());
        return document.RootElement.GetProperty("cases").EnumerateArray().Where(c => c.GetProperty("dtype").GetString() == dtype).Select(c => c.Clone()).ToArray();
    }

    [Fact]
    public void FloatLayersMatchPyTorchAtTheExtremes() => Check<float>("float");

    [Fact]
    public void DoubleLayersMatchPyTorchAtTheExtremes() => Check<double>("double");

    private static List<string> Check<T>(string dtype) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var failures = new List<string>();
        var differences = new List<string>();
        JsonElement[] cases = Cases(dtype);
        Assert.Equal(19, cases.Length);
        foreach (JsonElement c in cases)
        {
            int batch = c.GetProperty("batch").GetInt32();
            T[] x = Read<T>(c.GetProperty("input"));
            int width = x.Length / batch;
            (string layer, string label) = Layer(c);
            var model = Sequential<T>.FromJson($$"""{"format": "fastnn.sequential", "version": 1, "input_size": {{width}}, "max_batch": {{batch}}, "layers": [{{layer}}]}""");
            T[] y = model.Forward(x, batch).ToArray();
            T[] dy = c.GetProperty("output_grad").ValueKind == JsonValueKind.Null ? Enumerable.Repeat(T.One, x.Length).ToArray() : Read<T>(c.GetProperty("output_grad"));
            model.Backward(dy, batch);
            T[] dx = model.InputGradient(batch).ToArray();
            T fromOutput = label is "Tanh" or "Sigmoid" ? T.CreateTruncating(4) * Precision<T>() : T.Zero;
            bool timesX = label.StartsWith("SiLU") || label.StartsWith("GELU");
            Compare(failures, differences, label + " forward", x, y, Read<T>(c.GetProperty("output")), Exact<T>(c.GetProperty("exact_output")), T.Zero, timesX);
            Compare(failures, differences, label + " backward", x, dx, Read<T>(c.GetProperty("input_grad")), Exact<T>(c.GetProperty("exact_input_grad")), fromOutput, timesX);
            if (c.TryGetProperty("parameter_grad", out JsonElement parameterGrad)) // PReLU's slopes: Σ x·dy over x ≤ 0
                Compare(failures, differences, label + " slope gradient", x, model.Gradients.ToArray(), Read<T>(parameterGrad), [], T.Zero, timesX: false);
        }
        Assert.True(failures.Count == 0, $"{failures.Count} mismatches with PyTorch ({dtype}):\n" + string.Join("\n", failures));
        return differences;
    }

    [Fact]
    public void DifferencesFromPyTorchAreAllPyTorchsRounding()
    {
        // Every place where FastNN is closer to the exact value than PyTorch's own float/double kernel; a change here is
        // a change of behaviour to review (the layer tests above already hold FastNN to the exact value there).
        string[] expected =
        [
            "float Sigmoid forward at -100",
            "float GELU none forward at -3", "float GELU none forward at -10", "float GELU none backward at -10",
            "float GELU tanh forward at -3", "float GELU tanh forward at -10", "float GELU tanh backward at -3", "float GELU tanh backward at -10",
            "float GELU tanh backward at 1E+30", "float GELU tanh backward at -1E+30", "float GELU tanh backward at 3E+38", "float GELU tanh backward at -3E+38",
            "float SiLU forward at -100", "float SiLU backward at -100",
            "float ELU 1.0 forward at -1E-39", "float ELU 1.0 forward at -1E-30", "float ELU 1.0 forward at -1E-08",
            "float ELU 0.5 forward at -1E-39", "float ELU 0.5 forward at -1E-30", "float ELU 0.5 forward at -1E-08",
        ];
        List<string> actual = Check<float>("float");
        Assert.True(expected.SequenceEqual(actual), "now: " + string.Join(", ", actual));
    }

    // The layer's JSON description (its type and settings) and a short label of them ("GELU tanh").
    private static (string Json, string Label) Layer(JsonElement c)
    {
        JsonProperty[] settings = c.EnumerateObject().Where(p => p.Name is not ("dtype" or "batch" or "input" or "output" or "output_grad" or "input_grad" or "exact_output" or "exact_input_grad" or "parameter_grad")).ToArray();
        return ("{" + string.Join(", ", settings.Select(p => $"\"{p.Name}\": {p.Value.GetRawText()}")) + "}",
            string.Join(" ", settings.Select(p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText())));
    }

    private static void Compare<T>(List<string> failures, List<string> differences, string what, T[] x, T[] actual, T[] expected, T?[] exact, T floor, bool timesX) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        T precision = Precision<T>();
        for (int i = 0; i < expected.Length; i++)
        {
            T a = actual[i], e = expected[i];
            T absolute = floor + T.CreateTruncating(AbsoluteUlps) * T.Epsilon * (timesX ? T.Max(T.One, T.Abs(x[i])) : T.One);
            if (Close(a, e, precision, absolute))
                continue;
            if (exact.Length > 0 && exact[i] is T r && Close(a, r, precision, absolute))
                differences.Add($"{typeof(T).Name.ToLowerInvariant() switch { "single" => "float", var n => n }} {what} at {x[i]}");
            else
                failures.Add($"{what} at x[{i}] = {x[i]}: FastNN {a}, PyTorch {e}, exact {(exact.Length > 0 ? exact[i]?.ToString() : "-")}");
        }
    }

    // T's ε: 2^-23 for float, 2^-52 for double.
    private static T Precision<T>() where T : unmanaged, IFloatingPointIeee754<T> => T.BitDecrement(T.One) == T.CreateTruncating(1 - Math.Pow(2, -24)) ? T.CreateTruncating(Math.Pow(2, -23)) : T.CreateTruncating(Math.Pow(2, -52));

    private static bool Close<T>(T a, T e, T precision, T absolute) where T : unmanaged, IFloatingPointIeee754<T> =>
        T.IsNaN(e) ? T.IsNaN(a)
        : !T.IsFinite(e) || !T.IsFinite(a) ? a == e
        : T.Abs(a - e) <= T.CreateTruncating(RelativeUlps) * precision * T.Abs(e) + absolute;

    private static T?[] Exact<T>(JsonElement values) where T : unmanaged, IFloatingPointIeee754<T> =>
        values.ValueKind == JsonValueKind.Null ? [] : values.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? (T?)null : Parse<T>(v.GetString())).ToArray();
}
