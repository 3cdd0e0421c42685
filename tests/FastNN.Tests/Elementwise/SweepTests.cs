using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FastNN.Intrinsics;

namespace FastNN.Tests.Elementwise;

/// <summary>
/// Elementwise.Sweep, the driver of the kernels that accumulate into their outputs: at every length up to five vectors
/// of the widest path, each element is visited exactly once (acc += 2x starting from 1, and Σx with small integers, both
/// exact, so a second visit or a missed one shows), in parts that follow each other, narrowing, each a whole number of
/// its vectors.
/// </summary>
public class SweepTests
{
    [Fact]
    public void FloatVisitsEveryElementOnceInNarrowingWholeVectors() => Check<float>();

    [Fact]
    public void DoubleVisitsEveryElementOnceInNarrowingWholeVectors() => Check<double>();

    private static void Check<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(5);
        for (int n = 0; n <= 5 * Vector512<T>.Count + 3; n++)
        {
            T[] x = [.. Enumerable.Range(0, n).Select(_ => T.CreateTruncating(rng.Next(-8, 9)))];
            T[] acc = [.. Enumerable.Repeat(T.One, n)];
            var kernel = new AccumulateAndSum<T>(x, acc);
            FastNN.Intrinsics.Elementwise.Sweep<T, AccumulateAndSum<T>>(ref kernel, n);
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                Assert.True(double.CreateTruncating(acc[i]) == 1 + 2 * double.CreateTruncating(x[i]), $"{typeof(T).Name} n = {n}: element {i} visited other than once");
                sum += double.CreateTruncating(x[i]);
            }
            Assert.Equal(sum, double.CreateTruncating(kernel.Sum));
            Assert.Equal(n, kernel.Next);
            Assert.True(kernel.Error is null, $"{typeof(T).Name} n = {n}: {kernel.Error}");
        }
    }

    /// <summary>acc += 2x, Sum += Σx; records where the next part must start and any part out of order.</summary>
    private struct AccumulateAndSum<T>(T[] x, T[] acc) : ISpanKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private int _lastCount = int.MaxValue;

        public T Sum { get; private set; }

        public int Next { get; private set; }

        public string? Error { get; private set; }

        public void Run<TWidth, TVector>(nuint start, nuint end) where TWidth : IVectorWidth<T, TVector> where TVector : struct
        {
            int count = TWidth.Count;
            if ((int)start != Next || end <= start || (int)(end - start) % count != 0 || count >= _lastCount)
                Error ??= $"part [{start}, {end}) of {count}-lane vectors after {Next} (last width {_lastCount})";
            ref T xs = ref MemoryMarshal.GetArrayDataReference(x);
            ref T accs = ref MemoryMarshal.GetArrayDataReference(acc);
            TVector s = TWidth.Broadcast(T.Zero);
            for (nuint i = start; i < end; i += (nuint)count)
            {
                TVector v = TWidth.Load(ref xs, i);
                TWidth.Store(TWidth.Add(TWidth.Load(ref accs, i), TWidth.Add(v, v)), ref accs, i);
                s = TWidth.Add(s, v);
            }
            Sum += TWidth.Reduce<AddOperator<T>>(s);
            Next = (int)end;
            _lastCount = count;
        }
    }
}
