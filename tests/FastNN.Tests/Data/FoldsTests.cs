using FastNN.Data;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FastNN.Tests.Data;

public class FoldsTests
{
    [Property(MaxTest = 50)]
    public Property KFoldPartitionsTheRows(PositiveInt rowsSeed, PositiveInt kSeed, int seed)
    {
        int rows = 2 + rowsSeed.Get % 200;
        int k = 2 + kSeed.Get % Math.Min(rows - 1, 10);
        Fold[] folds = Folds.KFold(rows, k, seed);
        return AssertPartition(folds, rows, k).ToProperty();
    }

    [Fact]
    public void StratifiedFoldsKeepClassRatiosAndPartitionTheRows()
    {
        Dataset<double> data = Csv.Read<double>(DataFiles.Path("breast_cancer.csv"));
        const int k = 5;
        Fold[] folds = Folds.Stratified(data.Targets, k, seed: 7);
        Assert.True(AssertPartition(folds, data.Rows, k));

        int[] classTotals = new int[2];
        foreach (double y in data.Targets)
            classTotals[(int)y]++;
        foreach (Fold fold in folds)
        {
            for (int c = 0; c < 2; c++)
            {
                int inFold = fold.ValidationRows.Count(r => (int)data.Targets[r] == c);
                // Each fold holds ⌊n_c / k⌋ or ⌈n_c / k⌉ rows of class c.
                Assert.InRange(inFold, classTotals[c] / k, (classTotals[c] + k - 1) / k);
            }
        }
    }

    [Property(MaxTest = 50)]
    public Property StratifiedFoldsKeepEachClassWithinOneOfItsShare(NonEmptyArray<byte> classesSeed, int seed)
    {
        double[] labels = classesSeed.Get.Select(b => (double)(b % 4)).ToArray();
        if (labels.Length < 3)
            return true.ToProperty();
        int k = Math.Min(3, labels.Length);
        Fold[] folds = Folds.Stratified<double>(labels, k, seed);
        bool ratios = Enumerable.Range(0, 4).All(c =>
        {
            int total = labels.Count(y => y == c);
            return folds.All(f =>
            {
                int n = f.ValidationRows.Count(r => labels[r] == c);
                return n >= total / k && n <= (total + k - 1) / k;
            });
        });
        return (ratios && AssertPartition(folds, labels.Length, k)).ToProperty();
    }

    /// <summary>
    /// Stratification groups rows by the classes present, so class indices up to int.MaxValue are taken, and the folds
    /// and splits depend on the classes' order only: the same as with the indices 0, 1, 2. Class int.MaxValue threw an
    /// OverflowException (the class count int.MaxValue + 1 wrapped), and a class near 2e9 allocated a list per index below it.
    /// </summary>
    [Fact]
    public void StratificationTakesAnyClassIndexUpToIntMaxValue()
    {
        double[] sparse = [0, int.MaxValue, 0, int.MaxValue, 7, 7, 7, 0, int.MaxValue, 7];
        double[] dense = [.. sparse.Select(y => y == 0 ? 0.0 : y == 7 ? 1.0 : 2.0)];
        for (int seed = 0; seed < 3; seed++)
        {
            Assert.Equal(Folds.Stratified<double>(dense, 3, seed).Select(f => f.ValidationRows),
                Folds.Stratified<double>(sparse, 3, seed).Select(f => f.ValidationRows));
            double[] rowIds = [.. Enumerable.Range(0, sparse.Length).Select(i => (double)i)];
            var (sparseTrain, sparseValidation) = new Dataset<double>(rowIds, sparse, 1).Split(0.5, seed, stratified: true);
            var (denseTrain, denseValidation) = new Dataset<double>(rowIds, dense, 1).Split(0.5, seed, stratified: true);
            Assert.Equal(denseTrain.Features.ToArray(), sparseTrain.Features.ToArray());
            Assert.Equal(denseValidation.Features.ToArray(), sparseValidation.Features.ToArray());
        }
        // 2³¹ is no int: in float, int.MaxValue rounds to it, and it was read as class int.MaxValue.
        Assert.Throws<ArgumentException>(() => Folds.Stratified<float>([0, 2147483648f, 0, 2147483648f], 2, 0));
        Assert.Throws<ArgumentException>(() => Folds.Stratified<double>([0, 2147483648.0, 0, 2147483648.0], 2, 0));
    }

    [Fact]
    public void SameSeedSameFoldsAndOtherSeedOtherFolds()
    {
        Fold[] a = Folds.KFold(50, 5, 1), b = Folds.KFold(50, 5, 1), c = Folds.KFold(50, 5, 2);
        Assert.Equal(a.Select(f => f.ValidationRows), b.Select(f => f.ValidationRows));
        Assert.NotEqual(a.Select(f => f.ValidationRows), c.Select(f => f.ValidationRows));
    }

    [Fact]
    public void RejectsBadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Folds.KFold(10, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Folds.KFold(3, 4, 0));
        Assert.Throws<ArgumentException>(() => Folds.Stratified<double>([0, 1, 0.5], 2, 0));
    }

    // A negative row count was blamed on k: "k ('2') must be less than or equal to '-3'. (Parameter 'k')".
    [Fact]
    public void ANegativeRowCountIsRefusedNamingRows()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Folds.KFold(-3, 2, 0));
        Assert.Equal("rows", e.ParamName);
    }

    // Validation parts are disjoint and cover every row; each training part is the complement; sizes differ by ≤ 1.
    private static bool AssertPartition(Fold[] folds, int rows, int k)
    {
        Assert.Equal(k, folds.Length);
        var seen = new int[rows];
        foreach (Fold fold in folds)
        {
            foreach (int r in fold.ValidationRows)
                seen[r]++;
            var train = new HashSet<int>(fold.TrainRows);
            Assert.Equal(rows - fold.ValidationRows.Length, train.Count);
            Assert.DoesNotContain(fold.ValidationRows, train.Contains);
            Assert.InRange(fold.ValidationRows.Length, rows / k, (rows + k - 1) / k);
        }
        Assert.All(seen, count => Assert.Equal(1, count));
        return true;
    }
}
