using System.Numerics;
using FastNN.Intrinsics;
using FsCheck.Xunit;

namespace FastNN.Tests.Elementwise;

/// <summary>PReLU with shared and per-feature slopes, and its derivatives (dx overwritten, dslopes accumulated).</summary>
public class PReluTests
{
    [Property(MaxTest = 40)]
    public void MatchesReference(int seed)
    {
        Check<float>(seed);
        Check<double>(seed);
    }

    private static void Check<T>(int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        int rows = rng.Next(9), features = 1 + TestData.Size(rng, 130);
        bool shared = rng.Next(2) == 0;
        // Specials half the time: past a few hundred elements one is almost sure to make the shared slope's sum NaN or ∞,
        // and then its value would go unchecked.
        T[] x = rng.Next(2) == 0 ? TestData.Values<T>(rng, rows * features) : TestData.Finite<T>(rng, rows * features, 3);
        T[] dy = TestData.Finite<T>(rng, rows * features, 2);
        T[] slopes = shared ? [T.CreateTruncating(0.25)] : TestData.Finite<T>(rng, features, 0.5);
        T[] dslopes = TestData.Finite<T>(rng, slopes.Length, 1);
        T[] before = (T[])dslopes.Clone();

        var y = new T[x.Length];
        Activations.PRelu<T>(x, y, slopes, features);
        var dx = new T[x.Length];
        Activations.PReluBackward<T>(x, dy, slopes, features, dx, dslopes);

        var expectedSlopes = before.Select(Tolerance.D).ToArray();
        var scale = before.Select(v => Math.Abs(Tolerance.D(v))).ToArray();
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < features; c++)
            {
                int i = r * features + c, k = shared ? 0 : c;
                double xi = Tolerance.D(x[i]), a = Tolerance.D(slopes[k]), g = Tolerance.D(dy[i]);
                Tolerance.AssertClose(xi > 0 ? xi : a * xi, y[i], 0.5, $"prelu[{r},{c}]");
                Tolerance.AssertClose(xi > 0 ? g : a * g, dx[i], 0.5, $"prelu′[{r},{c}]");
                double contribution = xi > 0 ? 0 : xi * g;
                expectedSlopes[k] += contribution;
                scale[k] += Math.Abs(contribution);
            }
        }
        int terms = rows * (shared ? features : 1) + 2;
        for (int k = 0; k < slopes.Length; k++)
            Tolerance.AssertClose(expectedSlopes[k], dslopes[k], terms, $"dslopes[{k}] ({(shared ? "shared" : "per feature")})", scale[k]);
    }
}
