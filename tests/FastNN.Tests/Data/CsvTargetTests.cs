using FastNN.Data;

namespace FastNN.Tests.Data;

/// <summary>Which column is the target, how it is read (numbers, class labels, inferred), and which columns are features.</summary>
public class CsvTargetTests
{
    private static Dataset<double> ReadText(string text, CsvOptions? options = null) => Csv.Read<double>(new StringReader(text), "test.csv", options);

    private static readonly CsvOptions Classes = new() { Target = CsvTarget.ClassLabels };
    private static readonly CsvOptions Auto = new() { Target = CsvTarget.Auto };

    [Fact]
    public void AnUndefinedTargetKindIsRefusedByName()
    {
        // A cast integer meets the enum type: it was read as Numeric, so a word target read "'cat' is not a number".
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ReadText("x,kind\n1,cat\n", new CsvOptions { Target = (CsvTarget)4 }));
        Assert.Equal(nameof(CsvOptions.Target), error.ParamName);
    }

    [Theory]
    [InlineData(CsvTarget.Numeric)]
    [InlineData(CsvTarget.None)]
    public void KnownClassLabelsUnderATargetThatReadsNoLabelsAreRefusedByName(CsvTarget target)
    {
        // They were ignored: under the default Numeric target a word label then read "'cat' is not a number", as if
        // the labels had not been given.
        var error = Assert.Throws<ArgumentException>(() => ReadText("x,kind\n1,cat\n", new CsvOptions { Target = target, ClassLabels = ["cat", "dog"] }));
        Assert.Equal(nameof(CsvOptions.ClassLabels), error.ParamName);
        Assert.Contains($"Target {target}", error.Message);
    }

    [Fact]
    public void StringLabelsAreNumberedInOrdinalOrder()
    {
        Dataset<double> data = ReadText("x,kind\n1,dog\n2,cat\n3,eel\n4,cat\n", Classes);
        Assert.Equal(["cat", "dog", "eel"], data.ClassLabels!);
        Assert.Equal([1.0, 0.0, 2.0, 0.0], data.Targets.ToArray());
    }

    [Fact]
    public void NumericLabelsAreNumberedByValueNotByText()
    {
        // As text "10" < "2"; by value 2 < 10.
        Dataset<double> data = ReadText("x,y\n1,10\n2,2\n3,-1\n4,2\n", Classes);
        Assert.Equal(["-1", "2", "10"], data.ClassLabels!);
        Assert.Equal([2.0, 1.0, 0.0, 1.0], data.Targets.ToArray());
    }

    [Fact]
    public void KnownLabelsKeepTheirIndicesAndRejectOthers()
    {
        var known = Classes with { ClassLabels = ["b", "a", "c"] };
        Dataset<double> data = ReadText("x,y\n1,a\n2,a\n", known);
        Assert.Equal([1.0, 1.0], data.Targets.ToArray());
        Assert.Equal(["b", "a", "c"], data.ClassLabels!);

        var error = Assert.Throws<CsvFormatException>(() => ReadText("x,y\n1,a\n2,z\n", known));
        Assert.Equal((3, 2), (error.Line, error.Column));
        Assert.Contains("'z'", error.Message);
        Assert.Contains("b, a, c", error.Message);
    }

    /// <summary>
    /// Known labels under Auto say the column holds those classes. More of them than <see cref="Csv.AutoClassLimit"/> (a
    /// model of 25 classes) counted as 25 distinct values after the first row: Auto stopped matching the labels and read
    /// the column as numbers, the targets 30 and 70 instead of classes 3 and 7, without the labels and taking 999, which
    /// is no class; fractional labels (0.5, 1.5) were read as numbers too.
    /// </summary>
    [Fact]
    public void KnownLabelsUnderAutoAreTheClassesHoweverManyThereAre()
    {
        string[] tens = [.. Enumerable.Range(0, Csv.AutoClassLimit + 5).Select(i => $"{10 * i}")];
        var known = Auto with { ClassLabels = tens };
        Dataset<double> data = ReadText("x,y\n1,30\n2,70\n3,30\n", known);
        Assert.Equal([3.0, 7.0, 3.0], data.Targets.ToArray());
        Assert.Equal(tens, data.ClassLabels!);

        var error = Assert.Throws<CsvFormatException>(() => ReadText("x,y\n1,30\n2,999\n", known));
        Assert.Equal((3, 2), (error.Line, error.Column));

        Dataset<double> halves = ReadText("x,y\n1,1.5\n2,0.5\n", Auto with { ClassLabels = ["0.5", "1.5"] });
        Assert.Equal([1.0, 0.0], halves.Targets.ToArray());
        Assert.Equal(["0.5", "1.5"], halves.ClassLabels!);
    }

    [Theory]
    [InlineData("x,y\n1,a\n2,a\n", CsvTarget.ClassLabels)]
    [InlineData("x,y\n1,3\n2,3\n", CsvTarget.Auto)]
    public void AClassColumnWithOneClassIsRejected(string text, CsvTarget target)
    {
        var error = Assert.Throws<CsvFormatException>(() => ReadText(text, new CsvOptions { Target = target }));
        Assert.Equal((1, 2), (error.Line, error.Column));
        Assert.Contains("one class", error.Message);
    }

    [Fact]
    public void AutoReadsFewDistinctIntegersAsClasses()
    {
        Dataset<double> data = ReadText("x,y\n1,1\n2,2\n3,3\n4,1\n", Auto);
        Assert.Equal(["1", "2", "3"], data.ClassLabels!);
        Assert.Equal([0.0, 1.0, 2.0, 0.0], data.Targets.ToArray());
    }

    [Fact]
    public void AutoNumbersIntegerClassesByValueSoOneAndOnePointZeroAreOneClass()
    {
        // Auto takes the column as classes because every target is an integer: 1 and 1.0 (and 0 and -0) are then the same
        // class, not four classes as the texts 1, 1.0, 2, 2.0 were; each keeps its ordinal-first spelling.
        Dataset<double> data = ReadText("x,y\n1,1\n2,2.0\n3,1.0\n4,2\n5,-0\n6,0\n", Auto);
        Assert.Equal(["-0", "1", "2"], data.ClassLabels!);
        Assert.Equal([1.0, 2.0, 1.0, 2.0, 0.0, 0.0], data.Targets.ToArray());
        Assert.Contains("one class", Assert.Throws<CsvFormatException>(() => ReadText("x,y\n1,1\n2,1.0\n", Auto)).Message);
        // Named classes stay compared as text, as CsvTarget.ClassLabels documents.
        Assert.Equal(["1", "1.0"], ReadText("x,y\n1,1\n2,1.0\n", Classes).ClassLabels!);
    }

    [Fact]
    public void KnownNumericLabelsAlsoMatchByValue()
    {
        // A model trained with Auto on 1 and 1.0 saved the class '1'; reading that file again with the saved labels must
        // find 1.0 in it rather than refuse it. An exact text match still comes first.
        var known = new CsvOptions { Target = CsvTarget.ClassLabels, ClassLabels = ["1", "1.0", "2"] };
        Assert.Equal([0.0, 1.0, 2.0, 2.0], ReadText("x,y\n1,1\n2,1.0\n3,2\n4,2.00\n", known).Targets.ToArray());
        Assert.Throws<CsvFormatException>(() => ReadText("x,y\n1,3\n", known));
        Assert.Throws<CsvFormatException>(() => ReadText("x,y\n1,1\n", new CsvOptions { Target = CsvTarget.ClassLabels, ClassLabels = ["a", "b"] }));
    }

    /// <summary>
    /// Matching by value compares the cell's own number, not its rounding to T: in float, "0.10" was 0.1f, which is no
    /// label 0.1 (refused), and "16777217.0" was 16777216f, which silently took class "16777216" instead of "16777217".
    /// </summary>
    [Fact]
    public void KnownNumericLabelsMatchByTheCellsValueWhateverTheElementType()
    {
        var tenths = new CsvOptions { Target = CsvTarget.ClassLabels, ClassLabels = ["0.1", "0.2"] };
        Assert.Equal([0f, 1f], Csv.Read<float>(new StringReader("x,y\n1,0.10\n2,0.20\n"), "test.csv", tenths).Targets.ToArray());
        var large = new CsvOptions { Target = CsvTarget.ClassLabels, ClassLabels = ["16777216", "16777217"] };
        Assert.Equal([1f, 0f], Csv.Read<float>(new StringReader("x,y\n1,16777217.0\n2,16777216.0\n"), "test.csv", large).Targets.ToArray());
        Assert.Equal([1.0, 0.0], ReadText("x,y\n1,16777217.0\n2,16777216.0\n", large).Targets.ToArray());
    }

    [Fact]
    public void AutoReadsWordsAsClasses()
    {
        Dataset<double> data = ReadText("x,y\n1,yes\n2,no\n", Auto);
        Assert.Equal(["no", "yes"], data.ClassLabels!);
    }

    [Fact]
    public void AutoReadsFractionsAndManyIntegersAsNumbers()
    {
        Dataset<double> fractions = ReadText("x,y\n1,0.5\n2,1.5\n", Auto);
        Assert.Null(fractions.ClassLabels);
        Assert.Equal([0.5, 1.5], fractions.Targets.ToArray());

        // 21 distinct integers: one more than the limit.
        string many = "x,y\n" + string.Concat(Enumerable.Range(0, Csv.AutoClassLimit + 1).Select(i => $"{i},{100 + i}\n"));
        Dataset<double> counts = ReadText(many, Auto);
        Assert.Null(counts.ClassLabels);
        Assert.Equal(120.0, counts.Targets[^1]);

        string exactlyLimit = "x,y\n" + string.Concat(Enumerable.Range(0, Csv.AutoClassLimit).Select(i => $"{i},{100 + i}\n"));
        Assert.Equal(Csv.AutoClassLimit, ReadText(exactlyLimit, Auto).ClassLabels!.Count);
    }

    [Fact]
    public void AutoRejectsAWordAfterTheColumnWasTakenAsNumeric()
    {
        string text = "x,y\n" + string.Concat(Enumerable.Range(0, Csv.AutoClassLimit + 1).Select(i => $"{i},{i}\n")) + "9,n/a\n";
        var error = Assert.Throws<CsvFormatException>(() => ReadText(text, Auto));
        Assert.Equal((Csv.AutoClassLimit + 3, 2), (error.Line, error.Column));
        Assert.Contains("'n/a'", error.Message);
    }

    [Theory]
    [InlineData(CsvTarget.ClassLabels)]
    [InlineData(CsvTarget.Auto)]
    public void ANonFiniteTargetIsRejectedInEveryMode(CsvTarget target)
    {
        var error = Assert.Throws<CsvFormatException>(() => ReadText("x,y\n1,a\n2,NaN\n", new CsvOptions { Target = target }));
        Assert.Equal((3, 2), (error.Line, error.Column));
        Assert.Contains("not a finite number", error.Message);
    }

    [Theory]
    [InlineData("label", new[] { 1.0, 2.0 }, new[] { 10.0, 20.0 })]
    [InlineData("0", new[] { 10.0, 20.0 }, new[] { 1.0, 2.0 })]
    [InlineData("-2", new[] { 1.0, 2.0 }, new[] { 10.0, 20.0 })]
    public void TheLabelColumnIsChosenByNameOrIndex(string column, double[] features, double[] targets)
    {
        Dataset<double> data = ReadText("a,label,b\n1,10,5\n2,20,6\n", new CsvOptions { LabelColumn = column });
        Assert.Equal(targets, data.Targets.ToArray());
        Assert.Equal(features, data.Features.ToArray().Where((_, i) => i % 2 == 0).ToArray());
    }

    [Theory]
    [InlineData("nope", "no label column 'nope'")]
    [InlineData("3", "outside the 3 columns")]
    [InlineData("-4", "outside the 3 columns")]
    public void AMissingLabelColumnIsNamed(string column, string fragment)
    {
        var error = Assert.Throws<CsvFormatException>(() => ReadText("a,label,b\n1,10,5\n", new CsvOptions { LabelColumn = column }));
        Assert.Equal(1, error.Line);
        Assert.Contains(fragment, error.Message);
    }

    [Fact]
    public void FeatureColumnsAreTakenByNameInTheGivenOrder()
    {
        Dataset<double> data = ReadText("b,extra,a,y\n2,99,1,0\n4,98,3,1\n", new CsvOptions { FeatureColumns = ["a", "b"] });
        Assert.Equal(["a", "b"], data.FeatureNames);
        Assert.Equal([1.0, 2.0, 3.0, 4.0], data.Features.ToArray());

        var error = Assert.Throws<CsvFormatException>(() => ReadText("b,y\n2,0\n", new CsvOptions { FeatureColumns = ["a", "b"] }));
        Assert.Contains("no column 'a'", error.Message);
    }

    [Fact]
    public void NamesMatchInUnicodeNormalFormWhicheverWayEitherSideWritesThem()
    {
        // macOS may write a name decomposed ("e" and U+0301 COMBINING ACUTE ACCENT) where the model recorded it composed
        // (U+00E9), or the other way: matched as exact text, "there is no column 'café'" of a header whose 'café' prints the same.
        const string composed = "caf\u00e9", decomposed = "cafe\u0301", label = "\u00e9tat", labelDecomposed = "e\u0301tat";
        foreach ((string header, string asked, string target) in new[] { (composed, decomposed, labelDecomposed), (decomposed, composed, label) })
        {
            var byName = new CsvOptions { FeatureColumns = [asked], LabelColumn = target };
            Dataset<double> data = ReadText($"x,{header},{(target == label ? labelDecomposed : label)},id\n1,2,0,7\n3,4,1,8\n", byName);
            Assert.Equal([2.0, 4.0], data.Features.ToArray());
            Assert.Equal([0.0, 1.0], data.Targets.ToArray());
        }
        // A lone surrogate, which has no normal form, is matched as written.
        Assert.Equal([5.0], ReadText("a\uD800,y\n5,0\n", new CsvOptions { FeatureColumns = ["a\uD800"] }).Features.ToArray());
        // No match is still named, as asked.
        var missing = Assert.Throws<CsvFormatException>(() => ReadText($"{composed},y\n1,0\n", new CsvOptions { FeatureColumns = ["caf\u00e9s"] }));
        Assert.Contains("there is no column 'caf\u00e9s'", missing.Message);
    }

    [Fact]
    public void ClassLabelsMatchInUnicodeNormalFormAsNamesDo()
    {
        // The file macOS wrote with a decomposed 'é' in its header writes its labels so too: eval, reading by the model's
        // composed labels, said "'ne\u0301gatif' ... is not one of the 2 known classes (négatif, positif)", and a file
        // holding both forms was read as three classes, two of which print the same.
        const string composed = "n\u00e9gatif", decomposed = "ne\u0301gatif";
        Dataset<double> known = ReadText($"x,y\n1,{decomposed}\n2,positif\n", Classes with { ClassLabels = [composed, "positif"] });
        Assert.Equal([0.0, 1.0], known.Targets.ToArray());
        Assert.Equal([composed, "positif"], known.ClassLabels!);

        Dataset<double> mixed = ReadText($"x,y\n1,{composed}\n2,positif\n3,{decomposed}\n", Classes);
        Assert.Equal([composed, "positif"], mixed.ClassLabels!);
        Assert.Equal([0.0, 1.0, 0.0], mixed.Targets.ToArray());

        var twice = Assert.Throws<ArgumentException>(() => ReadText("x,y\n1,a\n", Classes with { ClassLabels = [composed, decomposed] }));
        Assert.Contains($"'{composed}' appears twice (the second written '{decomposed}'", twice.Message);
    }

    [Fact]
    public void TwoNamesThatAreOneOnceNormalizedAreRefusedAsARepeatedName()
    {
        // Read as two columns, each feature had a name that a later match would not tell from the other's.
        var error = Assert.Throws<CsvFormatException>(() => ReadText("caf\u00e9,cafe\u0301,y\n1,2,0\n"));
        Assert.Equal((1, 2), (error.Line, error.Column));
        Assert.Contains("names column 'caf\u00e9' twice (columns 1 and 2, the second written 'cafe\u0301'", error.Message);
        // Neither read: no matter, as for any repeated name.
        Dataset<double> data = ReadText("caf\u00e9,cafe\u0301,a,y\n1,2,3,0\n", new CsvOptions { FeatureColumns = ["a"] });
        Assert.Equal([3.0], data.Features.ToArray());
    }

    [Fact]
    public void ALastColumnNotReadMayHaveNoNameAndHoldValues()
    {
        // A column not read may have no name, the last one too: a notes column whose header cell was left blank, in a
        // file predicted from by the model's names. Since the header's empty last name was taken for a delimiter ending
        // every line, such a row was refused ("'x' after the last column").
        var byName = new CsvOptions { FeatureColumns = ["b", "a"], LabelColumn = "y" };
        Dataset<double> data = ReadText("a,b,y,\n1,2,0,x\n3,4,1,\n", byName);
        Assert.Equal([2.0, 1.0, 4.0, 3.0], data.Features.ToArray());
        Assert.Equal([0.0, 1.0], data.Targets.ToArray());
    }

    [Fact]
    public void ColumnsNotReadMayHaveAnEmptyOrRepeatedName()
    {
        // pandas' to_csv writes its index as a first column with no name: predicting from such a file (the model's feature
        // columns picked by name, as fastnn predict does) said "the header has an empty column name" of a column it does
        // not read, and so did two ignored columns of one name.
        var byName = new CsvOptions { FeatureColumns = ["b", "a"], LabelColumn = "y" };
        Dataset<double> data = ReadText(",a,note,b,note,y\n0,1,x,2,z,0\n1,3,x,4,z,1\n", byName);
        Assert.Equal([2.0, 1.0, 4.0, 3.0], data.Features.ToArray());
        Assert.Equal([0.0, 1.0], data.Targets.ToArray());

        // A column read still needs a name of its own.
        var twice = Assert.Throws<CsvFormatException>(() => ReadText("a,b,a,y\n1,2,3,0\n", byName));
        Assert.Equal((1, 3), (twice.Line, twice.Column));
        Assert.Contains("names column 'a' twice (columns 1 and 3)", twice.Message);
        // (Not the last column: an empty last name is a delimiter ending the line, CsvDialectTests.ADelimiterEndingEveryLineIsNoColumn.)
        var unnamedTarget = Assert.Throws<CsvFormatException>(() => ReadText("a,,b,y\n1,0,2,3\n", byName with { LabelColumn = "1" }));
        Assert.Equal((1, 2), (unnamedTarget.Line, unnamedTarget.Column));
        Assert.Contains("empty column name", unnamedTarget.Message);
    }

    [Fact]
    public void AnUnnamedFirstColumnIsNamedAsTheIndexPandasOrRWrites()
    {
        var error = Assert.Throws<CsvFormatException>(() => ReadText(",a,y\n0,1,0\n1,2,1\n"));
        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.Contains("to_csv(index=False)", error.Message);
        // R's write.csv quotes its row names' empty header.
        var quoted = Assert.Throws<CsvFormatException>(() => ReadText("\"\",\"a\",\"y\"\n\"1\",1,0\n"));
        Assert.Equal((1, 1), (quoted.Line, quoted.Column));
        Assert.Contains("write.csv(row.names = FALSE)", quoted.Message);
    }

    [Fact]
    public void AFeatureColumnAskedForTwiceIsRefusedNotReadAsZeros()
    {
        // Before: the second request took the column's slot, the first feature was never written and read 0 on every row.
        var error = Assert.Throws<ArgumentException>(() =>
            ReadText("a,b,y\n1,2,0\n3,4,1\n", new CsvOptions { FeatureColumns = ["a", "b", "a"] }));
        Assert.Equal(nameof(CsvOptions.FeatureColumns), error.ParamName);
        Assert.Contains("'a' twice (features 1 and 3)", error.Message);
    }

    [Fact]
    public void ANullFeatureColumnIsRefusedByName()
    {
        // It reached the header's dictionary: "Value cannot be null. (Parameter 'key')", a parameter the caller never gave.
        var error = Assert.Throws<ArgumentException>(() => ReadText("a,b,y\n1,2,0\n", new CsvOptions { FeatureColumns = ["a", null!] }));
        Assert.Equal(nameof(CsvOptions.FeatureColumns), error.ParamName);
        Assert.Contains("feature 2", error.Message);
    }

    [Fact]
    public void WithoutATargetEveryColumnIsAFeature()
    {
        Dataset<double> data = ReadText("a,b\n1,2\n3,4\n", new CsvOptions { Target = CsvTarget.None });
        Assert.Equal(2, data.FeatureCount);
        Assert.Equal([0.0, 0.0], data.Targets.ToArray());
        Assert.Null(data.ClassLabels);
    }

    [Fact]
    public void ClassLabelsSurviveSplitsSubsetsAndStandardization()
    {
        string text = "x,y\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"{i},{(i % 2 == 0 ? "even" : "odd")}\n"));
        Dataset<double> data = ReadText(text, Classes);
        var (train, test) = data.Split(0.25, seed: 1, stratified: true);
        Assert.Equal(["even", "odd"], train.ClassLabels!);
        Assert.Equal(["even", "odd"], test.ClassLabels!);
        Assert.Equal(["even", "odd"], Standardizer.Fit(train).Transform(train).ClassLabels!);
    }

    [Fact]
    public void ADatasetRejectsATargetOutsideItsClassLabels()
    {
        var error = Assert.Throws<ArgumentException>(() => new Dataset<double>([1, 2], [0, 2], 1, classLabels: ["a", "b"]));
        Assert.Contains("row 1", error.Message);
        Assert.Throws<ArgumentException>(() => new Dataset<double>([1, 2], [0, 1], 1, classLabels: ["a", "a"]));
    }

    [Fact]
    public void TheShippedDigitsReadAsTenClassesInIndexOrder()
    {
        Dataset<float> numeric = Csv.Read<float>(DataFiles.Path("digits.csv.gz"));
        Dataset<float> auto = Csv.Read<float>(DataFiles.Path("digits.csv.gz"), new CsvOptions { Target = CsvTarget.Auto });
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString()), auto.ClassLabels!);
        Assert.Equal(numeric.Targets.ToArray(), auto.Targets.ToArray());
        Assert.Null(Csv.Read<float>(DataFiles.Path("diabetes.csv"), new CsvOptions { Target = CsvTarget.Auto }).ClassLabels);
    }
}
