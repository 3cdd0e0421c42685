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
    public static double[][] Measure(int rounds, Action? afterSlice, params Action[] actions)
    {
        var calls = new int[actions.Length];
        for (int i = 0; i < actions.Length; i++)
        {
            calls[i] = Calibrate(actions[i]);
            afterSlice?.Invoke();
        }
        var times = new double[rounds][];
        for (int r = 0; r < rounds; r++)
        {
            times[r] = new double[actions.Length];
            for (int step = 0; step < actions.Length; step++)
            {
                int i = (r + step) % actions.Length;
                times[r][i] = SecondsPerCall(actions[i], calls[i]);
                afterSlice?.Invoke();
            }
        }
        return times;
    }

    /// <summary>The median over rounds of a per-round figure.</summary>
    public static double Median(double[][] times, Func<double[], double> figure)
    {
        double[] values = times.Select(figure).Order().ToArray();
        int half = values.Length / 2;
        return values.Length % 2 == 1 ? values[half] : (values[half - 1] + values[half]) / 2;
    }

    // Past tiering (every hot FastNN method is AggressiveOptimization anyway) and into steady caches, then enough
    // calls to fill one slice.
    private static int Calibrate(Action action)
    {
        var clock = Stopwatch.StartNew();
        int calls = 0;
        while (clock.Elapsed.TotalMilliseconds < 2 * SliceMilliseconds || calls < 3)
        {
            action();
            calls++;
        }
        return Math.Max(1, (int)(calls * SliceMilliseconds / clock.Elapsed.TotalMilliseconds));
    }

    private static double SecondsPerCall(Action action, int calls)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++)
            action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds / calls;
    }
}
