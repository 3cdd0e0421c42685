using System.Numerics;

namespace FastNN.Inference;

/// <summary>
/// The working memory of a <see cref="Predictor{T}"/>'s calls: arrays of one fixed length, lent to one call at a time
/// and kept for later ones. The pool grows to the largest number of calls that ever ran at once (each finds the
/// arrays its predecessors left), up to <see cref="Capacity"/> kept arrays; a call beyond that borrows a fresh array
/// that is dropped afterwards. Nothing is tied to a thread, so a thread pool's hundreds of threads cost only as many
/// arrays as ever ran concurrently, and all of them go with the predictor.
/// </summary>
internal sealed class WorkspacePool<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[]?[] _slots;
    private readonly int _length;

    public WorkspacePool(int length, int capacity)
    {
        _length = length;
        _slots = new T[]?[capacity];
    }

    public int Capacity => _slots.Length;

    /// <summary>Elements per array.</summary>
    public int Length => _length;

    /// <summary>Arrays kept now (none lent out): a figure for tests and diagnostics.</summary>
    public int Kept => _slots.Count(s => s is not null);

    public T[] Rent()
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            if (Volatile.Read(ref _slots[i]) is not null && Interlocked.Exchange(ref _slots[i], null) is { } array)
                return array;
        }
        return new T[_length];
    }

    public void Return(T[] array)
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            if (Volatile.Read(ref _slots[i]) is null && Interlocked.CompareExchange(ref _slots[i], array, null) is null)
                return;
        }
    }
}
