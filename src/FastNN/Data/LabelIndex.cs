using System.Globalization;

namespace FastNN.Data;

/// <summary>
/// The distinct labels of a class column, each with the id of its first appearance. Looking up a label already seen
/// allocates nothing; only a new label is turned into a string. Labels are compared in Unicode normal form C, as column
/// names are (<see cref="NormalForm"/>): an <c>é</c> written decomposed is the composed one's class, and kept composed.
/// </summary>
internal sealed class LabelIndex
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<string> _labels = [];
    private char[] _scratch = [];

    public LabelIndex() => _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>An index holding <paramref name="labels"/> with ids 0, 1, … in their order.</summary>
    /// <exception cref="ArgumentException">A label is null, empty or repeated.</exception>
    public LabelIndex(IReadOnlyList<string> labels, string paramName) : this()
    {
        foreach (string label in labels)
        {
            if (string.IsNullOrEmpty(label))
                throw new ArgumentException($"Class label {_labels.Count} is empty.", paramName);
            if (TryGet(label, out int id))
                throw new ArgumentException($"Class label '{labels[id]}' appears twice{(NormalForm.SecondWritten(labels[id], label) is { } written ? $" ({written})" : "")}.", paramName);
            GetOrAdd(label);
        }
    }

    /// <summary>Number of distinct labels.</summary>
    public int Count => _labels.Count;

    /// <summary>The labels in order of first appearance.</summary>
    public IReadOnlyList<string> Labels => _labels;

    /// <summary>The id of <paramref name="label"/>, adding it if new.</summary>
    public int GetOrAdd(ReadOnlySpan<char> label)
    {
        label = NormalForm.Of(label, ref _scratch);
        if (_lookup.TryGetValue(label, out int id))
            return id;
        string text = label.ToString();
        _ids.Add(text, _labels.Count);
        _labels.Add(text);
        return _labels.Count - 1;
    }

    /// <summary>The id of <paramref name="label"/>, if present.</summary>
    public bool TryGet(ReadOnlySpan<char> label, out int id) => _lookup.TryGetValue(NormalForm.Of(label, ref _scratch), out id);

    /// <summary>The id of the first label that is a number equal to <paramref name="value"/> (<c>1</c> for 1.0), if any.</summary>
    public bool TryGetNumber(double value, out int id)
    {
        for (id = 0; id < _labels.Count; id++)
        {
            if (NumberOf(_labels[id]) == value)
                return true;
        }
        return false;
    }

    /// <summary>The label read as a number, NaN when it is not one.</summary>
    private static double NumberOf(string label) =>
        double.TryParse(label, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : double.NaN;

    /// <summary>
    /// The labels in their stable order (by value when every label is a number, ties and other columns by ordinal text),
    /// and for each id its rank in that order. With <paramref name="mergeEqualNumbers"/>, numeric labels of equal value
    /// (<c>1</c> and <c>1.0</c>) are one class, named by the ordinal-first of their texts.
    /// </summary>
    public (string[] Sorted, int[] RankOfId) Order(bool mergeEqualNumbers = false)
    {
        var ids = Enumerable.Range(0, _labels.Count).ToArray();
        double[] values = _labels.Select(NumberOf).ToArray();
        bool numeric = values.All(double.IsFinite);
        Array.Sort(ids, (a, b) =>
        {
            int byValue = numeric ? values[a].CompareTo(values[b]) : 0;
            return byValue != 0 ? byValue : string.CompareOrdinal(_labels[a], _labels[b]);
        });
        var rank = new int[ids.Length];
        var sorted = new List<string>(ids.Length);
        for (int r = 0; r < ids.Length; r++)
        {
            if (!(mergeEqualNumbers && numeric && r > 0 && values[ids[r]] == values[ids[r - 1]]))
                sorted.Add(_labels[ids[r]]);
            rank[ids[r]] = sorted.Count - 1;
        }
        return ([.. sorted], rank);
    }
}
