using System.Numerics;
using FastNN.Data;

namespace FastNN.Tests.Data;

public class StandardizerTests
{
    [Fact]
    public void FitsMeanAndPopulationStdPerColumn()
    {
        // Column 0: 1, 2, 3, 6 → mean 3, population variance (4 + 1 + 0 + 9) / 4 = 3.5.
        // Column 1: constant 5 → mean 5, scale forced to 1.
        double[] x = [1, 5, 2, 5, 3, 5, 6, 5];
        Standardizer s = Standardizer.Fit<double>(x, rows: 4, featureCount: 2);
        Assert.Equal([3.0, 5.0], s.Means.ToArray());
        Assert.Equal(Math.Sqrt(3.5), s.Scales[0], 1e-15);
        Assert.Equal(1.0, s.Scales[1]);

        s.Transform<double>(x);
        double[] expectedColumn0 = [-2 / Math.Sqrt(3.5), -1 / Math.Sqrt(3.5), 0, 3 / Math.Sqrt(3.5)];
        for (int r = 0; r < 4; r++)
        {
            Assert.Equal(expectedColumn0[r], x[2 * r], 1e-15);
            Assert.Equal(0.0, x[2 * r + 1]);
        }
    }

    [Fact]
    public void StatisticsComeFromTheTrainingRowsOnly()
    {
        var train = new Dataset<double>([0, 2, 4], [0, 0, 0], 1);
        var test = new Dataset<double>([100], [0], 1);
        Standardizer s = Standardizer.Fit(train);
        Dataset<double> scaled = s.Transform(test);
        // Train mean 2, population std √(8/3); the test row must not move them.
        Assert.Equal((100 - 2) / Math.Sqrt(8.0 / 3), scaled.Features[0], 1e-12);
        Assert.Equal(100.0, test.Features[0]);
    }

    [Fact]
    public void StandardizedTrainingColumnsHaveZeroMeanAndUnitVariance()
    {
        Dataset<double> data = Csv.Read<double>(DataFiles.Path("breast_cancer.csv"));
        Dataset<double> scaled = Standardizer.Fit(data).Transform(data);
        for (int c = 0; c < scaled.FeatureCount; c++)
        {
            double mean = 0, square = 0;
            for (int r = 0; r < scaled.Rows; r++)
            {
                double v = scaled.Features[r * scaled.FeatureCount + c];
                mean += v;
                square += v * v;
            }
            Assert.Equal(0.0, mean / scaled.Rows, 1e-12);
            Assert.Equal(1.0, square / scaled.Rows, 1e-12);
        }
    }

    [Fact]
    public void RejectsMismatchedShapes()
    {
        Standardizer s = Standardizer.Fit<double>([1, 2, 3, 4], 2, 2);
        Assert.Throws<ArgumentException>(() => s.Transform<double>(new double[3]));
        Assert.Throws<ArgumentException>(() => s.Transform(new Dataset<double>([1, 2, 3], [0], 3)));
        Assert.Throws<ArgumentException>(() => new Standardizer([0.0], [0.0]));
    }

    [Fact]
    public void AConstantColumnWhoseMeanRoundsIsStillConstant()
    {
        // Ten 0.1s sum to 0.9999999999999999, so the mean is one ulp off 0.1 and the deviations are 1.4e-17, not 0.
        // Taking that rounding noise as σ sends a held-out 0.2 to 7.2e15 instead of 0.1 (σ = 1, as scikit-learn).
        double[] train = Enumerable.Repeat(0.1, 10).ToArray();
        Standardizer s = Standardizer.Fit<double>(train, rows: 10, featureCount: 1);
        Assert.Equal(1.0, s.Scales[0]);
        double[] heldOut = [0.1, 0.2];
        s.Transform<double>(heldOut);
        Assert.Equal(0.0, heldOut[0], 1e-15);
        Assert.Equal(0.1, heldOut[1], 1e-15);
    }

    [Fact]
    public void ASmallSpreadAroundAHugeMeanIsKept()
    {
        // σ of 1e30 + {−1e20, 0, 1e20} is 1e20·√(2/3): two passes keep it, and it is far above rounding noise.
        double[] x = [1e30 - 1e20, 1e30, 1e30 + 1e20];
        Standardizer s = Standardizer.Fit<double>(x, rows: 3, featureCount: 1);
        Assert.Equal(1e20 * Math.Sqrt(2.0 / 3), s.Scales[0], 1e20 * 1e-5);
        Assert.Equal(1e30, s.Means[0], 1e30 * 1e-15);
    }

    /// <summary>
    /// Columns of huge and tiny doubles are standardized as their unit-scale copy is: each is b·c for one column b, so μ and
    /// σ scale by c and the standardized values are b's. Before, 1e200·b squared to +∞ (σ = ∞ refused as "scales[1] is
    /// not finite"), 5e307·b summed to +∞, and 1e-170·b squared to 0 (σ taken as 1: a non-constant column left unscaled).
    /// </summary>
    [Fact]
    public void HugeAndTinyColumnsAreStandardizedAsTheirUnitScaleCopy()
    {
        double[] b = [1, 3, 2, -0.5, 2.25];
        double[] factors = [1, 1e200, 5e307, 1e-170, 3e-300];
        int columns = factors.Length;
        double[] x = new double[b.Length * columns];
        for (int r = 0; r < b.Length; r++)
            for (int c = 0; c < columns; c++)
                x[r * columns + c] = b[r] * factors[c];
        Standardizer s = Standardizer.Fit<double>(x, b.Length, columns);
        s.Transform<double>(x);
        double mean = b.Average(), std = Math.Sqrt(b.Sum(v => (v - mean) * (v - mean)) / b.Length);
        for (int c = 0; c < columns; c++)
        {
            Assert.True(Math.Abs(s.Means[c] - mean * factors[c]) <= 1e-15 * Math.Abs(mean * factors[c]), $"μ of column {c}: {s.Means[c]:R}");
            Assert.True(Math.Abs(s.Scales[c] - std * factors[c]) <= 1e-15 * std * factors[c], $"σ of column {c}: {s.Scales[c]:R}");
            for (int r = 0; r < b.Length; r++)
                Assert.Equal((b[r] - mean) / std, x[r * columns + c], 1e-14);
        }
    }

    [Fact]
    public void AColumnWhoseSpreadIsBelowTheSmallestDoubleIsConstant()
    {
        // σ of [ε, 0] is ε/2 and of [ε, ε, ε, 0] √3/4·ε (ε the smallest subnormal): scaled back from the unit-scale sums
        // they round to 0, which Fit passed on and its own constructor refused ("scales[0] = 0 is not finite and
        // positive", ParamName 'scales', a parameter the caller never gave). Nothing can divide by such a σ: the column
        // is constant (σ = 1), as it was before the columns were scaled. A σ of 1 ulp or more is kept.
        foreach (double[] column in new[] { new[] { double.Epsilon, 0 }, [double.Epsilon, double.Epsilon, double.Epsilon, 0], [-double.Epsilon, 0, 0] })
        {
            Standardizer s = Standardizer.Fit<double>(column, column.Length, 1);
            Assert.Equal(1.0, s.Scales[0]);
        }
        Standardizer kept = Standardizer.Fit<double>([4 * double.Epsilon, 0], 2, 1);
        Assert.Equal(2 * double.Epsilon, kept.Scales[0]);
        Assert.Equal(2 * double.Epsilon, kept.Means[0]);
    }

    [Fact]
    public void ANonFiniteFeatureIsNamedByRowAndColumn()
    {
        // Fit on a span takes any values; a NaN or infinity was reported as "means[1] = NaN is not finite" (ParamName means).
        foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            var e = Assert.Throws<ArgumentException>(() => Standardizer.Fit<double>([1, 2, 3, bad, 5, 6], rows: 3, featureCount: 2));
            Assert.Equal("features", e.ParamName);
            Assert.Contains("row 1", e.Message);
            Assert.Contains("column 1", e.Message);
        }
    }

    [Fact]
    public void AValueThatStandardizesBeyondTheElementTypesRangeIsNamedNotStoredAsInfinity()
    {
        // Fitted on a feature of spread 5e-31, a held-out 1e10 standardizes to 2e40, beyond float: it was stored as +∞, and
        // the dataset made of it said "Feature 'a' (column 0) of row 1 (counting from 0) is Infinity" of a finite 1e10
        // (fastnn train printed that for a held-out row).
        Standardizer fitted = Standardizer.Fit(new Dataset<float>([1e-30f, 2e-30f], [0, 1], 1, ["a"]));
        var heldOut = new Dataset<float>([1e-30f, 1e10f], [0, 1], 1, ["a"]);
        var e = Assert.Throws<ArgumentException>(() => fitted.Transform(heldOut));
        Assert.Equal("data", e.ParamName);
        Assert.Contains("Feature 'a' (column 0) of row 1 (counting from 0), 1E+10, standardizes to", e.Message);
        Assert.Contains("beyond the range of float", e.Message);

        float[] span = [1e-30f, 1e10f];
        var onSpan = Assert.Throws<ArgumentException>(() => fitted.Transform<float>(span));
        Assert.Equal("features", onSpan.ParamName);
        Assert.Contains("features[1] (row 1, column 0, counting from 0), 1E+10, standardizes to", onSpan.Message);

        // As double it is a value like another: (1e10 − 1.5e-30) / 5e-31.
        Standardizer asDouble = Standardizer.Fit(new Dataset<double>([1e-30, 2e-30], [0, 1], 1, ["a"]));
        double z = asDouble.Transform(new Dataset<double>([1e10], [0], 1, ["a"])).Features[0];
        Assert.Equal((1e10 - asDouble.Means[0]) / asDouble.Scales[0], z);
    }

    // A checkpoint records the statistics its run fitted and `fastnn train --resume` compares them exactly, on whatever
    // machine it resumes: so they must be the same bits on every instruction-set path (CI runs this test on AVX-512, AVX2,
    // 128-bit and scalar). They are if Fit sums in double in row order, as this reference does; a sum in vector lanes or
    // blocks of another width would round differently. The data mixes magnitudes so that the order shows in the last bits:
    // the test checks that summing in four lanes (AVX2's doubles) changes at least one column.
    [Fact]
    public void FittedStatisticsAreTheRowOrderDoubleSumsOnEveryPath()
    {
        const int rows = 1003, columns = 5;
        var random = new Random(20261207);
        var x = new float[rows * columns];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
                x[r * columns + c] = (float)((random.NextDouble() - 0.3) * Math.Pow(10, random.Next(-6, 7)) + c * 1000);
        }

        Standardizer fitted = Standardizer.Fit<float>(x, rows, columns);
        Standardizer ofDouble = Standardizer.Fit<double>([.. x.Select(v => (double)v)], rows, columns);
        bool orderShows = false;
        for (int c = 0; c < columns; c++)
        {
            double[] column = [.. Enumerable.Range(0, rows).Select(r => (double)x[r * columns + c])];
            (double mean, double sigma) = InRowOrder(column);
            Assert.Equal(BitConverter.DoubleToInt64Bits(mean), BitConverter.DoubleToInt64Bits(fitted.Means[c]));
            Assert.Equal(BitConverter.DoubleToInt64Bits(sigma), BitConverter.DoubleToInt64Bits(fitted.Scales[c]));
            Assert.Equal(BitConverter.DoubleToInt64Bits(mean), BitConverter.DoubleToInt64Bits(ofDouble.Means[c]));
            Assert.Equal(BitConverter.DoubleToInt64Bits(sigma), BitConverter.DoubleToInt64Bits(ofDouble.Scales[c]));
            orderShows |= InFourLanes(column) != mean;
        }
        Assert.True(orderShows, "the data does not tell a four-lane sum from the row-order one: the test would not see a change of order");
    }

    // μ = Σx / n and σ = √(Σ(x − μ)² / n), each sum in double from the first row to the last.
    private static (double Mean, double Sigma) InRowOrder(double[] column)
    {
        double sum = 0;
        foreach (double v in column)
            sum += v;
        double mean = sum / column.Length, squares = 0;
        foreach (double v in column)
            squares += (v - mean) * (v - mean);
        return (mean, Math.Sqrt(squares / column.Length));
    }

    // The mean summed as a 4-lane vector loop would: lane i holds rows i, i + 4, …; the lanes added at the end.
    private static double InFourLanes(double[] column)
    {
        var lanes = new double[4];
        for (int r = 0; r < column.Length; r++)
            lanes[r % 4] += column[r];
        return (lanes[0] + lanes[1] + (lanes[2] + lanes[3])) / column.Length;
    }

    // Bounds are the ends of the values Transform takes, exactly: the next value out is refused (Predictor's fast check
    // relies on it). A mean beyond float's range for float leaves no value in.
    [Theory]
    [InlineData(2.0, 1e-3)]
    [InlineData(-5.0, 1e-300)]
    [InlineData(1e300, 1e10)]
    [InlineData(0.0, 1.0)]
    public void BoundsAreTheEndsOfTheValuesTransformTakes(double mean, double scale)
    {
        var s = new Standardizer([mean], [scale]);
        AssertEnds<float>(s);
        AssertEnds<double>(s);
    }

    private static void AssertEnds<T>(Standardizer s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        (T low, T high) = s.Bounds<T>(0);
        if (low > high)
        {
            Assert.Throws<ArgumentException>(() => s.Transform<T>(new T[] { T.Zero }));
            return;
        }
        foreach (T x in new[] { low, high })
            s.Transform<T>(new T[] { x });
        foreach (T x in new[] { T.BitDecrement(low), T.BitIncrement(high) })
        {
            if (T.IsFinite(x))
                Assert.Throws<ArgumentException>(() => s.Transform<T>(new T[] { x }));
        }
    }
}
