using System.Globalization;

namespace FastNN.Benchmarks.Infrastructure;

/// <summary>
/// The words after a benchmark mode's name (<c>step --rounds 15 deep64</c>): options taken by name and the mode's
/// own words (workload names, prefixes, sections). Each accessor takes the words it recognizes and records what it
/// accepts; <see cref="Words"/> or <see cref="Finish"/> comes last and refuses any word no accessor took, with one
/// message listing everything the mode accepts.
/// </summary>
internal sealed class ModeArguments(string mode, string[] args)
{
    private readonly bool[] _taken = new bool[args.Length];
    private readonly List<string> _accepted = [];

    /// <summary>The mode's name, as the command line gave it.</summary>
    public string Mode => mode;

    /// <summary>The first word, an existing directory, as a full path.</summary>
    /// <param name="what">What the directory is, for the message.</param>
    /// <exception cref="UsageException">The first word is missing or not an existing directory.</exception>
    public string LeadingDirectory(string what)
    {
        if (args.Length == 0 || !System.IO.Directory.Exists(args[0]))
            throw new UsageException($"{mode} needs {what} first{(args.Length == 0 ? "" : $", not '{args[0]}'")}.");
        _taken[0] = true;
        return Path.GetFullPath(args[0]);
    }

    /// <summary><c>name N</c> with N a whole number from <paramref name="minimum"/> to <paramref name="maximum"/>; <paramref name="fallback"/> without it.</summary>
    public int Count(string name, int fallback, int minimum = 1, int maximum = int.MaxValue) =>
        Take(name, "N", text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= minimum && n <= maximum ? n : (int?)null,
            maximum == int.MaxValue ? $"a whole number of at least {minimum}" : $"a whole number from {minimum} to {maximum}").LastOrDefault() ?? fallback;

    /// <summary><c>name N</c>, a thread count: at most the processor count, which FastNN and OpenBLAS would quietly cap it at; 1 without it.</summary>
    public int Threads(string name) => Count(name, 1, maximum: Environment.ProcessorCount);

    /// <summary><c>name X</c> with X a positive number; <paramref name="fallback"/> without it.</summary>
    public double Number(string name, double fallback) =>
        Take(name, "X", text => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && x > 0 ? x : (double?)null,
            "a positive number").LastOrDefault() ?? fallback;

    /// <summary><c>name DIR</c> with DIR an existing directory, as a full path; null without it.</summary>
    public string? Directory(string name, string what = "an existing build output directory") =>
        Take(name, "DIR", text => System.IO.Directory.Exists(text) ? Path.GetFullPath(text) : null, what).LastOrDefault();

    /// <summary>Every <c>name TEXT</c> whose TEXT <paramref name="accepts"/>, in order (an option that may repeat).</summary>
    public List<string> Texts(string name, string what, Func<string, bool> accepts) =>
        Take(name, "TEXT", text => accepts(text) ? text : null, what);

    /// <summary><c>name TEXT</c> whose TEXT <paramref name="accepts"/>; null without it.</summary>
    public string? Text(string name, string what, Func<string, bool>? accepts = null) =>
        Texts(name, what, accepts ?? (_ => true)).LastOrDefault();

    /// <summary>Whether the flag <paramref name="name"/> is there.</summary>
    public bool Flag(string name)
    {
        _accepted.Add(name);
        bool found = false;
        for (int i = 0; i < args.Length; i++)
            if (!_taken[i] && args[i] == name)
                found = _taken[i] = true;
        return found;
    }

    /// <summary>The words not yet taken, each of which must be one <paramref name="accepts"/>; then as <see cref="Finish"/>.</summary>
    /// <param name="what">What the words are, for the message (e.g. "workload names: mlp64, mlp256, deep64").</param>
    /// <param name="accepts">Whether a word is one of the mode's own.</param>
    public List<string> Words(string what, Func<string, bool> accepts)
    {
        _accepted.Insert(0, what);
        var words = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (_taken[i] || args[i].StartsWith('-') || !accepts(args[i]))
                continue;
            words.Add(args[i]);
            _taken[i] = true;
        }
        Finish();
        return words;
    }

    /// <summary>The words naming some of <paramref name="names"/> exactly; all of them when none does. Then as <see cref="Finish"/>.</summary>
    public IReadOnlyList<string> Names(IReadOnlyList<string> names)
    {
        List<string> chosen = Words($"any of {string.Join(", ", names)}", names.Contains);
        return chosen.Count == 0 ? names : chosen;
    }

    /// <summary>
    /// The names among <paramref name="names"/> that one of the words names in full or starts; all of them when no word is
    /// given. A word that is a whole name chooses that name alone (<c>ce-step-64x10</c>, not also <c>ce-step-64x1024</c>).
    /// Then as <see cref="Finish"/>.
    /// </summary>
    /// <param name="names">Every workload's name.</param>
    /// <param name="example">Prefixes to show in the message (e.g. "add, relu-4M").</param>
    public string[] Prefixed(IEnumerable<string> names, string example)
    {
        string[] all = [.. names];
        List<string> prefixes = Words($"workload names or prefixes (e.g. {example})", word => all.Any(n => n.StartsWith(word, StringComparison.Ordinal)));
        return [.. all.Where(n => prefixes.Count == 0 || prefixes.Any(p => n == p || (n.StartsWith(p, StringComparison.Ordinal) && !all.Contains(p))))];
    }

    /// <summary>Refuses any word no accessor took.</summary>
    /// <exception cref="UsageException">A word is not one the mode accepts.</exception>
    public void Finish()
    {
        int unknown = Array.IndexOf(_taken, false);
        if (unknown >= 0)
            throw new UsageException($"{mode}: unknown argument '{args[unknown]}': expected {string.Join(", ", _accepted)}.");
    }

    /// <summary>Takes every <c>name VALUE</c> pair, parsing VALUE with <paramref name="parse"/> (null: refused).</summary>
    private List<TValue> Take<TValue>(string name, string placeholder, Func<string, TValue?> parse, string what)
    {
        _accepted.Add($"{name} {placeholder} ({what})");
        var values = new List<TValue>();
        for (int i = 0; i < args.Length; i++)
        {
            if (_taken[i] || args[i] != name)
                continue;
            TValue? value = i + 1 < args.Length ? parse(args[i + 1]) : default;
            if (value is null)
                throw new UsageException($"{mode}: {name} takes {what}{(i + 1 < args.Length ? $", not '{args[i + 1]}'" : " after it")}.");
            values.Add(value);
            _taken[i] = _taken[i + 1] = true;
        }
        return values;
    }
}
