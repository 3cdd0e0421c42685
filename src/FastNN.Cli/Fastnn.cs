using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using FastNN.Cli.Commands;
using FastNN.Cli.Options;
using FastNN.Data;
using FastNN.IO;

namespace FastNN.Cli;

/// <summary>The <c>fastnn</c> command: its subcommands, and the mapping of failures to exit codes and one-line messages.</summary>
internal static class Fastnn
{
    /// <summary>Runs the command line <paramref name="args"/> against <paramref name="console"/> and returns the exit code.</summary>
    public static int Run(string[] args, CliConsole console)
    {
        // A command named fastnn rather than a RootCommand, which takes its name from the assembly (FastNN.Cli).
        var root = new Command("fastnn", "Train, evaluate and run neural networks on the CPU with FastNN.")
        {
            new HelpOption(),
            new VersionOption(),
            TrainCommand.Create(console),
            EvalCommand.Create(console),
            PredictCommand.Create(console),
            CvCommand.Create(console),
            GradflowCommand.Create(console),
            GradcheckCommand.Create(console),
            BenchCommand.Create(console),
            InfoCommand.Create(console),
        };
        UseNumberParsers(root);
        // No response files: a token starting with '@' is a value as written (--data @rows.csv), never a file of arguments.
        ParseResult parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Action is ParseErrorAction)
        {
            string command = parse.CommandResult.Command == root ? "fastnn" : $"fastnn {parse.CommandResult.Command.Name}";
            console.Tell($"fastnn: {ParseProblem.Describe(parse, root)} (see '{command} --help')");
            return ExitCode.Usage;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            // Help and --version write outside any command's guard: a closed standard output is told as there.
            Report(console, e);
            return ExitCode.Usage;
        }
    }

    // Numbers are read in the invariant culture, and a value that is not one is reported with the option's name
    // (the parser's own message names the CLR type, such as System.Nullable`1[System.Double]).
    private static void UseNumberParsers(Command command)
    {
        foreach (Option option in command.Options)
        {
            switch (option)
            {
                case Option<double> o: o.CustomParser = OptionValues.Number<double>(o.Name); break;
                case Option<double?> o: o.CustomParser = OptionValues.OptionalNumber<double>(o.Name); break;
                case Option<int> o: o.CustomParser = OptionValues.Number<int>(o.Name); break;
                case Option<int?> o: o.CustomParser = OptionValues.OptionalNumber<int>(o.Name); break;
            }
        }
        foreach (Command subcommand in command.Subcommands)
            UseNumberParsers(subcommand);
    }

    /// <summary>
    /// Runs a command's body: a user's mistake (bad option value, missing or malformed file) exits with 2, anything else
    /// with 1, each as one line on stderr and never a stack trace (set FASTNN_DEBUG=1 to see it).
    /// </summary>
    public static int Guard(CliConsole console, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsUsage(e))
        {
            Report(console, e);
            return ExitCode.Usage;
        }
        catch (InvalidOperationException e)
        {
            Report(console, e); // a run that failed as such (training diverged), told in the library's own words
            return ExitCode.Failure;
        }
        catch (Exception e)
        {
            Report(console, e, $"{e.GetType().Name}: ");
            return ExitCode.Failure;
        }
    }

    private static bool IsUsage(Exception e) =>
        e is UsageException or CsvFormatException or ModelFileException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException
            or ArgumentException;

    private static void Report(CliConsole console, Exception e, string prefix = "")
    {
        console.Tell($"fastnn: {prefix}{OneLine(e.Message)}");
        if (Environment.GetEnvironmentVariable("FASTNN_DEBUG") is "1")
            console.Tell(e.ToString());
    }

    /// <summary>
    /// A message on one line: every run of white space one space, and every other control character a '?' (a message
    /// may quote a binary file, whose escape sequences would otherwise reach the terminal).
    /// </summary>
    internal static string OneLine(string message) => Regex.Replace(Regex.Replace(message, @"\s+", " "), @"\p{Cc}", "?").Trim();
}
