using System.Globalization;
using System.Numerics;
using FastNN.Intrinsics;

namespace FastNN.Data;

/// <summary>
/// Reads one CSV table into a <see cref="Dataset{T}"/> as <see cref="Csv"/> documents: the header, then every row,
/// each cell parsed from a span of the line buffer into chunked storage, so the loop over rows allocates nothing per row.
/// </summary>
internal sealed class CsvTableReader<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Ignored = -1, TargetSlot = -2;

    private readonly CsvLineReader _lines;
    private readonly string _source;
    private readonly CsvOptions _options;
    private readonly CsvTarget _target; // how the target is read: the options', Auto with known labels being ClassLabels
    private readonly Utf8Decoding? _decoding; // how the bytes were decoded, when the reader had them
    private char[] _scratch = new char[256];

    private string[] _names = [];
    private int[] _slots = [];            // per column: its feature position, TargetSlot or Ignored
    private int _targetColumn = -1;       // 0-based, or -1 when no target is read
    private string[] _featureNames = [];
    private int _headerLine;
    private char _delimiter;              // the header's, given or detected
    private bool _trailingDelimiter;      // the header's last name is empty: a delimiter ending every line, or an unnamed column, never read

    private T[] _row = [];                // one row's features in feature order, before they are appended
    private readonly ChunkedList<T> _features = new();
    private readonly ChunkedList<T> _numbers = new();   // numeric targets
    private readonly ChunkedList<int> _labelIds = new(); // class targets, as label ids
    private LabelIndex? _labels;
    private bool _targetsNumeric = true, _targetsIntegers = true, _trackingLabels;
    private long _rows;

    public CsvTableReader(TextReader reader, string source, CsvOptions options, Utf8Decoding? decoding)
    {
        if (!Enum.IsDefined(options.Target))
            throw new ArgumentOutOfRangeException(nameof(CsvOptions.Target), options.Target, "Unknown target kind.");
        if (options.ClassLabels is not null && options.Target is CsvTarget.Numeric or CsvTarget.None)
            throw new ArgumentException($"ClassLabels are read with Target ClassLabels or Auto; under Target {options.Target} they would be ignored.", nameof(CsvOptions.ClassLabels));
        _lines = new CsvLineReader(reader);
        _source = source;
        _options = options;
        // Known labels say the column holds those classes: Auto's guess (numbers, or at most AutoClassLimit integers,
        // which 25 known labels exceeded at the first row) would read it as numbers and leave the labels unmatched.
        _target = options.Target == CsvTarget.Auto && options.ClassLabels is not null ? CsvTarget.ClassLabels : options.Target;
        _decoding = decoding;
    }

    public Dataset<T> Read()
    {
        char delimiter = ReadHeader();
        while (_lines.TryReadLine(out ReadOnlySpan<char> line))
        {
            // A delimiter makes it a row of empty cells, not a blank line, even when it is white space ("\t\t" of a TSV file).
            if (!line.IsWhiteSpace() || line.Contains(delimiter))
                ReadRow(line, delimiter);
        }
        if (_rows == 0)
            throw Error(_lines.LineNumber, 0, "the file has a header but no data rows.");
        if (_rows * _featureNames.Length > Array.MaxLength)
            throw Error(_lines.LineNumber, 0, $"{_rows} rows of {_featureNames.Length} features are more values than one array holds.");

        (T[] targets, string[]? classLabels) = Targets();
        return new Dataset<T>(_features.ToArray(), targets, _featureNames.Length, _featureNames,
            _targetColumn >= 0 ? _names[_targetColumn] : null, classLabels);
    }

    private char ReadHeader()
    {
        ReadOnlySpan<char> header;
        do
        {
            if (!_lines.TryReadLine(out header))
                throw Error(Math.Max(_lines.LineNumber, 1), 0, "the file is empty; a header row of column names is expected.");
            // A byte-order mark the text reader left in place, before the header or a blank line.
            header = header.TrimStart('\uFEFF');
        } while (header.IsWhiteSpace());
        _headerLine = _lines.LineNumber;
        if (header.Contains('\0'))
            throw Error(_headerLine, 0, $"the header {Quoted(header)} holds NUL characters, which no CSV text does: the file is binary (a tar archive?), or UTF-16 text without a byte-order mark.");

        char delimiter = _delimiter = _options.Delimiter ?? CsvFields.DetectDelimiter(header);
        if (delimiter is '"' or '\n' or '\r')
            throw new ArgumentException($"Delimiter {(delimiter == '"' ? "'\"'" : "a line end")} cannot separate fields: a quote starts a quoted field, a line end a row.", nameof(CsvOptions.Delimiter));
        var names = new List<string>();
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        var fields = new CsvFields(header, delimiter, _source, _headerLine);
        while (fields.MoveNext(out ReadOnlySpan<char> field, out bool escaped))
        {
            // Each name finds its first column; a column read must have a name of its own (checked once it is known
            // which are read: an unnamed or repeated column left unread, such as the index pandas writes, is no matter).
            string name = (escaped ? CsvFields.Unescape(field, ref _scratch) : field).Trim().ToString();
            if (name.Length > 0)
                columns.TryAdd(NormalForm.Of(name), names.Count);
            names.Add(name);
        }
        // Some exporters end every line with a delimiter, which leaves the header's last name empty: no column, but a
        // field each row must have (ReadRow), empty unless the columns are read by name: then an unnamed column not read.
        _trailingDelimiter = names.Count > 1 && names[^1].Length == 0;
        if (_trailingDelimiter)
            names.RemoveAt(names.Count - 1);
        _names = [.. names];

        bool readsTarget = _target != CsvTarget.None;
        if (readsTarget && _names.Length < 2)
        {
            // Most often the file uses another delimiter (a tab): show the line as split, its tabs visible.
            throw Error(_headerLine, 0,
                $"the header has {_names.Length} column split at '{delimiter}' ({Quoted(header).Replace("\t", "\\t")}); at least one feature and the target are expected, in fields separated by ',' or ';'.");
        }
        _targetColumn = _options.LabelColumn is string label ? ResolveColumn(label, columns)
            : readsTarget ? _names.Length - 1 : -1;

        _slots = new int[_names.Length];
        if (_options.FeatureColumns is { } wanted)
        {
            Array.Fill(_slots, Ignored);
            for (int f = 0; f < wanted.Count; f++)
            {
                if (wanted[f] is null)
                    throw new ArgumentException($"FeatureColumns holds null as feature {f + 1}; each feature is a column's name.", nameof(CsvOptions.FeatureColumns));
                if (!columns.TryGetValue(NormalForm.Of(wanted[f]), out int column))
                    throw Error(_headerLine, 0, $"there is no column '{wanted[f]}' (feature {f + 1} of the {wanted.Count} asked for by name); the header has {Header()}.");
                if (column == _targetColumn)
                    throw Error(_headerLine, column + 1, $"column '{wanted[f]}' is asked for both as a feature and as the target.");
                // One slot per column: a second request would take it, and leave the first feature unread (0 on every row).
                if (_slots[column] != Ignored)
                    throw new ArgumentException($"FeatureColumns names column '{wanted[f]}' twice (features {_slots[column] + 1} and {f + 1}).", nameof(CsvOptions.FeatureColumns));
                _slots[column] = f;
            }
            _featureNames = [.. wanted];
        }
        else
        {
            int next = 0;
            for (int c = 0; c < _names.Length; c++)
                _slots[c] = c == _targetColumn ? Ignored : next++;
            _featureNames = _names.Where((_, c) => c != _targetColumn).ToArray();
        }
        if (_featureNames.Length == 0)
            throw Error(_headerLine, 0, "no column is left for the features.");
        _row = new T[_featureNames.Length];
        if (readsTarget)
            _slots[_targetColumn] = TargetSlot;
        for (int c = 0; c < _names.Length; c++)
            CheckName(c, columns);

        if (_target is CsvTarget.ClassLabels or CsvTarget.Auto)
        {
            _labels = _options.ClassLabels is { } known ? new LabelIndex(known, nameof(CsvOptions.ClassLabels)) : new LabelIndex();
            _trackingLabels = true;
        }
        return delimiter;
    }

    // The name of a column read: not empty, not another column's, UTF-8 (a repeat is checked from either side, so a column
    // read whose name an ignored column repeats is found ambiguous too).
    private void CheckName(int column, Dictionary<string, int> columns)
    {
        string name = _names[column];
        int first = name.Length > 0 ? columns[NormalForm.Of(name)] : column;
        if (_slots[column] == Ignored && (first == column || _slots[first] == Ignored))
            return;
        if (name.Length == 0)
            throw Error(_headerLine, column + 1, "the header has an empty column name"
                + (column == 0 ? " (a first column without a name is most often the row index pandas' to_csv or R's write.csv writes: to_csv(index=False) or write.csv(row.names = FALSE) leaves it out)." : "."));
        if (first != column)
            throw Error(_headerLine, column + 1, $"the header names column '{_names[first]}' twice (columns {first + 1} and {column + 1}"
                + (NormalForm.SecondWritten(_names[first], name) is { } written ? $", {written})." : ")."));
        if (NotUtf8(name))
            throw Error(_headerLine, column + 1, $"the column name {Quoted(name)} {NotUtf8Problem}");
    }

    private int ResolveColumn(string label, Dictionary<string, int> columns)
    {
        if (columns.TryGetValue(NormalForm.Of(label), out int byName))
            return byName;
        if (int.TryParse(label, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int index))
        {
            int column = index < 0 ? _names.Length + index : index;
            if (column >= 0 && column < _names.Length)
                return column;
            throw Error(_headerLine, 0, $"label column index {index} is outside the {_names.Length} columns (0 to {_names.Length - 1}, or -{_names.Length} to -1 from the end).");
        }
        throw Error(_headerLine, 0, $"there is no label column '{label}'; the header has {Header()}.");
    }

    private void ReadRow(ReadOnlySpan<char> line, char delimiter)
    {
        int lineNumber = _lines.LineNumber;
        var fields = new CsvFields(line, delimiter, _source, lineNumber);
        while (fields.MoveNext(out ReadOnlySpan<char> cell, out bool escaped))
        {
            int column = fields.Column;
            if (column > _names.Length)
            {
                if (_trailingDelimiter && column == _names.Length + 1)
                {
                    // Read by name, that field is an unnamed column's, not read; otherwise every column is read, and a
                    // value there would be one left without a name (or a row one cell too long).
                    if (!cell.IsEmpty && _options.FeatureColumns is null)
                        throw Error(lineNumber, column, $"{Quoted(cell)} after the last column: the header ends with a delimiter (its last name is empty), so each row must too, its last field empty.");
                    continue;
                }
                while (fields.MoveNext(out _, out _)) { }
                throw Error(lineNumber, 0, CountProblem(fields.Column));
            }
            int slot = _slots[column - 1];
            if (slot == Ignored)
                continue;
            if (escaped)
                cell = CsvFields.Unescape(cell, ref _scratch);
            if (cell.IsEmpty)
                throw Error(lineNumber, column, $"the cell of column '{_names[column - 1]}' is empty.");
            if (slot == TargetSlot)
                ReadTarget(cell, lineNumber, column);
            else
                _row[slot] = Number(cell, lineNumber, column);
        }
        if (fields.Column != _names.Length + (_trailingDelimiter ? 1 : 0))
            throw Error(lineNumber, 0, CountProblem(fields.Column));
        foreach (T value in _row)
            _features.Add(value);
        _rows++;
    }

    private string CountProblem(int fields) => _trailingDelimiter
        ? $"{fields} fields, but the header has {_names.Length} columns and a delimiter after the last ({_names.Length + 1} fields)."
        : $"{fields} cells, but the header has {_names.Length} columns.";

    // The target cell of one row, kept as a number, a label id, or both while Auto has not decided.
    private void ReadTarget(ReadOnlySpan<char> cell, int line, int column)
    {
        if (_target == CsvTarget.Numeric)
        {
            _numbers.Add(Number(cell, line, column));
            return;
        }

        bool isNumber = T.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out T value);
        if (isNumber && !T.IsFinite(value))
            throw NotFinite(cell, value, line, column);
        if (!isNumber && NotUtf8(cell))
            throw Error(line, column, $"{Quoted(cell)} in column '{_names[column - 1]}' {NotUtf8Problem}");
        if (_trackingLabels)
        {
            if (_options.ClassLabels is null)
                _labelIds.Add(_labels!.GetOrAdd(cell));
            // By value, the cell's own number: its rounding to float may equal another label's (16777217.0 → 16777216f).
            else if (_labels!.TryGet(cell, out int id)
                || (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double exact) && _labels.TryGetNumber(exact, out id)))
                _labelIds.Add(id);
            else
                throw Error(line, column, $"{Quoted(cell)} in column '{_names[column - 1]}' is not one of the {_labels.Count} known classes ({List(_labels.Labels)}).");
        }
        if (_target != CsvTarget.Auto)
            return;

        if (isNumber && _targetsNumeric)
        {
            _numbers.Add(value);
            _targetsIntegers &= T.IsInteger(value);
        }
        else if (!isNumber)
        {
            if (!_trackingLabels)
                throw Error(line, column, $"{Quoted(cell)} in column '{_names[column - 1]}' is not a number (the column was taken as numeric: more than {Csv.AutoClassLimit} distinct numbers came before it).");
            _targetsNumeric = false;
        }
        // Past the limit a column of numbers is a numeric target: stop keeping labels, so a regression column of
        // distinct values does not build a label per row.
        if (_trackingLabels && _targetsNumeric && _labels!.Count > Csv.AutoClassLimit)
            _trackingLabels = false;
    }

    private (T[] Targets, string[]? ClassLabels) Targets()
    {
        bool classes = _target switch
        {
            CsvTarget.ClassLabels => true,
            CsvTarget.Auto => _trackingLabels && (!_targetsNumeric || _targetsIntegers),
            _ => false,
        };
        if (_target == CsvTarget.None)
            return (new T[_rows], null);
        if (!classes)
            return (_numbers.ToArray(), null);

        LabelIndex labels = _labels!;
        if (_options.ClassLabels is { } known)
            return (Convert(id => id), [.. known]);
        // Auto took the column as classes because its targets are integers: 1 and 1.0 are one class there.
        (string[] sorted, int[] rank) = labels.Order(mergeEqualNumbers: _target == CsvTarget.Auto);
        if (sorted.Length < 2)
            throw Error(_headerLine, _targetColumn + 1,
                $"the target column '{_names[_targetColumn]}' holds one class ('{sorted[0]}') {(_rows == 1 ? "in its one row" : $"in all {_rows} rows")}; classification needs at least two.");
        return (Convert(id => rank[id]), sorted);

        T[] Convert(Func<int, int> classOf)
        {
            var targets = new T[_rows];
            for (long r = 0; r < _rows; r++)
                targets[r] = T.CreateTruncating(classOf(_labelIds[r]));
            return targets;
        }
    }

    private T Number(ReadOnlySpan<char> cell, int line, int column)
    {
        if (!T.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out T value))
        {
            string hint = NotUtf8(cell) ? $"; it {NotUtf8Problem[..^1]}" : cell.Contains(',') ? " (numbers take '.' as the decimal point)" : "";
            throw Error(line, column, $"{Quoted(cell)} in column '{_names[column - 1]}' is not a number{hint}.");
        }
        if (!T.IsFinite(value))
            throw NotFinite(cell, value, line, column);
        return value;
    }

    // A cell that parsed to NaN or an infinity: a number T cannot hold (1e39 in float) is named so, not called non-finite;
    // reading the file as double is the remedy only where double holds it (1e400 is beyond double's range too).
    private CsvFormatException NotFinite(ReadOnlySpan<char> cell, T value, int line, int column)
    {
        if (!T.IsInfinity(value) || cell.Contains("Infinity", StringComparison.OrdinalIgnoreCase))
            return Error(line, column, $"{Quoted(cell)} in column '{_names[column - 1]}' is not a finite number.");
        if (typeof(T) != typeof(double) && double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double wide) && double.IsFinite(wide))
            return CsvFormatException.ReadAsDouble(_source, line, column, BeyondRange<T>(cell, column));
        return Error(line, column, $"{BeyondRange<double>(cell, column)}.");
    }

    private string BeyondRange<TRange>(ReadOnlySpan<char> cell, int column) where TRange : IFloatingPointIeee754<TRange> =>
        $"{Quoted(cell)} in column '{_names[column - 1]}' is beyond the range of {HyperParameter.TypeName<TRange>()} ({TRange.BitDecrement(TRange.PositiveInfinity).ToString(null, CultureInfo.InvariantCulture)})";

    // A U+FFFD that stands for bytes the decoder could not read, not one the file holds (as far as can be told: the
    // decoder runs ahead of the lines, so after the first invalid bytes any U+FFFD is taken for one).
    private bool NotUtf8(ReadOnlySpan<char> text) => _decoding is { SawInvalidBytes: true } && text.Contains('\uFFFD');

    private const string NotUtf8Problem = "holds bytes that are not UTF-8 (each shown as '\uFFFD'): the file is likely Latin-1 or "
        + "Windows-1252 (Excel's 'CSV (Comma delimited)'); save it as UTF-8 ('CSV UTF-8').";

    // Text as a message quotes it: whole when short, else its start and length (one cell can be a 100 kB line).
    private static string Quoted(ReadOnlySpan<char> text) =>
        text.Length <= 60 ? $"'{text}'" : $"'{text[..60]}…' ({text.Length} characters)";

    private CsvFormatException Error(int line, int column, string problem) => new(_source, line, column, problem);

    // The header's names for a message; a header of numbers is most likely a first data row, one column that holds
    // another common delimiter most likely a header split at the wrong one (a delimiter given for another file), and a
    // name that is not UTF-8 the one asked for, in a Latin-1 file.
    private string Header() => List(_names) + (_names.All(n => double.TryParse(n, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        ? " (numbers only: the header row of column names is missing)"
        : _names is [string one] && one.IndexOfAny([',', ';', '\t']) is int at and >= 0
        ? $" (read as one column split at '{_delimiter}'; it holds '{one[at]}', which may be the file's delimiter)"
        : _names.FirstOrDefault(n => NotUtf8(n)) is string garbled
        ? $" ({Quoted(garbled)} {NotUtf8Problem[..^1]})"
        : "");

    private static string List(IReadOnlyList<string> names) =>
        names.Count <= 12 ? string.Join(", ", names) : $"{string.Join(", ", names.Take(12))}, … ({names.Count} in all)";
}
