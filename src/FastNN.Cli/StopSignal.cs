using System.Runtime.InteropServices;

namespace FastNN.Cli;

/// <summary>
/// Ctrl-C (SIGINT) or SIGTERM while long work runs: the first of them asks the work to stop at its next safe point
/// (<see cref="Token"/>), so that it can keep what it has done and exit with <see cref="ExitCode"/>; any later one, and
/// one that comes after <see cref="Dispose"/>, keeps the runtime's default and ends the process at once, as usual.
/// </summary>
/// <remarks>
/// One per piece of work. Thread safety: the runtime calls <see cref="Handle"/> on a thread of its own per signal, so two
/// signals may be handled at once, and a signal the runtime dispatched just before <see cref="Dispose"/> unregistered the
/// handlers may be handled during or after it. One compare-and-swap of <see cref="_state"/> decides: only the signal that
/// finds it armed is the first; one that finds a signal or <see cref="Disposed"/> there is left to the default. The token
/// source is never disposed, so that the first signal's handler may still cancel it after Dispose: it holds no timer and
/// no wait handle (the work polls the token), nothing disposal would release.
/// <para>On Windows the runtime maps SIGINT to Ctrl-C (handled as here) and SIGTERM to CTRL_SHUTDOWN_EVENT, after whose
/// handler the system ends the process whatever it returns: there only Ctrl-C stops the work and keeps what it did.</para>
/// </remarks>
internal sealed class StopSignal : IDisposable
{
    private const int Armed = 0, Interrupted = 1, Terminated = 2, Disposed = 3;

    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration _interrupt, _terminate;
    private int _state = Armed;

    public StopSignal()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
        Created.Value?.Invoke(this);
    }

    /// <summary>
    /// Given every stop created on this flow of execution, or null (always, outside tests): tests take a command's stop
    /// from it to <see cref="Handle"/> a signal at a chosen point of the work, as the runtime's thread would, without
    /// timing a real signal against it.
    /// </summary>
    internal static readonly AsyncLocal<Action<StopSignal>?> Created = new();

    /// <summary>Cancelled at the first signal.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Whether a signal asked the work to stop.</summary>
    public bool Received => Volatile.Read(ref _state) is Interrupted or Terminated;

    /// <summary>How the messages name the stop: "interrupted (Ctrl-C)" or "stopped by SIGTERM".</summary>
    public string Description => Volatile.Read(ref _state) == Terminated ? "stopped by SIGTERM" : "interrupted (Ctrl-C)";

    /// <summary>The exit code of work the signal stopped: 128 + the signal's number, as a shell reports a process the signal ended.</summary>
    public int ExitCode => Volatile.Read(ref _state) == Terminated ? FastNN.Cli.ExitCode.Terminated : FastNN.Cli.ExitCode.Interrupted;

    /// <summary>The failure of the step under way when the signal came (see <see cref="Run{TResult}"/>), or null.</summary>
    public InvalidOperationException? Diverged { get; private set; }

    /// <summary>"; the step under way failed: …" with <see cref="Diverged"/>'s message, for the line that tells the stop; empty without it.</summary>
    public string DivergedNote => Diverged is { } e ? $"; the step under way failed: {Fastnn.OneLine(e.Message).TrimEnd('.')}" : "";

    /// <summary>
    /// Runs training that polls <see cref="Token"/> between its steps, and returns its result. A step already under way
    /// when the signal comes still runs, and may fail as a run that diverged (the library's
    /// <see cref="InvalidOperationException"/>): the signal came first, so the stop wins, as the command's exit codes
    /// document for a run Ctrl-C or SIGTERM stopped: the failure is kept in <see cref="Diverged"/> for the stop's message,
    /// the result is the default, and the command exits with <see cref="ExitCode"/>. Any other failure, or one before
    /// the signal, propagates.
    /// </summary>
    public TResult? Run<TResult>(Func<TResult> training)
    {
        try
        {
            return training();
        }
        catch (InvalidOperationException e) when (Received)
        {
            Diverged = e;
            return default;
        }
    }

    /// <summary>Handles one signal (the runtime's callback; <see cref="PosixSignalContext.Cancel"/> set keeps the process alive).</summary>
    internal void Handle(PosixSignalContext context)
    {
        int first = context.Signal == PosixSignal.SIGTERM ? Terminated : Interrupted;
        // Cancel only ever set: the context passes through every handler of the signal, and another's choice stands.
        if (Interlocked.CompareExchange(ref _state, first, Armed) != Armed)
            return;
        context.Cancel = true;
        _stop.Cancel();
    }

    /// <summary>Gives SIGINT and SIGTERM back their usual meaning: from the start of the call on, a signal ends the process.</summary>
    public void Dispose()
    {
        Interlocked.CompareExchange(ref _state, Disposed, Armed);
        _interrupt.Dispose();
        _terminate.Dispose();
    }
}
