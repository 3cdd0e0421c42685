using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Tests.Gemm;

/// <summary>
/// IEEE special values in A and B reach C as the arithmetic says: a NaN (or an infinity) of A met only by zeros of B
/// gives NaN (NaN·0 and ∞·0 are NaN), so no kernel may skip a zero operand or a zero row. On every path CI runs, through
/// the shapes of <see cref="GemmEdgeCaseTests"/> (small, dot, packed, transposed) and both kernels of the prepacked product.
/// </summary>
public class GemmSpecialValueTests
{
    public enum Poison { NaNInA, InfinityInA, NaNInB, InfinityInB }

    public static TheoryData<int, int, int, bool, bool> Shapes => GemmEdgeCaseTests.Shapes;

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ASpecialValueMetByZerosMakesItsRowOrColumnNaN(int m, int n, int k, bool transposeA, bool transposeB)
    {
        foreach (Poison poison in Enum.GetValues<Poison>())
        {
            Check<float>(m, n, k, transposeA, transposeB, poison);
            Check<double>(m, n, k, transposeA, transposeB, poison);
        }
    }

    private static void Check<T>(int m, int n, int k, bool transposeA, bool transposeB, Poison poison) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(m + 3 * n + 5 * k + (int)poison);
        int lda = (transposeA ? m : k) + 2, ldb = (transposeB ? k : n) + 1;
        // Small integers: every sum is exact, so the rows and columns not poisoned must come out finite.
        var a = new T[(transposeA ? k : m) * lda];
        var b = new T[(transposeB ? n : k) * ldb];
        for (int x = 0; x < a.Length; x++) a[x] = T.CreateChecked(rng.Next(-3, 4));
        for (int x = 0; x < b.Length; x++) b[x] = T.CreateChecked(rng.Next(-3, 4));
        ref T A(int i, int p) => ref transposeA ? ref a[p * lda + i] : ref a[i * lda + p];
        ref T B(int p, int j) => ref transposeB ? ref b[j * ldb + p] : ref b[p * ldb + j];
        int row = rng.Next(m), column = rng.Next(n), depth = rng.Next(k);
        bool inA = poison is Poison.NaNInA or Poison.InfinityInA;
        T special = poison is Poison.NaNInA or Poison.NaNInB ? T.NaN : T.NegativeInfinity;
        if (inA)
        {
            A(row, depth) = special;
            for (int j = 0; j < n; j++) B(depth, j) = T.Zero;
        }
        else
        {
            B(depth, column) = special;
            for (int i = 0; i < m; i++) A(i, depth) = T.Zero;
        }
        var c = new T[m * n];
        c.AsSpan().Fill(T.NaN);

        Intrinsics.Gemm.Multiply(transposeA, transposeB, m, n, k, T.One, a, lda, b, ldb, T.Zero, c, n);

        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                bool poisoned = inA ? i == row : j == column;
                Assert.True(poisoned == T.IsNaN(c[i * n + j]),
                    $"{typeof(T).Name} {poison} ({m}x{n}x{k}, transposeA {transposeA}, transposeB {transposeB}): C[{i},{j}] = {c[i * n + j]}");
            }
        }
    }

    [Theory]
    [InlineData(1, 33, 70)]
    [InlineData(2, 300, 17)]
    [InlineData(9, 40, 130)]
    public void PrepackedProductKeepsANaNOfA(int m, int k, int n)
    {
        // A NaN of A at depth p, with row p of op(B) zero: its row of C is NaN on the panel-rows kernel and on the packed GEMM.
        var rng = new Random(m + k + n);
        var a = new float[m * k];
        var b = new float[k * n];
        for (int x = 0; x < a.Length; x++) a[x] = rng.Next(-3, 4);
        for (int x = 0; x < b.Length; x++) b[x] = rng.Next(-3, 4);
        int row = rng.Next(m), depth = rng.Next(k);
        a[row * k + depth] = float.NaN;
        b.AsSpan(depth * n, n).Clear();
        PrepackedMatrix<float> packed = Intrinsics.Gemm.Prepack(false, k, n, b, n);
        var c = new float[m * n];
        foreach (int cutoff in new[] { int.MaxValue, 0 })
        {
            Intrinsics.Gemm.MultiplyPrepackedWithCutoff<float>(m, a, k, packed, [], Activation.Relu, c, n, new float[packed.WorkspaceLength], cutoff);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                    Assert.True((i == row) == float.IsNaN(c[i * n + j]), $"cut-off {cutoff}: C[{i},{j}] = {c[i * n + j]}");
        }
    }
}
