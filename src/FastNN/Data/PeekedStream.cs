namespace FastNN.Data;

/// <summary>
/// A stream whose first bytes were read ahead (to look for gzip's magic bytes in a stream that cannot seek, a pipe; or
/// to give StreamReader a byte-order mark in one read): it gives them back first, in one read when the buffer holds
/// them, then reads on from the stream (which it does not own: disposing it leaves the stream open).
/// </summary>
/// <remarks>Thread safety: as the stream it reads (streams are not thread-safe).</remarks>
internal sealed class PeekedStream(ReadOnlyMemory<byte> head, Stream rest) : ReadOnlyStream
{
    private ReadOnlyMemory<byte> _head = head;

    public override int Read(Span<byte> buffer)
    {
        if (_head.IsEmpty)
            return rest.Read(buffer);
        int count = Math.Min(buffer.Length, _head.Length);
        _head.Span[..count].CopyTo(buffer);
        _head = _head[count..];
        return count;
    }
}
