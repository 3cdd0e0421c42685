using System.Buffers;
using System.Numerics;
using System.Runtime.Intrinsics.X86;

namespace FastNN.Intrinsics;

/// <summary>
/// Optimizer updates queued during a backward pass and run a small chunk at a time between the micro-tiles of the
/// GEMM products that follow on the same thread, so their memory traffic overlaps the products' arithmetic; what is
/// left runs as one plain pass at <see cref="Finish"/>.
/// </summary>
/// <remarks>
/// <para>Each element gets the same operations as <see cref="OptimizerKernels.Adam{T}"/> on the whole buffer (the
/// update is elementwise, and every vector width gives the same bits), so the results do not depend on how the work
/// is cut.</para>
/// <para>Thread safety: not thread-safe: one thread queues, attaches, runs its products and finishes; the queued
/// buffers must not be touched by anyone else until <see cref="Finish"/> returns.</para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed unsafe class InterleavedUpdate<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly int s_minChunk = EnvInt("FASTNN_IL_MIN", 64);
    private static readonly int s_distance = EnvInt("FASTNN_IL_DIST", 2);
    private static readonly int s_prefetch = EnvInt("FASTNN_IL_PF", 1);
    private static readonly int s_lineElements = Math.Max(1, CacheHierarchy.Current.L1.LineBytes / sizeof(T));

    private Segment[] _segments = new Segment[8];
    private int _head, _count;
    private long _pending, _prefetched;
    private double _rate, _credit;
    private readonly Side _side;

    /// <summary>Creates an empty queue.</summary>
    public InterleavedUpdate() => _side = new Side(this);

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int v) ? v : fallback;

    /// <summary>Elements queued and not yet updated.</summary>
    public long Pending => _pending;

    /// <summary>Queues one Adam or AdamW update (the arguments of <see cref="OptimizerKernels.Adam{T}"/>); the buffers stay pinned until done.</summary>
    public void AddAdam(Memory<T> parameters, ReadOnlyMemory<T> gradients, Memory<T> firstMoment, Memory<T> secondMoment,
        Memory<T> maxSecondMoment, long step, double learningRate, double beta1, double beta2, double epsilon,
        double weightDecay, bool decoupledWeightDecay)
    {
        // Validation as the one-pass kernel does it, on empty spans' worth of work: the same checks, the same exceptions.
        OptimizerKernels.Adam(parameters.Span[..0], gradients.Span[..0], firstMoment.Span[..0], secondMoment.Span[..0],
            maxSecondMoment.IsEmpty ? default : maxSecondMoment.Span[..0], step, learningRate, beta1, beta2, epsilon, weightDecay, decoupledWeightDecay);
        OptimizerKernels.CheckAdamBuffers(parameters.Span, gradients.Span, firstMoment.Span, secondMoment.Span, maxSecondMoment.Span);
        if (parameters.Length == 0)
            return;
        if (_count == _segments.Length)
            Array.Resize(ref _segments, 2 * _segments.Length);
        var op = new OptimizerKernels.AdamOperator<T>(step, learningRate, beta1, beta2, epsilon, weightDecay, decoupledWeightDecay, !maxSecondMoment.IsEmpty);
        _segments[_count++] = new Segment(op, parameters, gradients, firstMoment, secondMoment, maxSecondMoment);
        _pending += parameters.Length;
    }

    /// <summary>Spreads what is queued evenly over the next <paramref name="flops"/> floating-point operations of the products on this thread.</summary>
    public void SpreadOver(long flops)
    {
        _rate = flops > 0 ? (double)_pending / flops : 0;
    }

    /// <summary>Makes the GEMM products on the calling thread advance the queue between their micro-tiles.</summary>
    public void Attach() => TileSideWork.Current = _side;

    /// <summary>Stops the calling thread's products from advancing the queue.</summary>
    public void Detach()
    {
        if (TileSideWork.Current == _side)
            TileSideWork.Current = null;
    }

    /// <summary>Runs everything still queued, as one plain pass per segment, and empties the queue.</summary>
    public void Finish()
    {
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        StatFinishElements += _pending;
        for (; _head < _count; _head++)
        {
            ref Segment s = ref _segments[_head];
            s.RunRest();
            s = default;
        }
        _head = _count = 0;
        _pending = _prefetched = 0;
        _rate = _credit = 0;
        StatFinishTicks += System.Diagnostics.Stopwatch.GetTimestamp() - t0;
    }

#pragma warning disable CS1591
    public static long StatChunks, StatElements, StatTicks, StatFinishElements, StatFinishTicks, StatAdvances;
#pragma warning restore CS1591

    private void Advance(long flops)
    {
        StatAdvances++;
        _credit += flops * _rate;
        if (_credit < s_minChunk)
            return;
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        StatChunks++;
        try {
        int n = (int)_credit / s_lineElements * s_lineElements;
        _credit -= n;
        while (n > 0 && _head < _count)
        {
            ref Segment s = ref _segments[_head];
            int take = Math.Min(n, s.Length - s.Done);
            s.Run(take);
            if (s_prefetch != 0)
            {
                long target = Math.Min(s.Done + (long)s_distance * take, s.Length);
                for (long i = Math.Max(_prefetched, s.Done); i < target; i += s_lineElements)
                    s.Prefetch((int)i, s_prefetch);
                _prefetched = Math.Max(_prefetched, target);
            }
            n -= take;
            _pending -= take;
            if (s.Done == s.Length)
            {
                s.Release();
                s = default;
                _head++;
                _prefetched = 0;
            }
            StatElements += take;
        }
        } finally { StatTicks += System.Diagnostics.Stopwatch.GetTimestamp() - t0; }
    }

    private sealed class Side(InterleavedUpdate<T> owner) : TileSideWork
    {
        public override void Advance(long flops) => owner.Advance(flops);
    }

    private struct Segment
    {
        private readonly OptimizerKernels.AdamOperator<T> _op;
        private MemoryHandle _hp, _hg, _hm, _hv, _hx;
        private readonly T* _p, _g, _m, _v, _x;
        public readonly int Length;
        public int Done;

        public Segment(in OptimizerKernels.AdamOperator<T> op, Memory<T> p, ReadOnlyMemory<T> g, Memory<T> m, Memory<T> v, Memory<T> x)
        {
            _op = op;
            (_hp, _hg, _hm, _hv, _hx) = (p.Pin(), g.Pin(), m.Pin(), v.Pin(), x.Pin());
            _p = (T*)_hp.Pointer;
            _g = (T*)_hg.Pointer;
            _m = (T*)_hm.Pointer;
            _v = (T*)_hv.Pointer;
            _x = x.IsEmpty ? null : (T*)_hx.Pointer;
            Length = p.Length;
        }

        public void Run(int n)
        {
            int i = Done;
            UpdateDriver.Run(_op, new Span<T>(_p + i, n), new ReadOnlySpan<T>(_g + i, n), new Span<T>(_m + i, n),
                new Span<T>(_v + i, n), _x is null ? default : new Span<T>(_x + i, n));
            Done += n;
        }

        public void RunRest()
        {
            int i = Done, n = Length - Done;
            if (n > 0)
            {
                OptimizerKernels.Execute(_op, new Span<T>(_p + i, n), new ReadOnlySpan<T>(_g + i, n), new Span<T>(_m + i, n),
                    new Span<T>(_v + i, n), _x is null ? default : new Span<T>(_x + i, n));
                Done = Length;
            }
            Release();
        }

        public void Prefetch(int i, int kind)
        {
            switch (kind)
            {
                case 1:
                    Sse.Prefetch0(_p + i); Sse.Prefetch0(_g + i); Sse.Prefetch0(_m + i); Sse.Prefetch0(_v + i);
                    break;
                case 2:
                    Sse.Prefetch1(_p + i); Sse.Prefetch1(_g + i); Sse.Prefetch1(_m + i); Sse.Prefetch1(_v + i);
                    break;
                case 4:
                    Sse.PrefetchNonTemporal(_m + i); Sse.PrefetchNonTemporal(_v + i);
                    break;
                case 5:
                    Sse.Prefetch0(_m + i); Sse.Prefetch0(_v + i);
                    break;
                default:
                    Sse.PrefetchNonTemporal(_p + i); Sse.PrefetchNonTemporal(_g + i); Sse.PrefetchNonTemporal(_m + i); Sse.PrefetchNonTemporal(_v + i);
                    break;
            }
        }

        public void Release()
        {
            _hp.Dispose(); _hg.Dispose(); _hm.Dispose(); _hv.Dispose(); _hx.Dispose();
        }
    }
}
