namespace FastNN.Data;

/// <summary>
/// The fields of one CSV line, left to right, as spans of the line: an unquoted field is trimmed of white space; a quoted
/// field (<c>"a, b"</c>) is what lies between its quotes, with <c>""</c> standing for one quote (see <see cref="Unescape"/>).
/// A quoted field ends on its line: line breaks inside quotes are not supported.
/// </summary>
internal ref struct CsvFields(ReadOnlySpan<char> line, char delimiter, string source, int lineNumber)
{
    private readonly ReadOnlySpan<char> _line = line;
    private int _next;

    /// <summary>1-based column of the field last returned.</summary>
    public int Column { get; private set; }

    /// <summary>Moves to the next field; false after the last.</summary>
    /// <param name="field">The field's text (between the quotes, escapes kept, when quoted).</param>
    /// <param name="escaped">Whether the quoted text holds <c>""</c> escapes that <see cref="Unescape"/> must resolve.</param>
    /// <exception cref="CsvFormatException">A quote is not closed, or text follows a closing quote.</exception>
    public bool MoveNext(out ReadOnlySpan<char> field, out bool escaped)
    {
        escaped = false;
        if (_next > _line.Length)
        {
            field = default;
            return false;
        }
        Column++;
        ReadOnlySpan<char> rest = _line[_next..];
        // The white space before a quote, up to the delimiter: a tab delimiter is white space, and ends an empty field.
        int blank = 0;
        while (blank < rest.Length && rest[blank] != delimiter && char.IsWhiteSpace(rest[blank]))
            blank++;
        if (blank == rest.Length || rest[blank] != '"')
        {
            int end = rest.IndexOf(delimiter);
            field = (end < 0 ? rest : rest[..end]).Trim();
            _next = end < 0 ? _line.Length + 1 : _next + end + 1;
            return true;
        }

        int open = _next + blank + 1, close = open;
        while (true)
        {
            int quote = _line[close..].IndexOf('"');
            if (quote < 0)
                throw new CsvFormatException(source, lineNumber, Column, "a quoted field is not closed on its line (line breaks inside quotes are not supported).");
            close += quote;
            if (close + 1 < _line.Length && _line[close + 1] == '"')
            {
                escaped = true;
                close += 2;
                continue;
            }
            break;
        }
        field = _line[open..close];
        ReadOnlySpan<char> after = _line[(close + 1)..];
        int next = after.IndexOf(delimiter);
        if (!(next < 0 ? after : after[..next]).IsWhiteSpace())
            throw new CsvFormatException(source, lineNumber, Column, "text follows the closing quote of a quoted field.");
        _next = next < 0 ? _line.Length + 1 : close + 1 + next + 1;
        return true;
    }

    /// <summary>The text of a quoted field with each <c>""</c> turned into <c>"</c>, written to <paramref name="scratch"/> (grown if needed).</summary>
    public static ReadOnlySpan<char> Unescape(ReadOnlySpan<char> field, ref char[] scratch)
    {
        if (scratch.Length < field.Length)
            scratch = new char[Math.Max(field.Length, 2 * scratch.Length)];
        int length = 0;
        for (int i = 0; i < field.Length; i++)
        {
            scratch[length++] = field[i];
            if (field[i] == '"')
                i++; // the second quote of the pair
        }
        return scratch.AsSpan(0, length);
    }

    /// <summary>The delimiter of a header line: <c>;</c> when it holds more semicolons than commas outside quotes, otherwise <c>,</c>.</summary>
    public static char DetectDelimiter(ReadOnlySpan<char> header)
    {
        // Quotes as MoveNext reads them: one opens a quoted field only at the field's start (after white space), so an
        // inch mark in a name (size 5") hides no delimiter after it; inside quotes, "" is a quote and a lone one closes.
        int commas = 0, semicolons = 0;
        bool quoted = false, fieldStart = true;
        for (int i = 0; i < header.Length; i++)
        {
            char c = header[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < header.Length && header[i + 1] == '"')
                    i++;
                else if (c == '"')
                    quoted = false;
            }
            else if (c is ',' or ';')
            {
                if (c == ',') commas++;
                else semicolons++;
                fieldStart = true;
            }
            else
            {
                quoted = c == '"' && fieldStart;
                fieldStart &= char.IsWhiteSpace(c);
            }
        }
        return semicolons > commas ? ';' : ',';
    }
}
