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

    public static int Chunks(int length) => (length + Chunk - 1) / Chunk;

    /// <summary>The [start, start + length) range of chunk <paramref name="chunk"/> of <paramref name="total"/> elements.</summary>
    public static (int Start, int Length) Range(int total, int chunk) =>
        (chunk * Chunk, Math.Min(Chunk, total - chunk * Chunk));
}

/// <summary>One unary map in flight: pointers to the pinned spans, valid while <see cref="Run"/> blocks.</summary>
internal sealed unsafe class UnaryMapWork<T, TOperator> : IParallelWork
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOperator : struct, IUnaryOperator<T>
{
    // One per thread and instantiation, reused: a run allocates nothing after the first.
    [ThreadStatic] private static UnaryMapWork<T, TOperator>? t_instance;

    private T* _x, _destination;
    private int _length;
    private int _nextChunk;
    private TOperator _op;

    public static void Run(ReadOnlySpan<T> x, Span<T> destination, in TOperator op, int parts)
    {
        var work = t_instance ??= new UnaryMapWork<T, TOperator>();
        fixed (T* px = x)
        fixed (T* pd = destination)
        {
            work._x = px;
            work._destination = pd;
            work._length = x.Length;
            work._nextChunk = 0;
            work._op = op;
            try
            {
                WorkerPool.Run(work, parts);
            }
            finally
            {
                work._x = null;
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
            Elementwise.MapOnThisThread(new ReadOnlySpan<T>(_x + start, length), new Span<T>(_destination + start, length), _op);
        }
    }
}

/// <summary>One binary map in flight: pointers to the pinned spans, valid while <see cref="Run"/> blocks.</summary>
internal sealed unsafe class BinaryMapWork<T, TOperator> : IParallelWork
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOperator : struct, IBinaryOperator<T>
{
    [ThreadStatic] private static BinaryMapWork<T, TOperator>? t_instance;

    private T* _x, _y, _destination;
    private int _length;
    private int _nextChunk;
    private TOperator _op;

    public static void Run(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination, in TOperator op, int parts)
    {
        var work = t_instance ??= new BinaryMapWork<T, TOperator>();
        fixed (T* px = x)
        fixed (T* py = y)
        fixed (T* pd = destination)
        {
            work._x = px;
            work._y = py;
            work._destination = pd;
            work._length = x.Length;
            work._nextChunk = 0;
            work._op = op;
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
            Elementwise.MapOnThisThread(new ReadOnlySpan<T>(_x + start, length), new ReadOnlySpan<T>(_y + start, length),
                new Span<T>(_destination + start, length), _op);
        }
    }
}
