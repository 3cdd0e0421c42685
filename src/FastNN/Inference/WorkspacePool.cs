using System.Numerics;

namespace FastNN.Inference;

/// <summary>
/// The working memory of a <see cref="Predictor{T}"/>'s calls: arrays of one fixed length, lent to one call at a time
/// and kept for later ones, under a spin lock held for a few instructions. A call finds a kept array whenever fewer calls
/// are in flight than arrays exist, so the pool grows to the largest number of calls that ever ran at once and no
/// further, up to <see cref="Capacity"/> kept arrays; a call beyond that borrows a fresh array that is dropped
/// afterwards. Nothing is tied to a thread: a thread pool's hundreds of threads cost only as many arrays as ever ran
/// concurrently, and all of them go with the predictor.
/// </summary>
/// <remarks>A lock-free scan of slots was tried first: a caller could pass a slot just before another thread returned
/// an array to it, find every other slot empty and allocate; 8 threads on 2 cores did so a few times in 10 s.</remarks>
internal sealed class WorkspacePool<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private int _busy;
    private T[][] _kept;
    private readonly int _length, _capacity;
    private int _count;

    public WorkspacePool(int length, int capacity)
    {
        _length = length;
        _capacity = capacity;
        // The slots grow with the arrays kept, so a large capacity costs nothing until that many calls ran at once.
        _kept = new T[Math.Min(capacity, 16)][];
    }

    public int Capacity => _capacity;

    /// <summary>Allocates the slots when they grow: a test's seam to fail the allocation.</summary>
    internal Func<int, T[][]> NewSlots { private get; init; } = static count => new T[count][];

    /// <summary>Elements per array.</summary>
    public int Length => _length;

    public T[] Rent()
    {
        Enter();
        T[]? array = null;
        if (_count > 0)
        {
            array = _kept[--_count];
            _kept[_count] = null!;
        }
        Exit();
        return array ?? new T[_length];
    }

    public void Return(T[] array)
    {
        T[][]? larger = null;
        while (true)
        {
            Enter();
            int wanted = _count == _kept.Length && _count < _capacity ? (int)Math.Min(2L * _count, _capacity) : 0;
            if (wanted > 0 && larger?.Length == wanted)
            {
                Array.Copy(_kept, larger, _count);
                _kept = larger;
                wanted = 0;
            }
            if (wanted == 0 && _count < _kept.Length)
                _kept[_count++] = array;
            Exit();
            if (wanted == 0)
                return;
            // Allocated outside the lock, which would otherwise stay held if the allocation failed (out of memory), and
            // every later call spin on it; the slots are then taken at the next turn unless another call grew them first.
            larger = NewSlots(wanted);
        }
    }

    // A spin lock of one flag: the section is a few instructions, and System.Threading.Lock allocated under contention
    // (8 threads on 2 cores: about 1.5 bytes per call on average).
    private void Enter()
    {
        var spin = new SpinWait();
        while (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
            spin.SpinOnce();
    }

    private void Exit() => Volatile.Write(ref _busy, 0);
}
