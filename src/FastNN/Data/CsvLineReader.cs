namespace FastNN.Data;

/// <summary>
/// Splits text into lines without allocating per line: each line is a span of one growing character buffer, valid
/// until the next call. Accepts <c>\n</c> and <c>\r\n</c> line ends.
/// </summary>
internal sealed class CsvLineReader(TextReader reader)
{
    private char[] _buffer = new char[1 << 16];
    private int _start, _end;
    private bool _endOfText;

    /// <summary>1-based number of the line last returned (0 before the first).</summary>
    public int LineNumber { get; private set; }

    /// <summary>Reads the next line (without its line end); false at the end of the text.</summary>
    public bool TryReadLine(out ReadOnlySpan<char> line)
    {
        int searched = 0;
        while (true)
        {
            ReadOnlySpan<char> pending = _buffer.AsSpan(_start, _end - _start);
            int newline = pending[searched..].IndexOf('\n');
            if (newline >= 0)
            {
                line = TrimCarriageReturn(pending[..(searched + newline)]);
                _start += searched + newline + 1;
                LineNumber++;
                return true;
            }
            if (_endOfText)
            {
                _start = _end;
                line = TrimCarriageReturn(pending);
                if (pending.IsEmpty)
                    return false;
                LineNumber++;
                return true;
            }
            searched = pending.Length;
            Fill();
        }
    }

    // Moves the unfinished line to the front of the buffer (doubling it when the line fills it) and reads more text.
    private void Fill()
    {
        int pending = _end - _start;
        if (_start > 0)
        {
            _buffer.AsSpan(_start, pending).CopyTo(_buffer);
            (_start, _end) = (0, pending);
        }
        if (_end == _buffer.Length)
            Array.Resize(ref _buffer, _buffer.Length * 2);
        int read = reader.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
            _endOfText = true;
        _end += read;
    }

    private static ReadOnlySpan<char> TrimCarriageReturn(ReadOnlySpan<char> line) =>
        line.Length > 0 && line[^1] == '\r' ? line[..^1] : line;
}
