namespace FastNN.Cli;

/// <summary>
/// The process's standard output, whose failure to take a write (closed by the shell, <c>&gt;&amp;-</c>) is a
/// <see cref="UsageException"/> naming it: the runtime reports a closed descriptor as "Access to the path is denied."
/// with no path, which the command would print as is (and --version, written outside a command's guard, as a stack trace).
/// </summary>
internal sealed class StandardOutputWriter(TextWriter inner) : TextWriter
{
    /// <inheritdoc/>
    public override System.Text.Encoding Encoding => inner.Encoding;

    /// <inheritdoc/>
    public override void Write(char value) => Guarded(() => inner.Write(value));

    /// <inheritdoc/>
    public override void Write(string? value) => Guarded(() => inner.Write(value));

    /// <inheritdoc/>
    public override void Write(char[] buffer, int index, int count) => Guarded(() => inner.Write(buffer, index, count));

    /// <inheritdoc/>
    public override void WriteLine(string? value) => Guarded(() => inner.WriteLine(value));

    /// <inheritdoc/>
    public override void Flush() => Guarded(inner.Flush);

    private static void Guarded(Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The system's words are in the inner exception ("Bad file descriptor") when the runtime rewords them.
            throw new UsageException($"cannot write standard output: {(e.InnerException ?? e).Message.TrimEnd('.')}.");
        }
    }
}
