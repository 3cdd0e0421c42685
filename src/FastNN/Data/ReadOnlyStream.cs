namespace FastNN.Data;

/// <summary>
/// A forward-only stream that is read and never written or sought: the members of <see cref="Stream"/> that such a
/// stream refuses or does nothing for, once, so that a derived stream holds only its reading (of a span: the array
/// overload reads through it).
/// </summary>
/// <remarks>Thread safety: as the derived stream (streams are not thread-safe).</remarks>
internal abstract class ReadOnlyStream : Stream
{
    public sealed override bool CanRead => true;

    public sealed override bool CanSeek => false;

    public sealed override bool CanWrite => false;

    public sealed override long Length => throw new NotSupportedException();

    public sealed override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public abstract override int Read(Span<byte> buffer);

    public sealed override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public sealed override void Flush()
    {
    }

    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public sealed override void SetLength(long value) => throw new NotSupportedException();

    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
