using System.IO.Compression;

namespace FastNN.Tests.Data;

/// <summary>
/// The one behaviour of .NET's <see cref="DeflateStream"/> that GzipReader's trailer search stands on: over a stream
/// that cannot seek, it reads its input only when it needs more, so its deflate data ends after the first byte of its
/// last read and by that read's end, and once the data has ended it reads no more. A runtime that changed this would
/// break GzipReader; this test says so directly. It holds for <see cref="DeflateStream.Read(Span{byte})"/>, which GzipReader
/// calls: DeflateStream's CopyTo reads its input to the end, past its deflate data. (What GZipStream does with members is
/// not pinned: FastNN does not use it to decompress.)
/// </summary>
public class DeflateStreamInputTests
{
    [Theory]
    [InlineData(1, CompressionLevel.Optimal)]
    [InlineData(5, CompressionLevel.Fastest)]
    [InlineData(20_000, CompressionLevel.NoCompression)]
    [InlineData(20_000, CompressionLevel.SmallestSize)]
    public void ItsDeflateDataEndsInsideItsLastReadAfterItsFirstByte(int length, CompressionLevel level)
    {
        var random = new Random(length);
        byte[] content = new byte[length];
        random.NextBytes(content);
        content.AsSpan(length / 2).Fill((byte)'a'); // half compressible
        var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, level, leaveOpen: true))
            deflate.Write(content);
        int end = (int)compressed.Length;
        byte[] data = [.. compressed.ToArray(), .. new byte[64].Select((_, i) => (byte)(i * 37 + 1))]; // what follows it
        foreach (int piece in new[] { 1, 3, 1000, 1 << 16 })
        {
            var input = new PieceStream(data, piece);
            var output = new MemoryStream();
            using (var inflater = new DeflateStream(input, CompressionMode.Decompress))
            {
                byte[] buffer = new byte[4096];
                int read;
                while ((read = inflater.Read(buffer)) > 0)
                    output.Write(buffer, 0, read);
                int reads = input.Reads.Count;
                Assert.Equal(0, inflater.Read(new byte[10]));
                Assert.Equal(reads, input.Reads.Count); // no read after the end
            }
            Assert.Equal(content, output.ToArray());
            (int offset, int count) = input.Reads[^1];
            Assert.InRange(end, offset + 1, offset + count);
        }
    }

    /// <summary>Gives at most <paramref name="piece"/> bytes a read, cannot seek, and records each read's offset and length.</summary>
    private sealed class PieceStream(byte[] data, int piece) : Stream
    {
        private int _position;

        public List<(int Offset, int Count)> Reads { get; } = [];

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

        public override int Read(Span<byte> buffer)
        {
            int count = Math.Min(Math.Min(buffer.Length, piece), data.Length - _position);
            data.AsSpan(_position, count).CopyTo(buffer);
            Reads.Add((_position, count));
            _position += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
