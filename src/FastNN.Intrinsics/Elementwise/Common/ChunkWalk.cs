namespace FastNN.Intrinsics;

/// <summary>
/// Walks [0, total) in chunks of at most <c>size</c> elements, for loops that pass a long span through a small stack
/// buffer: <c>for (var c = new ChunkWalk(total, size); c.MoveNext();)</c> then use <see cref="Start"/> and <see cref="Length"/>.
/// </summary>
/// <remarks>
/// Steps by the length actually taken, so that start never passes total: stepping by the size wrapped start negative
/// after the last chunk of a span longer than int.MaxValue − size, and the caller's Slice then threw.
/// </remarks>
internal struct ChunkWalk(int total, int size)
{
    /// <summary>The first element of the current chunk.</summary>
    public int Start { get; private set; }

    /// <summary>The elements in the current chunk: <c>size</c>, or fewer in the last.</summary>
    public int Length { get; private set; }

    /// <summary>Moves to the next chunk; false after the last.</summary>
    public bool MoveNext()
    {
        Start += Length;
        Length = Math.Min(size, total - Start);
        return Length > 0;
    }
}
