using System.Numerics;
using System.Runtime.CompilerServices;

namespace FastNN.Intrinsics;

/// <summary>
/// Large element-wise maps split across <see cref="Parallelism.MaxThreads"/> threads through <see cref="WorkerPool"/>.
/// Every operator's result for an element depends only on that element (the double exp is made lane-independent
/// for this reason), so a split map gives the same bits as an unsplit one, whatever the thread count.
/// </summary>
internal static class ParallelMap
{
    /// <summary>
    /// Below this many elements a map runs on the calling thread: waking workers costs microseconds, and layer-sized
    /// spans (a 256×256 activation is 64 Ki) stay in cache anyway. Measured here: one 1 Mi-float sigmoid takes ~0.5 ms.
    /// </summary>
    public const int Threshold = 1 << 18;

    /// <summary>
    /// Elements per chunk. Threads claim chunks one at a time, so a worker that the OS schedules late (this machine
    /// is shared) costs its chunks to the others instead of stalling the call; a multiple of 64, so chunks start on
    /// whole 512-bit vectors of float and double.
    /// </summary>
    public const int Chunk = 1 << 15;

    public static int Parts(int length) =>
        length < Threshold ? 1 : Math.Min(Parallelism.MaxThreads, length / Chunk);

    /// <summary>Chunks of <paramref name="length"/> elements, rounded up in long: in int, lengths from int.MaxValue − 32766 on overflowed.</summary>
    public static int Chunks(int length) => (int)(((long)length + Chunk - 1) / Chunk);

    /// <summary>The [start, start + length) range of chunk <paramref name="chunk"/> of <paramref name="total"/> elements.</summary>
    public static (int Start, int Length) Range(int total, int chunk) =>
        (chunk * Chunk, Math.Min(Chunk, total - chunk * Chunk));
}

/// <summary>The work of one chunk of a split map: the operator applied to [start, start + length) of the pinned spans.</summary>
internal unsafe interface IChunkMap<T> where T : unmanaged
{
    /// <summary>Maps one chunk; <paramref name="y"/> is null for a unary map.</summary>
    void Map(T* x, T* y, T* destination, int start, int length);
}

/// <summary>destination = op(x) over one chunk.</summary>
internal readonly unsafe struct UnaryChunkMap<T, TOperator>(TOperator op) : IChunkMap<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOperator : struct, IUnaryOperator<T>
{
    private readonly TOperator _op = op;

    public void Map(T* x, T* y, T* destination, int start, int length) =>
        Elementwise.MapOnThisThread(new ReadOnlySpan<T>(x + start, length), new Span<T>(destination + start, length), _op);
}

/// <summary>destination = op(x, y) over one chunk.</summary>
internal readonly unsafe struct BinaryChunkMap<T, TOperator>(TOperator op) : IChunkMap<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOperator : struct, IBinaryOperator<T>
{
    private readonly TOperator _op = op;

    public void Map(T* x, T* y, T* destination, int start, int length) =>
        Elementwise.MapOnThisThread(new ReadOnlySpan<T>(x + start, length), new ReadOnlySpan<T>(y + start, length),
            new Span<T>(destination + start, length), _op);
}

/// <summary>One map in flight: pointers to the pinned spans, valid while <see cref="Run"/> blocks.</summary>
internal sealed unsafe class MapWork<T, TChunkMap> : IParallelWork
    where T : unmanaged, IFloatingPointIeee754<T>
    where TChunkMap : struct, IChunkMap<T>
{
    // One per thread and instantiation, reused: a run allocates nothing after the first.
    [ThreadStatic] private static MapWork<T, TChunkMap>? t_instance;

    private T* _x, _y, _destination;
    private int _length;
    private int _nextChunk;
    private TChunkMap _map;

    /// <summary>Runs <paramref name="map"/> over every chunk on <paramref name="parts"/> threads; <paramref name="y"/> is empty for a unary map.</summary>
    public static void Run(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination, in TChunkMap map, int parts)
    {
        var work = t_instance ??= new MapWork<T, TChunkMap>();
        fixed (T* px = x)
        fixed (T* py = y)
        fixed (T* pd = destination)
        {
            work._x = px;
            work._y = py;
            work._destination = pd;
            work._length = x.Length;
            work._nextChunk = 0;
            work._map = map;
            try
            {
                WorkerPool.Run(work, parts);
            }
            finally
            {
                work._x = null;
                work._y = null;
                work._destination = null;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(int part, int partCount)
    {
        int chunks = ParallelMap.Chunks(_length);
        for (int chunk = Interlocked.Increment(ref _nextChunk) - 1; chunk < chunks; chunk = Interlocked.Increment(ref _nextChunk) - 1)
        {
            (int start, int length) = ParallelMap.Range(_length, chunk);
            _map.Map(_x, _y, _destination, start, length);
        }
    }
}
