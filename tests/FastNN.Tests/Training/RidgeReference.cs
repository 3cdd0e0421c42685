using FastNN.Data;

namespace FastNN.Tests.Training;

/// <summary>
/// The closed-form minimizer of (1/n)·Σ (yᵢ − xᵢ·w − b)² + (λ/2)·‖w‖² (the intercept b unpenalized), from the
/// normal equations solved in double by Gaussian elimination with partial pivoting.
/// </summary>
internal static class RidgeReference
{
    /// <summary>Returns w (one per feature) followed by b.</summary>
    public static double[] Solve(Dataset<double> data, double lambda)
    {
        int n = data.Rows, d = data.FeatureCount, m = d + 1;
        // Setting the gradient to zero: ((2/n)·AᵀA + diag(λ, …, λ, 0))·θ = (2/n)·Aᵀy with A = [X 1].
        var a = new double[m, m + 1];
        for (int r = 0; r < n; r++)
        {
            for (int i = 0; i < m; i++)
            {
                double ai = i < d ? data.Features[r * d + i] : 1;
                for (int j = 0; j < m; j++)
                    a[i, j] += 2.0 / n * ai * (j < d ? data.Features[r * d + j] : 1);
                a[i, m] += 2.0 / n * ai * data.Targets[r];
            }
        }
        for (int i = 0; i < d; i++)
            a[i, i] += lambda;
        return GaussianElimination(a, m);
    }

    public static double Predict(double[] theta, ReadOnlySpan<double> row)
    {
        double y = theta[^1];
        for (int j = 0; j < row.Length; j++)
            y += theta[j] * row[j];
        return y;
    }

    private static double[] GaussianElimination(double[,] a, int m)
    {
        for (int col = 0; col < m; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < m; r++)
            {
                if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col]))
                    pivot = r;
            }
            for (int c = 0; c <= m; c++)
                (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
            for (int r = col + 1; r < m; r++)
            {
                double f = a[r, col] / a[col, col];
                for (int c = col; c <= m; c++)
                    a[r, c] -= f * a[col, c];
            }
        }
        var x = new double[m];
        for (int r = m - 1; r >= 0; r--)
        {
            double s = a[r, m];
            for (int c = r + 1; c < m; c++)
                s -= a[r, c] * x[c];
            x[r] = s / a[r, r];
        }
        return x;
    }
}
