using FastNN.Layers;
using FastNN.Models;

namespace FastNN.Tests.Layers;

/// <summary>Shapes and values for the layer properties: batch 1..8, widths 1..16, values away from kinks.</summary>
internal static class TestData
{
    public static int Batch(byte raw) => 1 + raw % 8;

    public static int Width(byte raw) => 1 + raw % 16;

    /// <summary>Uniform in (−scale, scale).</summary>
    public static double[] Uniform(Random random, int length, double scale = 1.0)
    {
        var values = new double[length];
        for (int i = 0; i < length; i++)
            values[i] = scale * (2 * random.NextDouble() - 1);
        return values;
    }

    /// <summary>Magnitudes in [0.1, 2], random signs: at least 0.1 from a kink at 0, far beyond the check's step.</summary>
    public static double[] AwayFromZero(Random random, int length)
    {
        var values = new double[length];
        for (int i = 0; i < length; i++)
            values[i] = (random.Next(2) == 0 ? -1 : 1) * (0.1 + 1.9 * random.NextDouble());
        return values;
    }

    /// <summary>Random parameters in (−1, 1); normalization scales in [0.5, 1.5]; running variances in [0.5, 2].</summary>
    public static void Randomize(Sequential<double> model, Random random)
    {
        foreach (ParameterTensor p in model.ParameterTensors)
        {
            Span<double> values = model.Parameters.Slice(p.Offset, p.Length);
            for (int i = 0; i < values.Length; i++)
                values[i] = p.Kind == ParameterKind.NormScale ? 0.5 + random.NextDouble() : 2 * random.NextDouble() - 1;
        }
        foreach (StateTensor s in model.StateTensors)
        {
            Span<double> values = model.State.Slice(s.Offset, s.Length);
            for (int i = 0; i < values.Length; i++)
                values[i] = s.Name.EndsWith("running_var", StringComparison.Ordinal) ? 0.5 + 1.5 * random.NextDouble()
                    : s.Name.EndsWith("num_batches_tracked", StringComparison.Ordinal) ? 3 : random.NextDouble() - 0.5;
        }
    }

    /// <summary>A double model of <paramref name="layers"/> for <paramref name="batch"/> rows, with random parameters and state.</summary>
    public static Sequential<double> Model(Random random, int batch, params ILayer<double>[] layers)
    {
        var model = new Sequential<double>(layers, batch, (ulong)random.Next());
        Randomize(model, random);
        return model;
    }
}
