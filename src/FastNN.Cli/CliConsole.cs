using Spectre.Console;
using Spectre.Console.Rendering;

namespace FastNN.Cli;

/// <summary>
/// Where one invocation of the command writes: standard output and error, and whether a person watches a terminal
/// (then progress is a live bar; otherwise, when output is redirected or <c>CI</c> is set, plain lines).
/// </summary>
/// <remarks>One per invocation; not thread-safe. Tests give their own writers, so invocations in one process do not mix.</remarks>
internal sealed class CliConsole
{
    /// <summary>Creates a console over <paramref name="output"/> and <paramref name="error"/>.</summary>
    public CliConsole(TextWriter output, TextWriter error, bool interactive)
    {
        Out = output;
        Error = error;
        Interactive = interactive;
        Ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
    }

    /// <summary>Standard output: results, tables, progress lines.</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error: one line per error.</summary>
    public TextWriter Error { get; }

    /// <summary>Whether a person watches a terminal (live progress bar, colours, rounded tables).</summary>
    public bool Interactive { get; }

    /// <summary>The Spectre console over <see cref="Out"/>, for tables and the progress bar.</summary>
    public IAnsiConsole Ansi { get; }

    /// <summary>The table border: rounded on a terminal, ASCII in logs.</summary>
    public TableBorder Border => Interactive ? TableBorder.Rounded : TableBorder.Ascii;

    /// <summary>The process's own console: interactive unless output is redirected, <c>CI</c> is set or the terminal is dumb.</summary>
    public static CliConsole ForProcess()
    {
        bool interactive = !Console.IsOutputRedirected
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))
            && Environment.GetEnvironmentVariable("TERM") != "dumb";
        // A terminal's writer stays the console's own, which Spectre recognises to size and colour the live display; a
        // redirected or closed one is wrapped so that a failed write names standard output.
        return new CliConsole(interactive ? Console.Out : new StandardStreamWriter(Console.Out, "standard output"),
            new StandardStreamWriter(Console.Error, "standard error"), interactive);
    }

    /// <summary>
    /// Writes a line for the person running the command (a mistake, a stop, a status) to <see cref="Error"/>. When standard
    /// error is closed the line is dropped: nothing could show it, and the exit code still tells.
    /// </summary>
    public void Tell(string line)
    {
        try
        {
            Error.WriteLine(line);
        }
        catch (UsageException)
        {
            // The process's standard error refused the write (StandardStreamWriter); a command's data written there, as
            // predict's --output /dev/stderr, goes through Error itself and fails the command.
        }
    }

    /// <summary>Writes a line of plain text to <see cref="Out"/> (through the live display on a terminal; unwrapped in a log).</summary>
    public void Line(string text = "")
    {
        if (Interactive)
            Ansi.WriteLine(text);
        else
            Out.WriteLine(text);
    }

    /// <summary>Writes a table: in a log whole however wide (a confusion matrix of many classes), on a terminal within its width.</summary>
    public void Write(Table table)
    {
        table.Border = Border;
        // A log has no width: the table's own, so that no row wraps. At a fixed 200 characters Spectre squeezed a wide
        // table's columns, cutting labels to 'c…' and breaking a count over two lines, which no reader or script takes back.
        if (!Interactive)
            Ansi.Profile.Width = ((IRenderable)table).Measure(RenderOptions.Create(Ansi), int.MaxValue).Max;
        Ansi.Write(table);
    }
}
