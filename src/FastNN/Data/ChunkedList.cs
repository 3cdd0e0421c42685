namespace FastNN.Data;

/// <summary>
/// An append-only list kept in fixed-size chunks, so growing it never copies what it holds: reading a table of n values
/// allocates about n for the chunks and n for the final array, whatever the number of rows.
/// </summary>
internal sealed class ChunkedList<T>
{
    private const int ChunkLength = 1 << 16;
    private readonly List<T[]> _chunks = [];
    private T[] _current = [];
    private int _used;

    /// <summary>Number of values added.</summary>
    public long Count => (long)(_chunks.Count - 1) * ChunkLength + _used;

    /// <summary>Appends <paramref name="value"/>.</summary>
    public void Add(T value)
    {
        if (_used == _current.Length)
        {
            _current = new T[ChunkLength];
            _chunks.Add(_current);
            _used = 0;
        }
        _current[_used++] = value;
    }

    /// <summary>The value at <paramref name="index"/>.</summary>
    public T this[long index] => _chunks[(int)(index / ChunkLength)][index % ChunkLength];

    /// <summary>Every value, in order, in a new array.</summary>
    public T[] ToArray()
    {
        var result = new T[Count];
        for (int c = 0; c < _chunks.Count; c++)
        {
            int length = c == _chunks.Count - 1 ? _used : ChunkLength;
            _chunks[c].AsSpan(0, length).CopyTo(result.AsSpan(c * ChunkLength));
        }
        return result;
    }
}
