using System.CommandLine;
using System.CommandLine.Parsing;

namespace FastNN.Cli;

/// <summary>
/// A command line the parser refused, as one line: its errors, each naming its option; at the root, which has no option
/// to name, the commands there are; and for a name it does not know, the command or option likely meant.
/// </summary>
internal static class ParseProblem
{
    /// <summary>The line for <paramref name="parse"/>'s errors, without the "fastnn: " prefix and the pointer to the help.</summary>
    public static string Describe(ParseResult parse, Command root)
    {
        Command at = parse.CommandResult.Command;
        if (at == root)
        {
            // The parser says "Required command was not provided" of 'fastnn' alone, and also of 'fastnn trian'.
            string commands = $"{string.Join(", ", root.Subcommands.SkipLast(1).Select(c => c.Name))} or {root.Subcommands[^1].Name}";
            if (parse.UnmatchedTokens.Count > 0)
            {
                // A name with a dash is a mistyped option of the root's own (--version, --help), not a command.
                string token = parse.UnmatchedTokens[0];
                // One of the commands' options (fastnn --data d.csv) comes after its command: "not an option" would be untrue.
                string[] owners = root.Subcommands.Where(c => c.Options.Any(o => o.Name == token || o.Aliases.Contains(token))).Select(c => c.Name).ToArray();
                if (owners.Length > 0)
                    return $"'{token}' is an option of {(owners.Length == 1 ? owners[0] : $"{string.Join(", ", owners[..^1])} and {owners[^1]}")}: give the command first, then its options. The commands: {commands}.";
                (string kind, IEnumerable<string> names) = token.StartsWith('-')
                    ? ("an option", root.Options.Select(o => o.Name))
                    : ("a command", root.Subcommands.Select(c => c.Name));
                return $"'{token}' is not {kind}{(Closest(token, names) is string meant ? $"; did you mean '{meant}'?" : ".")} The commands: {commands}.";
            }
            if (parse.Tokens.Count == 0)
                return $"give a command: {commands}.";
        }
        IEnumerable<string> options = at.Options.Select(o => o.Name);
        IEnumerable<string> suggestions = parse.UnmatchedTokens
            .Where(token => token.StartsWith('-'))
            .Select(token => Closest(token, options) is string meant ? $" '{token}': did you mean '{meant}'?" : "");
        return string.Join(" ", parse.Errors.Select(Describe)) + string.Concat(suggestions);
    }

    // A parse error names its option: the parser's own message for a value outside a list does not.
    private static string Describe(ParseError error)
    {
        string message = Fastnn.OneLine(error.Message);
        Option? option = error.SymbolResult switch
        {
            OptionResult o => o.Option,
            ArgumentResult { Parent: OptionResult o } => o.Option,
            _ => null,
        };
        return option is null || message.Contains(option.Name, StringComparison.Ordinal) ? message : $"{option.Name}: {message}";
    }

    // The name nearest to a mistyped one (edit distance at most 2, and less than all but one of the name's letters, so
    // that 'ev' is not taken for 'cv'), or null. A command may have no names (info: no options); MinBy of no tuples throws.
    private static string? Closest(string token, IEnumerable<string> names)
    {
        (string Name, int Distance) best = names.Select(name => (name, Distance(token, name))).DefaultIfEmpty().MinBy(n => n.Item2);
        return best.Name is not null && best.Distance <= 2 && best.Distance < best.Name.Length - 1 ? best.Name : null;
    }

    // Levenshtein distance: the fewest insertions, deletions and substitutions that turn a into b (one row kept).
    private static int Distance(string a, string b)
    {
        int[] row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(above, row[j - 1]) + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
