using System.Diagnostics;

namespace FastNN.Benchmarks.Infrastructure;

/// <summary>
/// How far apart the cores running two threads are: the round trip of one cache line between them, each thread
/// writing the value the other waits for. Two cores sharing an L3 pass it through that cache; two cores of different
/// L3s (an AMD EPYC's CCDs) through the fabric between them, two to three times slower.
/// </summary>
internal static class CoreLatency
{
    private static long s_line;

    /// <summary>The mean round trip, in nanoseconds, over <paramref name="milliseconds"/> of back-to-back trips.</summary>
    public static double RoundTripNanoseconds(int milliseconds)
    {
        bool stop = false;
        Volatile.Write(ref s_line, 0);
        var echo = new Thread(() =>
        {
            // Answers every odd value with the next even one.
            for (long expect = 1; !Volatile.Read(ref stop);)
            {
                if (Volatile.Read(ref s_line) == expect)
                {
                    Volatile.Write(ref s_line, expect + 1);
                    expect += 2;
                }
            }
        }) { IsBackground = true };
        echo.Start();
        var clock = Stopwatch.StartNew();
        long trips = 0;
        for (long value = 0; clock.ElapsedMilliseconds < milliseconds; value += 2, trips++)
        {
            Volatile.Write(ref s_line, value + 1);
            while (Volatile.Read(ref s_line) != value + 2)
            {
            }
        }
        double nanoseconds = clock.Elapsed.TotalMilliseconds * 1e6 / trips;
        Volatile.Write(ref stop, true);
        echo.Join();
        return nanoseconds;
    }
}
