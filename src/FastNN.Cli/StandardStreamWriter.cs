namespace FastNN.Cli;

/// <summary>
/// One of the process's standard streams, named <paramref name="name"/> (standard output or error), whose failure to take
/// a write (closed by the shell, <c>&gt;&amp;-</c>) is a <see cref="UsageException"/> naming it: the runtime reports a
/// closed descriptor as "Access to the path is denied." with no path, which the command would print as is (and
/// --version, written outside a command's guard, as a stack trace).
/// </summary>
internal sealed class StandardStreamWriter(TextWriter inner, string name) : TextWriter
{
    /// <inheritdoc/>
    public override System.Text.Encoding Encoding => inner.Encoding;

    /// <inheritdoc/>
    public override void Write(char value) => Guarded(value, static (w, v) => w.Write(v));

    /// <inheritdoc/>
    public override void Write(string? value) => Guarded(value, static (w, v) => w.Write(v));

    /// <inheritdoc/>
    public override void Write(char[] buffer, int index, int count) =>
        Guarded((buffer, index, count), static (w, v) => w.Write(v.buffer, v.index, v.count));

    /// <inheritdoc/>
    public override void WriteLine(string? value) => Guarded(value, static (w, v) => w.WriteLine(v));

    /// <inheritdoc/>
    public override void Flush() => Guarded(0, static (w, _) => w.Flush());

    // The write and its argument as a static lambda and a state: a capturing lambda would allocate on every write.
    private void Guarded<TState>(TState state, Action<TextWriter, TState> write)
    {
        try
        {
            write(inner, state);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The system's words are in the inner exception ("Bad file descriptor") when the runtime rewords them.
            throw new UsageException($"cannot write {name}: {(e.InnerException ?? e).Message.TrimEnd('.')}.");
        }
    }
}
