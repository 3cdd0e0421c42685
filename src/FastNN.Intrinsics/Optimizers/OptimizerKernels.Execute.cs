using System.Numerics;

namespace FastNN.Intrinsics;

public static partial class OptimizerKernels
{
    /// <summary>Fewest elements per thread: below this, waking a worker costs more than the memory traffic it saves.</summary>
    internal const int MinElementsPerThread = 1 << 16;

    /// <summary>Chunk boundaries fall on multiples of this many elements, so every chunk starts on the same vector grid.</summary>
    private const int ChunkAlignment = 64;

    /// <summary>Runs one validated update: on the calling thread, or split into contiguous chunks over the worker pool.</summary>
    /// <remarks>Each element's update depends on that element alone, so the split never changes a result.</remarks>
    private static unsafe void Execute<T, TOp>(in TOp op, Span<T> parameters, ReadOnlySpan<T> gradients, Span<T> s0, Span<T> s1, Span<T> s2)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IUpdateOperator<T>
    {
        int parts = Math.Min(Parallelism.MaxThreads, parameters.Length / MinElementsPerThread);
        if (parts <= 1)
        {
            UpdateDriver.Run(op, parameters, gradients, s0, s1, s2);
            return;
        }
        fixed (T* p = parameters, g = gradients, a = s0, b = s1, c = s2)
        {
            UpdateWork<T, TOp> work = UpdateWork<T, TOp>.ForThisThread ??= new();
            work.Set(op, p, g, a, b, c, parameters.Length, s0.Length, s1.Length, s2.Length);
            try
            {
                WorkerPool.Run(work, parts);
            }
            finally
            {
                work.Clear();
            }
        }
    }

    /// <summary>A reusable work item over pinned buffers: part k of n updates the k-th contiguous chunk.</summary>
    private sealed unsafe class UpdateWork<T, TOp> : IParallelWork
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IUpdateOperator<T>
    {
        // One per calling thread, created on its first large update, so concurrent optimizers never share one.
        [ThreadStatic] public static UpdateWork<T, TOp>? ForThisThread;

        private TOp _op;
        private T* _p, _g, _s0, _s1, _s2;
        private int _length, _length0, _length1, _length2;

        public void Set(in TOp op, T* p, T* g, T* s0, T* s1, T* s2, int length, int length0, int length1, int length2)
        {
            _op = op;
            _p = p; _g = g; _s0 = s0; _s1 = s1; _s2 = s2;
            _length = length; _length0 = length0; _length1 = length1; _length2 = length2;
        }

        /// <summary>Drops the pointers once the buffers are unpinned.</summary>
        public void Clear()
        {
            _p = _g = _s0 = _s1 = _s2 = null;
        }

        public void Execute(int part, int partCount)
        {
            int start = Boundary(part, partCount), end = Boundary(part + 1, partCount), n = end - start;
            UpdateDriver.Run(_op, new Span<T>(_p + start, n), new ReadOnlySpan<T>(_g + start, n),
                _length0 == 0 ? default : new Span<T>(_s0 + start, n),
                _length1 == 0 ? default : new Span<T>(_s1 + start, n),
                _length2 == 0 ? default : new Span<T>(_s2 + start, n));
        }

        private int Boundary(int part, int partCount)
            => part == partCount ? _length : (int)((long)_length * part / partCount / ChunkAlignment * ChunkAlignment);
    }
}
