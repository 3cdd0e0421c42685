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
                string[] owners = Owners(root, token);
                if (owners.Length > 0)
                    return $"'{token}' is an option of {And(owners)}: give the command first, then its options. The commands: {commands}.";
                (string kind, IEnumerable<string> names) = token.StartsWith('-')
                    ? ("an option", root.Options.Select(o => o.Name))
                    : ("a command", root.Subcommands.Select(c => c.Name));
                return $"'{token}' is not {kind}{(Closest(token, names) is string meant ? $"; did you mean '{meant}'?" : ".")} The commands: {commands}.";
            }
            if (parse.Tokens.Count == 0)
                return $"give a command: {commands}.";
        }
        if (BeforeTheCommand(parse, root, at) is string misplaced)
            return misplaced;
        IEnumerable<string> options = at.Options.Select(o => o.Name);
        IEnumerable<string> suggestions = parse.UnmatchedTokens
            .Where(token => token.StartsWith('-'))
            .Select(token => Closest(token, options) is string meant ? $" '{token}': did you mean '{meant}'?" : "");
        return string.Join(" ", parse.Errors.Select(Describe)) + string.Concat(suggestions) + StrayValue(parse, at);
    }

    // A value left over after an option's value (--layers 64 64, --epochs 10 20): the first one, with the option it
    // follows, and for an option that takes a list (its help names the entries with commas) the list as one value.
    private static string StrayValue(ParseResult parse, Command at)
    {
        IReadOnlyList<Token> tokens = parse.Tokens;
        for (int i = 2; i < tokens.Count; i++)
        {
            // An option the parser does not know is an argument to it too: named as such above, it is no stray value.
            if (tokens[i].Type != TokenType.Argument || tokens[i].Value.StartsWith('-') || tokens[i - 1].Type != TokenType.Argument
                || tokens[i - 2].Type != TokenType.Option)
                continue;
            Option? option = at.Options.FirstOrDefault(o => o.Name == tokens[i - 2].Value || o.Aliases.Contains(tokens[i - 2].Value));
            if (option is null || option.ValueType == typeof(bool) || option.Arity.MaximumNumberOfValues != 1)
                continue;
            if (option.HelpName?.Contains(',') != true)
                return $" '{tokens[i].Value}' follows the value of {option.Name}: an option takes one value.";
            IEnumerable<string> entries = tokens.Skip(i - 1).TakeWhile(t => t.Type == TokenType.Argument).Select(t => t.Value);
            return $" '{tokens[i].Value}' follows the value of {option.Name}: an option takes one value, and a list is one value, its entries separated by commas without spaces: {option.Name} {string.Join(',', entries)}";
        }
        return "";
    }

    // Options given before their command (fastnn --folds 3 cv): the parser finds the command but leaves them to the root,
    // which has no such option, and said "Unrecognized command or argument '--folds'", suggesting '--folds' itself. Named
    // here, with the command line in the right order (the command moved first), or, for an option the command does not
    // take, the commands that do.
    private static string? BeforeTheCommand(ParseResult parse, Command root, Command at)
    {
        int command = 0;
        while (command < parse.Tokens.Count && parse.Tokens[command].Type != TokenType.Command)
            command++;
        if (command == parse.Tokens.Count)
            return null;
        string[] options = OptionNames(parse.Tokens.Take(command), at);
        if (options.Length == 0)
            return null;
        if (options.FirstOrDefault(name => !Takes(at, name)) is string foreign)
        {
            string[] owners = Owners(root, foreign);
            return $"'{foreign}' comes before the command {at.Name}, and is not one of its options{(owners.Length > 0 ? $" (it is one of {And(owners)})" : "")}.";
        }
        IEnumerable<string> line = new[] { "fastnn", at.Name }.Concat(parse.Tokens.Where((_, i) => i != command).Select(t => ShellWord(t.Value)));
        return $"{And(options.Select(o => $"'{o}'").ToArray())} come{(options.Length == 1 ? "s" : "")} before the command {at.Name}: give the command first, then its options: {string.Join(" ", line)}";
    }

    // The option names among tokens given before the command: a token that begins with a dash is one unless it is the
    // value of the command's option before it (--seed -1, --label-column -y), which the parser, leaving both to the
    // root, does not tell.
    private static string[] OptionNames(IEnumerable<Token> tokens, Command command)
    {
        var names = new List<string>();
        bool value = false;
        foreach (Token token in tokens)
        {
            string name = token.Value.Split('=')[0];
            bool option = !value && token.Value.StartsWith('-');
            if (option)
                names.Add(name);
            value = option && name.Length == token.Value.Length
                && command.Options.FirstOrDefault(o => o.Name == name || o.Aliases.Contains(name)) is { } taken
                && taken.Arity.MaximumNumberOfValues > 0 && taken.ValueType != typeof(bool);
        }
        return [.. names];
    }

    private static bool Takes(Command command, string name) => command.Options.Any(o => o.Name == name || o.Aliases.Contains(name));

    // The commands that take the option <paramref name="name"/>.
    private static string[] Owners(Command root, string name) => root.Subcommands.Where(c => Takes(c, name)).Select(c => c.Name).ToArray();

    // "a", "a and b", "a, b and c".
    private static string And(string[] names) => names.Length == 1 ? names[0] : $"{string.Join(", ", names[..^1])} and {names[^1]}";

    // A token as a POSIX shell reads it back: as it is when it holds no character the shell treats specially, else quoted.
    private static string ShellWord(string token) =>
        token.Length > 0 && token.All(c => char.IsAsciiLetterOrDigit(c) || "-_./,:=@%+".Contains(c)) ? token : $"'{token.Replace("'", "'\\''", StringComparison.Ordinal)}'";

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

    // The one name a token begins (--label for --label-column, --test for --test-fraction rather than --task), else the
    // name nearest to a mistyped one (edit distance at most 2, and less than all but one of the name's letters, so that
    // 'ev' is not taken for 'cv'), else ours for a name other tools give it; or null. A command may have no names (info:
    // no options); MinBy of no tuples throws.
    private static string? Closest(string token, IEnumerable<string> names)
    {
        string[] all = [.. names];
        if (token.Length >= 5 && all.Where(name => name.StartsWith(token, StringComparison.Ordinal)).ToArray() is [string begun])
            return begun;
        (string Name, int Distance) best = all.Select(name => (name, Distance(token, name))).DefaultIfEmpty().MinBy(n => n.Item2);
        if (best.Name is not null && best.Distance <= 2 && best.Distance < best.Name.Length - 1)
            return best.Name;
        return OtherToolsNames.TryGetValue(token, out string? ours) && all.Contains(ours) ? ours : null;
    }

    // Options as scikit-learn (test_size), Keras and PyTorch (learning_rate, a target column) or other trainers (--output
    // for the model written) name them, where this command's names differ by more than a typo.
    private static readonly Dictionary<string, string> OtherToolsNames = new(StringComparer.Ordinal)
    {
        ["--target"] = "--label-column",
        ["--learning-rate"] = "--lr",
        ["--test-size"] = "--test-fraction",
        ["--output"] = "--save",
    };

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
