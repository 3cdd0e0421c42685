using System.Text.Json;
using FastNN.Data;

namespace FastNN.Tests.Data;

/// <summary>
/// The rows a seed's split and folds hold out, against Fixtures/split_fixtures.json, which make_split_fixtures.py computes
/// from the published SplitMix64, xoshiro256**, Lemire and Fisher–Yates algorithms (not from FastNN): the same seed gives
/// the same held-out rows on every machine and in every version, so a user's held-out figures can be reproduced.
/// </summary>
public class SplitFixtureTests
{
    private static readonly JsonElement Fixture = JsonFixture.Load("split_fixtures.json", "FastNN split fixtures", 1);

    private static int[] Ints(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt32())];

    [Fact]
    public void SplitHoldsOutTheRowsTheReferenceChoosesInItsOrder()
    {
        double[] classes = [.. Ints(Fixture.GetProperty("classes")).Select(c => (double)c)];
        // Each row's one feature is its index, so the parts' rows can be read back in their order.
        var data = new Dataset<double>([.. Enumerable.Range(0, classes.Length).Select(r => (double)r)], classes, 1);
        foreach (JsonElement split in Fixture.GetProperty("splits").EnumerateArray())
        {
            var (train, validation) = data.Split(split.GetProperty("fraction").GetDouble(), split.GetProperty("seed").GetInt32(),
                stratified: split.GetProperty("stratified").GetBoolean());
            Assert.Equal(Ints(split.GetProperty("validation")), validation.Features.ToArray().Select(v => (int)v));
            Assert.Equal(Ints(split.GetProperty("train")), train.Features.ToArray().Select(v => (int)v));
        }
    }

    [Fact]
    public void KFoldDealsTheRowsTheReferenceDeals()
    {
        foreach (JsonElement kfold in Fixture.GetProperty("kfold").EnumerateArray())
        {
            Fold[] folds = Folds.KFold(kfold.GetProperty("rows").GetInt32(), kfold.GetProperty("k").GetInt32(), kfold.GetProperty("seed").GetInt32());
            JsonElement[] parts = [.. kfold.GetProperty("parts").EnumerateArray()];
            Assert.Equal(parts.Length, folds.Length);
            for (int i = 0; i < folds.Length; i++)
                Assert.Equal(Ints(parts[i]), folds[i].ValidationRows);
        }
    }
}
