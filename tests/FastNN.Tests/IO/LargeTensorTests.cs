using System.Buffers.Binary;
using System.Text;
using FastNN.IO;

namespace FastNN.Tests.IO;

/// <summary>
/// A tensor of more than 2 GiB (2^29 floats, 2^28 doubles: one Dense(16384, 16384) of a double model, or a checkpoint's
/// flat optimizer buffer of a model that large) is within what a model holds (Array.MaxLength elements), but a byte span
/// holds at most int.MaxValue bytes.
/// </summary>
public class LargeTensorTests
{
    private const int Elements = (1 << 29) + 1;   // 2 GiB + 4 bytes of float

    // Before: MemoryMarshal.AsBytes of the whole tensor threw OverflowException ("the Length ... would exceed
    // Int32.MaxValue"), so ModelFile.Save and Checkpoint.Save of such a model failed naming no file.
    [Fact]
    public void ATensorOfMoreThan2GiBIsWrittenWhole()
    {
        var values = new float[Elements];
        values[^1] = 1.5f;
        var stream = new LastBytesStream();
        new SafetensorsWriter(stream).WriteTensor<float>(values, SafetensorsDType.F32);
        Assert.Equal(4L * Elements, stream.Length);
        Assert.Equal(1.5f, BinaryPrimitives.ReadSingleLittleEndian(stream.Last));
    }

    // Before: the same OverflowException from SafetensorsFile.Read, for ModelFile.Load and Checkpoint.Load of such a file.
    [Fact]
    public void ATensorOfMoreThan2GiBIsReadWhole()
    {
        using var folder = new TempFolder();
        string path = folder.File("large.safetensors");
        byte[] header = Encoding.UTF8.GetBytes($"{{\"w\":{{\"dtype\":\"F32\",\"shape\":[{Elements}],\"data_offsets\":[0,{4L * Elements}]}}}}");
        using (var file = new FileStream(path, FileMode.CreateNew))
        {
            Span<byte> prefix = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
            file.Write(prefix);
            file.Write(header);
            // The data section is sparse, all zeros but for its last element.
            file.SetLength(8 + header.Length + 4L * Elements);
            file.Position = file.Length - 4;
            Span<byte> last = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(last, 1.5f);
            file.Write(last);
        }
        using SafetensorsFile opened = SafetensorsFile.Open(path);
        var values = new float[Elements];
        opened.Read<float>(opened.Header.ByName["w"], values);
        Assert.Equal(1.5f, values[^1]);
        Assert.Equal(0f, values[^2]);
    }

    // The parts of a tensor near Array.MaxLength elements (7.5 GB of float, 16 GB of double, too large to allocate in a
    // test): before, the start of the part after the last passed int.MaxValue and wrapped negative, and the read or write
    // of such a tensor failed with an ArgumentOutOfRangeException from Slice after writing it whole.
    [Theory]
    [InlineData(false, 7 * (1 << 28) + 1)]
    [InlineData(true, 15 * (1 << 27) + 1)]
    [InlineData(false, 2147483591)]
    [InlineData(true, 2147483591)]
    [InlineData(false, (1 << 29) + 1)]
    [InlineData(false, 0)]
    public void ATensorIsCutIntoPartsThatCoverItExactly(bool doubles, int elements)
    {
        SafetensorsDType dtype = doubles ? SafetensorsDType.F64 : SafetensorsDType.F32;
        (int Start, int Length)[] parts = dtype.Parts(elements).ToArray();
        long next = 0;
        foreach ((int start, int length) in parts)
        {
            Assert.Equal(next, start);
            Assert.InRange(length, 1, (1 << 30) / dtype.Size());
            next += length;
        }
        Assert.Equal(elements, next);
        Assert.Equal((elements + (1L << 30) / dtype.Size() - 1) / ((1 << 30) / dtype.Size()), parts.Length);
    }

    /// <summary>A write-only stream that counts its bytes and keeps the last four, so that 2 GiB need no storage.</summary>
    private sealed class LastBytesStream : Stream
    {
        public byte[] Last { get; } = new byte[4];

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        private long _length;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _length += buffer.Length;
            int kept = Math.Min(buffer.Length, Last.Length);
            Last.AsSpan(kept).CopyTo(Last);
            buffer[^kept..].CopyTo(Last.AsSpan(Last.Length - kept));
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
