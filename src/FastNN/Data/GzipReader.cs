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
/// was given it used, only that it used some of it: its deflate data ended after the first byte of that input and by
/// its end. So each member's input is given in pieces that double from one byte up to 8 KiB, and the trailer is the
/// eight bytes there that hold the CRC-32 and size of what the member decompressed to. For a small member that place
/// is exact (an empty one's deflate data, 03 00, is two pieces of one byte: its trailer of zeros cannot start one byte
/// early, in the 00). For a larger one it is one of up to 8 KiB places; if the record occurs at two of them, which
/// needs stored (uncompressed) data that holds the member's own CRC-32 and size, where the member ends cannot be told
/// and the data is refused as such rather than read either way (an empty member's record, eight zeros, is taken at the
/// first place: a later one could only be zero padding). A member is accepted only when its deflate data ended
/// by itself and its own CRC-32 and size follow.</para>
/// <para>After the last member, zero bytes are ignored, as <c>gzip -d</c> does (some tools pad); any other byte is an
/// error (<c>gzip -d</c> warns "trailing garbage ignored" and drops it: it may be a member whose first byte was damaged).
/// A file cut exactly between two members is a valid gzip file of fewer members, which no reader can tell.</para>
/// <para>Never seeks, so any readable stream will do. Byte offsets count from where reading started.</para>
/// <para>Thread safety: not thread-safe, as the stream it reads.</para>
/// </remarks>
internal sealed class GzipReader(Stream source) : ReadOnlyStream
{
    private const byte Id1 = 0x1f, Id2 = 0x8b, Deflate = 8;
    private const int HeaderCrcFlag = 0x02, ExtraFlag = 0x04, NameFlag = 0x08, CommentFlag = 0x10, ReservedFlags = 0xE0;
    private const int TrailerBytes = 8;
    private const int MaxPiece = 1 << 13; // the most input given to the inflater at once: the places its trailer may be

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
    private int _pieceLength;       // the next input's length at most: it doubles
    private bool _fedEnd;           // the inflater asked for input after the end of the data
    private bool _ended;

    private long Offset => _inputOffset + _start;

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
        _pieceLength = 1;
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
        // The deflate data ended after the first byte of the input last given to the inflater (it asked for that input
        // because it needed some of it) and by its end; the trailer follows it.
        _start = (int)(_fedOffset - _inputOffset) + 1;
        int window = _fedLength - 1 + TrailerBytes;
        Fill(window);
        Span<byte> trailer = stackalloc byte[TrailerBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, _crc);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], (uint)_size);
        ReadOnlySpan<byte> places = _input.AsSpan(_start, Math.Min(_end - _start, window));
        int at = places.IndexOf(trailer);
        if (at < 0)
        {
            bool dataEnds = places.Length < window; // Fill stopped at the end of the data
            throw new InvalidDataException(
                $"the gzip data {(dataEnds ? "ends early or is damaged" : "is damaged")}: member {_member} (from byte {_memberOffset}) "
                + $"decompressed to {_size} bytes with CRC-32 {_crc:x8}, but no trailer recording that follows its compressed data "
                + $"(which ends between bytes {_fedOffset + 1} and {_fedOffset + _fedLength})"
                + (dataEnds ? $" before the data ends at byte {_inputOffset + _end}: cut short in the trailer, or damaged." : ": damaged."));
        }
        // Twice: where the member ends cannot be told, unless it is empty. Its record is then eight zeros, and the first
        // place in a run of zeros can only leave zeros of its trailer to be read as padding, never another member.
        int again = places[(at + 1)..].IndexOf(trailer);
        if (again >= 0 && (_crc != 0 || (uint)_size != 0))
            throw Damaged($"it decompressed to {_size} bytes with CRC-32 {_crc:x8}, and that record follows its compressed data at "
                + $"both byte {Offset + at} and byte {Offset + at + 1 + again}, so where the member ends cannot be told (its stored data "
                + "holds its own trailer: a crafted file?)");
        _start += at + TrailerBytes;
        _inflater!.Dispose();
        _inflater = null;
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

    /// <summary>Gives the inflater the next input: the rest of the buffer, at most <paramref name="destination"/>'s length and the piece length, which doubles.</summary>
    private int FeedInflater(Span<byte> destination)
    {
        if (destination.IsEmpty)
            return 0;
        if (!Fill(1))
        {
            _fedEnd = true;
            return 0;
        }
        int count = Math.Min(Math.Min(destination.Length, _pieceLength), _end - _start);
        _pieceLength = Math.Min(2 * _pieceLength, MaxPiece);
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

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _inflater?.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>The inflater's view of the input: what <see cref="FeedInflater"/> gives it.</summary>
    private sealed class InflaterInput(GzipReader reader) : ReadOnlyStream
    {
        public override int Read(Span<byte> buffer) => reader.FeedInflater(buffer);
    }
}
