namespace FastNN.Data;

/// <summary>
/// Splits text into lines without allocating per line: each line is a span of one growing character buffer, valid
/// until the next call. Accepts <c>\n</c>, <c>\r\n</c> and lone <c>\r</c> line ends (classic Mac OS, Excel for Mac's
/// "CSV (Macintosh)"), as <see cref="TextReader.ReadLine"/> does.
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
            int end = pending[searched..].IndexOfAny('\n', '\r');
            if (end >= 0)
            {
                end += searched;
                bool carriageReturn = pending[end] == '\r';
                if (carriageReturn && end + 1 == pending.Length && !_endOfText)
                {
                    // The '\n' of a "\r\n" may be in the text not read yet: read it before deciding.
                    searched = end;
                    Fill();
                    continue;
                }
                line = pending[..end];
                _start += end + (carriageReturn && end + 1 < pending.Length && pending[end + 1] == '\n' ? 2 : 1);
                LineNumber++;
                return true;
            }
            if (_endOfText)
            {
                _start = _end;
                line = pending;
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
}
