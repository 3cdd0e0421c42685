using System.Buffers.Binary;
using System.IO.Compression;

namespace FastNN.Data;

/// <summary>
/// A read-only stream of what gzip data (RFC 1952) decompresses to: the concatenation of its members, as
/// <c>gzip -d</c> gives it, each member checked against its trailer (CRC-32 and size mod 2³²), so that data cut short or
/// damaged anywhere is an <see cref="InvalidDataException"/> that names the member and the byte, never a shorter output.
/// </summary>
/// <remarks>
/// <para>Why not <see cref="GZipStream"/>: in .NET 10 it decodes concatenated members and checks each one's CRC-32 and
/// size, but input that ends early, at any byte, is the end of its output without an error, and bytes after a member
/// that do not start another are ignored. So each member's header is parsed here (FEXTRA, FNAME and FCOMMENT skipped,
/// FHCRC checked) and its deflate data inflated by a <see cref="DeflateStream"/>, which reports input that ends early
/// (it asks this reader for more). A finished <see cref="DeflateStream"/> does not say how much of the last input it
/// was given it used (it is fed up to 8 KiB at a time; .NET 11 rewinds a seekable input, .NET 10 does not), so the
/// trailer is looked for from the start of that last input on: the first eight bytes that hold the CRC-32 and size of
/// what the member decompressed to and are followed by the end of the data or by another member's magic bytes, else
/// the first that hold them at all (what follows must then be zero padding). A member is accepted only when its deflate
/// data ended by itself and its own CRC-32 and size follow. A wrong place would need eight bytes of the member's
/// compressed tail to equal them, or a trailer that repeats itself (an empty member's eight zeros after its last deflate
/// byte, 00), which the preference for a following member or end settles.</para>
/// <para>After the last member, zero bytes are ignored, as <c>gzip -d</c> does (some tools pad); any other byte is an
/// error (<c>gzip -d</c> warns "trailing garbage ignored" and drops it: it may be a member whose first byte was damaged).
/// A file cut exactly between two members is a valid gzip file of fewer members, which no reader can tell.</para>
/// <para>Never seeks, so any readable stream will do. Byte offsets count from where reading started.</para>
/// <para>Thread safety: not thread-safe, as the stream it reads.</para>
/// </remarks>
internal sealed class GzipReader(Stream source) : Stream
{
    private const byte Id1 = 0x1f, Id2 = 0x8b, Deflate = 8;
    private const int HeaderCrcFlag = 0x02, ExtraFlag = 0x04, NameFlag = 0x08, CommentFlag = 0x10, ReservedFlags = 0xE0;
    private const int TrailerBytes = 8;

    private readonly byte[] _input = new byte[1 << 16];
    private int _start, _end;       // unread input: _input[_start.._end)
    private long _inputOffset;      // offset of _input[0] in the data
    private bool _sourceEnded;

    private DeflateStream? _inflater; // the current member's deflate data; null between members
    private int _member;            // 1-based number of the current or last member
    private long _memberOffset;     // where it starts
    private uint _crc;              // CRC-32 of what it decompressed to so far
    private long _size;             // and how many bytes
    private long _fedOffset;        // the input last given to the inflater: its offset and length
    private int _fedLength;
    private bool _fedEnd;           // the inflater asked for input after the end of the data
    private bool _ended;

    private long Offset => _inputOffset + _start;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <exception cref="InvalidDataException">The data ends early or is damaged; the message names the member and byte.</exception>
    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || _ended)
            return 0;
        while (true)
        {
            if (_inflater is null && !StartMember())
            {
                _ended = true;
                return 0;
            }
            int read = Inflate(buffer);
            if (read > 0)
            {
                _crc = Crc32.Append(_crc, buffer[..read]);
                _size += read;
                return read;
            }
            EndMember();
        }
    }

    /// <summary>Reads the next member's header and starts inflating its data; false at the end of the data.</summary>
    private bool StartMember()
    {
        if (!Fill(1))
            return false;
        if (_member > 0 && _input[_start] == 0)
        {
            SkipPadding();
            return false;
        }
        if (_input[_start] != Id1)
            throw NotAMember();
        _member++;
        _memberOffset = Offset;
        uint crc = 0;
        HeaderByte(ref crc);
        if (HeaderByte(ref crc) != Id2)
            throw Damaged($"its header starts with 1f {_input[_start - 1]:x2}, not gzip's 1f 8b");
        byte method = HeaderByte(ref crc);
        if (method != Deflate)
            throw Damaged($"its compression method is {method}, not deflate (8)");
        int flags = HeaderByte(ref crc);
        if ((flags & ReservedFlags) != 0)
            throw Damaged($"its header flags 0x{flags:x2} set reserved bits");
        for (int i = 0; i < 6; i++) // MTIME, XFL, OS
            HeaderByte(ref crc);
        if ((flags & ExtraFlag) != 0)
        {
            int length = HeaderByte(ref crc) | HeaderByte(ref crc) << 8;
            for (int i = 0; i < length; i++)
                HeaderByte(ref crc);
        }
        if ((flags & NameFlag) != 0)
            while (HeaderByte(ref crc) != 0) { }
        if ((flags & CommentFlag) != 0)
            while (HeaderByte(ref crc) != 0) { }
        if ((flags & HeaderCrcFlag) != 0)
        {
            int expected = (int)(crc & 0xFFFF);
            if ((HeaderByte(ref crc) | HeaderByte(ref crc) << 8) != expected)
                throw Damaged("its header checksum (FHCRC) does not match its header");
        }
        _crc = 0;
        _size = 0;
        _fedLength = 0;
        _fedEnd = false;
        _inflater = new DeflateStream(new InflaterInput(this), CompressionMode.Decompress);
        return true;
    }

    private byte HeaderByte(ref uint crc)
    {
        if (!Fill(1))
            throw EndsEarly("header");
        byte b = _input[_start++];
        crc = Crc32.Append(crc, new ReadOnlySpan<byte>(in b));
        return b;
    }

    private int Inflate(Span<byte> buffer)
    {
        try
        {
            return _inflater!.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw Damaged($"its compressed data is damaged (before byte {_fedOffset + _fedLength})", e);
        }
    }

    /// <summary>After the inflater's last output: finds and checks the member's trailer.</summary>
    private void EndMember()
    {
        if (_fedEnd)
            throw EndsEarly("compressed data");
        // The deflate data ended somewhere in the input last given to the inflater; the trailer follows it. The first
        // eight bytes there that hold this member's CRC-32 and size, and are followed by the end of the data or another
        // member, are it; else the first that hold them (what follows is then judged as padding or garbage). The second
        // look matters where the trailer repeats itself: an empty member's deflate data ends with 00 and its trailer
        // is eight more.
        _start = (int)(_fedOffset - _inputOffset);
        Fill(_fedLength + TrailerBytes + 2);
        Span<byte> trailer = stackalloc byte[TrailerBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, _crc);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], (uint)_size);
        ReadOnlySpan<byte> unread = _input.AsSpan(_start, _end - _start);
        int window = Math.Min(unread.Length, _fedLength + TrailerBytes);
        int at = FindTrailer(unread, window, trailer);
        if (at < 0)
        {
            bool dataEnds = window < _fedLength + TrailerBytes; // Fill stopped at the end of the data
            throw new InvalidDataException(
                $"the gzip data {(dataEnds ? "ends early or is damaged" : "is damaged")}: member {_member} (from byte {_memberOffset}) "
                + $"decompressed to {_size} bytes with CRC-32 {_crc:x8}, but no trailer recording that follows its compressed data "
                + $"(which ends between bytes {_fedOffset} and {_fedOffset + _fedLength})"
                + (dataEnds ? $" before the data ends at byte {_inputOffset + _end}: cut short in the trailer, or damaged." : ": damaged."));
        }
        _start += at + TrailerBytes;
        _inflater!.Dispose();
        _inflater = null;
    }

    /// <summary>Where <paramref name="trailer"/> is in <paramref name="unread"/>[..<paramref name="window"/>], preferring a place followed by the end of the data or by another member; -1 if nowhere.</summary>
    private int FindTrailer(ReadOnlySpan<byte> unread, int window, ReadOnlySpan<byte> trailer)
    {
        int first = -1;
        for (int from = 0; from < window;)
        {
            int found = unread[from..window].IndexOf(trailer);
            if (found < 0)
                break;
            int at = from + found, next = at + TrailerBytes;
            if ((_sourceEnded && next == unread.Length) || unread[next..].StartsWith([Id1, Id2]))
                return at;
            first = first < 0 ? at : first;
            from = at + 1;
        }
        return first;
    }

    /// <summary>Skips zero bytes to the end of the data; anything else after them is an error.</summary>
    private void SkipPadding()
    {
        while (Fill(1))
        {
            int other = _input.AsSpan(_start, _end - _start).IndexOfAnyExcept((byte)0);
            if (other >= 0)
            {
                _start += other;
                throw NotAMember();
            }
            _start = _end;
        }
    }

    /// <summary>Gives the inflater the next input: the rest of the buffer, at most <paramref name="destination"/>'s length.</summary>
    private int FeedInflater(Span<byte> destination)
    {
        if (destination.IsEmpty)
            return 0;
        if (!Fill(1))
        {
            _fedEnd = true;
            return 0;
        }
        int count = Math.Min(destination.Length, _end - _start);
        _input.AsSpan(_start, count).CopyTo(destination);
        _fedOffset = Offset;
        _fedLength = count;
        _start += count;
        return count;
    }

    /// <summary>Reads until at least <paramref name="count"/> bytes are unread in the buffer; false if the data ends first.</summary>
    private bool Fill(int count)
    {
        while (_end - _start < count && !_sourceEnded)
        {
            if (_end == _input.Length || _start + count > _input.Length)
            {
                _input.AsSpan(_start, _end - _start).CopyTo(_input);
                _inputOffset += _start;
                _end -= _start;
                _start = 0;
            }
            int read = source.Read(_input, _end, _input.Length - _end);
            if (read == 0)
                _sourceEnded = true;
            _end += read;
        }
        return _end - _start >= count;
    }

    private InvalidDataException EndsEarly(string part) =>
        new($"the gzip data ends early: it ends at byte {Offset}, inside the {part} of member {_member} (from byte {_memberOffset}): "
            + "cut short (a truncated download?), or damaged.");

    private InvalidDataException Damaged(string problem, Exception? inner = null) =>
        new($"the gzip data is damaged: member {_member} (from byte {_memberOffset}): {problem}.", inner);

    private InvalidDataException NotAMember() =>
        new(_member == 0
            ? $"the gzip data does not start with gzip's magic bytes 1f 8b (byte {Offset} is 0x{_input[_start]:x2})."
            : $"the gzip data is damaged or has other data appended: after member {_member}, byte {Offset} is 0x{_input[_start]:x2}, "
              + "which does not start another member (gzip's magic bytes 1f 8b) and is not zero padding.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _inflater?.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>The inflater's view of the input: what <see cref="FeedInflater"/> gives it.</summary>
    private sealed class InflaterInput(GzipReader reader) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => reader.FeedInflater(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer) => reader.FeedInflater(buffer);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
