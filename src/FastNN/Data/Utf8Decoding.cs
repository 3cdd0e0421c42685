using System.Text;

namespace FastNN.Data;

/// <summary>
/// UTF-8 decoded as <see cref="Encoding.UTF8"/> decodes it, each invalid byte sequence read as U+FFFD, noting that one
/// was: so a U+FFFD that the file holds can be told from bytes that are not UTF-8 (a Latin-1 file's <c>ü</c>), which
/// would otherwise name a column, or merge two class labels, silently.
/// </summary>
/// <remarks>Thread safety: one per read; not shared.</remarks>
internal sealed class Utf8Decoding : DecoderFallback
{
    public Utf8Decoding() => Encoding = Encoding.GetEncoding("utf-8", EncoderFallback.ReplacementFallback, this);

    /// <summary>UTF-8 with this fallback.</summary>
    public Encoding Encoding { get; }

    /// <summary>Whether an invalid byte sequence has been decoded (as U+FFFD) so far.</summary>
    public bool SawInvalidBytes { get; private set; }

    public override int MaxCharCount => 1;

    public override DecoderFallbackBuffer CreateFallbackBuffer() => new Replacement(this);

    // One U+FFFD per invalid sequence, as DecoderReplacementFallback gives, and the note that there was one.
    private sealed class Replacement(Utf8Decoding owner) : DecoderFallbackBuffer
    {
        private bool _pending, _given;

        public override int Remaining => _pending ? 1 : 0;

        public override bool Fallback(byte[] bytesUnknown, int index)
        {
            owner.SawInvalidBytes = true;
            (_pending, _given) = (true, false);
            return true;
        }

        public override char GetNextChar()
        {
            if (!_pending)
                return '\0';
            (_pending, _given) = (false, true);
            return '\uFFFD';
        }

        public override bool MovePrevious()
        {
            if (!_given)
                return false;
            (_pending, _given) = (true, false);
            return true;
        }

        public override void Reset() => (_pending, _given) = (false, false);
    }
}
