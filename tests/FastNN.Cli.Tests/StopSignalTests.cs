using System.Diagnostics;
using System.Runtime.InteropServices;

namespace FastNN.Cli.Tests;

/// <summary>
/// The two windows of the signal handler, driven through its callback as the runtime calls it (on a thread of its own
/// per signal): two signals handled at once, and a signal handled during or after the handler's disposal.
/// </summary>
public class StopSignalTests
{
    [Fact]
    public void OfTwoSignalsHandledAtOnceExactlyOneStopsTheWorkAndTheOtherEndsTheProcess()
    {
        // Each handler read "not yet cancelled" and then cancelled: two at once could both read it, both keep the process
        // alive, and the second signal, meant to end the process at once, was lost.
        // With the old handler this failed in 4 of 6 runs (at rounds 17 to 332) on a machine at load 19 on 2 cores.
        const int Rounds = 2000;
        StopSignal[] stops = Enumerable.Range(0, Rounds).Select(_ => new StopSignal()).ToArray();
        var kept = new bool[Rounds, 2];
        int[] done = new int[2];
        int arrived = 0;
        bool over = false; // set after a second by thread 0: a loaded machine runs fewer rounds, not a longer test
        var clock = Stopwatch.StartNew();
        void Send(int side)
        {
            for (int round = 0; round < Rounds && !Volatile.Read(ref over); round++)
            {
                var context = new PosixSignalContext(side == 0 ? PosixSignal.SIGINT : PosixSignal.SIGTERM);
                // Both threads spin until both are here, so that they leave within a cache-line transfer of each other
                // (a spin that yields soon, as SpinWait's, leaves them microseconds apart and the window unmet).
                Interlocked.Increment(ref arrived);
                for (int spins = 1; Volatile.Read(ref arrived) < 2 * (round + 1); spins++)
                {
                    if (Volatile.Read(ref over))
                        return;
                    if (spins % 1_000_000 == 0)
                        Thread.Yield(); // the other thread is not running: let it
                }
                stops[round].Handle(context);
                kept[round, side] = context.Cancel;
                done[side] = round + 1;
                if (side == 0 && clock.ElapsedMilliseconds > 1000)
                    Volatile.Write(ref over, true);
            }
        }
        var other = new Thread(() => Send(1));
        other.Start();
        Send(0);
        other.Join();

        for (int round = 0; round < Rounds; round++)
        {
            using StopSignal stop = stops[round];
            if (round >= Math.Min(done[0], done[1]))
                continue;
            Assert.True(kept[round, 0] ^ kept[round, 1], $"round {round}: SIGINT {(kept[round, 0] ? "kept" : "ended")} the process, SIGTERM {(kept[round, 1] ? "kept" : "ended")} it");
            Assert.True(stop.Received && stop.Token.IsCancellationRequested);
            Assert.Equal(kept[round, 0] ? 130 : 143, stop.ExitCode);
        }
    }

    [Fact]
    public void ASignalHandledAfterDisposalEndsTheProcessAndThrowsNothing()
    {
        // The runtime copies the handlers when the signal comes and calls them on another thread, so a signal that came
        // just before Dispose is handled after it: the handler cancelled the disposed token source, whose
        // ObjectDisposedException on the signal thread crashed the process with a stack trace, after keeping it alive.
        var stop = new StopSignal();
        stop.Dispose();
        var context = new PosixSignalContext(PosixSignal.SIGTERM);
        stop.Handle(context);
        Assert.False(context.Cancel);
        Assert.False(stop.Received);
        Assert.False(stop.Token.IsCancellationRequested);
    }

    [Fact]
    public void ASignalItLeavesToTheDefaultKeepsWhatAnotherHandlerDecided()
    {
        // The runtime passes one context through every handler registered for the signal, and ends the process only if
        // none set Cancel: a handler that does not want the signal must leave Cancel alone, not clear another's choice
        // (an embedding host's, or Console.CancelKeyPress's, that keeps the process alive).
        var stop = new StopSignal();
        stop.Handle(new PosixSignalContext(PosixSignal.SIGINT));
        var second = new PosixSignalContext(PosixSignal.SIGINT) { Cancel = true };
        stop.Handle(second);
        stop.Dispose();
        var afterDisposal = new PosixSignalContext(PosixSignal.SIGTERM) { Cancel = true };
        stop.Handle(afterDisposal);
        Assert.True(second.Cancel && afterDisposal.Cancel);
    }

    [Fact]
    public void AfterTheFirstSignalTheNextEndsTheProcessAndTheFirstIsKept()
    {
        var stop = new StopSignal();
        var first = new PosixSignalContext(PosixSignal.SIGINT);
        var second = new PosixSignalContext(PosixSignal.SIGTERM);
        stop.Handle(first);
        stop.Handle(second);
        stop.Dispose();
        Assert.True(first.Cancel);
        Assert.False(second.Cancel);
        Assert.Equal(("interrupted (Ctrl-C)", 130), (stop.Description, stop.ExitCode));
    }

    // Training polls the signal between steps, so a step under way when it comes still runs, and may diverge: that run
    // exited 1 as diverged although Ctrl-C had asked it to stop first (seen with fastnn train: SIGINT after the first
    // epoch's line of a run whose next step overflows, 5 runs of 5). The signal is handled here inside the work, as the
    // runtime's thread does during such a step.
    [Theory]
    [InlineData(PosixSignal.SIGINT, 130)]
    [InlineData(PosixSignal.SIGTERM, 143)]
    public void ARunThatDivergesAfterTheSignalCameEndsAsStopped(PosixSignal signal, int exitCode)
    {
        using var stop = new StopSignal();
        string? result = stop.Run<string>(() =>
        {
            stop.Handle(new PosixSignalContext(signal));
            throw new InvalidOperationException("The training objective is NaN at step 3; lower the learning rate, clip the gradients or check the data.");
        });
        Assert.Null(result);
        Assert.Contains("NaN at step 3", stop.Diverged?.Message);
        Assert.Equal(exitCode, stop.ExitCode);
    }

    [Fact]
    public void ARunThatDivergesBeforeAnySignalOrFailsOtherwiseStillFails()
    {
        using var stop = new StopSignal();
        Assert.Equal("done", stop.Run(() => "done"));
        Assert.Throws<InvalidOperationException>(() => stop.Run<string>(() => throw new InvalidOperationException("diverged")));
        Assert.Null(stop.Diverged);
        // After the signal, a failure that is not the run's own (a file that cannot be written) is still one.
        Assert.Throws<IOException>(() => stop.Run<string>(() =>
        {
            stop.Handle(new PosixSignalContext(PosixSignal.SIGINT));
            throw new IOException("disk full");
        }));
        Assert.Null(stop.Diverged);
    }
}
