using System.Diagnostics;

namespace FastNN.Benchmarks.Infrastructure;

/// <summary>
/// Times several actions side by side in rounds: every round times each action once (about
/// <see cref="SliceMilliseconds"/> of back-to-back calls), starting from a different action each round. A ratio is
/// then taken within each round and its median over the rounds reported, so a drift in the machine's speed that
/// lasts longer than a round (this VM's speed moves by 10-15% from one minute to the next) cancels out of it,
/// which separate BenchmarkDotNet cases a second apart cannot promise.
/// </summary>
internal static class PairedRounds
{
    /// <summary>Time each action gets in each round.</summary>
    public const double SliceMilliseconds = 20;

    /// <summary>Warms every action up, then runs <paramref name="rounds"/> rounds.</summary>
    /// <returns>Seconds per call: [round][action].</returns>
    public static double[][] Measure(int rounds, params Action[] actions) => Measure(rounds, null, actions);

    /// <summary>
    /// As <see cref="Measure(int, Action[])"/>, calling <paramref name="afterSlice"/> (untimed) after every slice:
    /// for instance to put a library's worker threads to sleep, which otherwise spin for milliseconds after their
    /// last call and take a core from the slice that follows.
    /// </summary>
    public static double[][] Measure(int rounds, Action? afterSlice, params Action[] actions) =>
        Measure(rounds, afterSlice, actions.Select(a => Local(a)).ToArray());

    /// <summary>A side that times <paramref name="action"/> in this process.</summary>
    /// <param name="action">One call.</param>
    /// <param name="untimedFirst">Start every slice with one untimed call, so that a side whose slice holds only a few
    /// calls of a large working set is not timed refilling the caches that the sides before it emptied.</param>
    public static ITimedSide Local(Action action, bool untimedFirst = false) => new LocalSide(action, untimedFirst);

    /// <summary>Warms every side up, then runs <paramref name="rounds"/> rounds; a side may time itself in another process.</summary>
    /// <returns>Seconds per call: [round][side].</returns>
    public static double[][] Measure(int rounds, Action? afterSlice, params ITimedSide[] sides)
    {
        var calls = new int[sides.Length];
        for (int i = 0; i < sides.Length; i++)
        {
            calls[i] = sides[i].Calibrate(SliceMilliseconds);
            afterSlice?.Invoke();
        }
        var times = new double[rounds][];
        for (int r = 0; r < rounds; r++)
        {
            times[r] = new double[sides.Length];
            for (int step = 0; step < sides.Length; step++)
            {
                int i = (r + step) % sides.Length;
                times[r][i] = sides[i].SecondsPerCall(calls[i]);
                afterSlice?.Invoke();
            }
        }
        return times;
    }

    /// <summary>The median over rounds of a per-round figure.</summary>
    public static double Median(double[][] times, Func<double[], double> figure) => Figures.Median(times.Select(figure));

    /// <summary>An action of this process, timed here.</summary>
    private sealed class LocalSide(Action action, bool untimedFirst = false) : ITimedSide
    {
        // Past tiering (every hot FastNN method is AggressiveOptimization anyway) and into steady caches, then enough
        // calls to fill one slice, counted after the warm-up: a first call that compiles must not shrink the slice.
        public int Calibrate(double sliceMilliseconds)
        {
            var clock = Stopwatch.StartNew();
            int calls = 0;
            while (clock.Elapsed.TotalMilliseconds < 2 * sliceMilliseconds || calls < 3)
            {
                action();
                calls++;
            }
            clock.Restart();
            calls = 0;
            while (clock.Elapsed.TotalMilliseconds < sliceMilliseconds || calls < 1)
            {
                action();
                calls++;
            }
            return Math.Max(1, (int)(calls * sliceMilliseconds / clock.Elapsed.TotalMilliseconds));
        }

        public double SecondsPerCall(int calls)
        {
            if (untimedFirst)
                action();
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++)
                action();
            return Stopwatch.GetElapsedTime(start).TotalSeconds / calls;
        }
    }
}

/// <summary>One side of a paired comparison: it warms up and sizes its slice, then times slices of back-to-back calls.</summary>
internal interface ITimedSide
{
    /// <summary>Warms up (past tiering, into steady caches); returns how many calls fill a slice of <paramref name="sliceMilliseconds"/>.</summary>
    int Calibrate(double sliceMilliseconds);

    /// <summary>Seconds per call over <paramref name="calls"/> back-to-back calls.</summary>
    double SecondsPerCall(int calls);
}
