using System.Runtime.InteropServices;

namespace FastNN.Cli;

/// <summary>
/// Ctrl-C (SIGINT) while long work runs: the first press asks the work to stop at its next safe point
/// (<see cref="Token"/>), so that it can keep what it has done; a second press ends the process at once, as usual.
/// </summary>
/// <remarks>One per piece of work; not thread-safe. Dispose to give Ctrl-C back its usual meaning.</remarks>
internal sealed class CtrlC : IDisposable
{
    private readonly CancellationTokenSource _pressed = new();
    private readonly PosixSignalRegistration _registration;

    public CtrlC() => _registration = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
    {
        context.Cancel = !_pressed.IsCancellationRequested;
        _pressed.Cancel();
    });

    /// <summary>Cancelled at the first Ctrl-C.</summary>
    public CancellationToken Token => _pressed.Token;

    /// <summary>Whether Ctrl-C was pressed.</summary>
    public bool Pressed => _pressed.IsCancellationRequested;

    public void Dispose()
    {
        _registration.Dispose();
        _pressed.Dispose();
    }
}
