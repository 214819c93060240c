using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace ImageCluster.Cli;

/// <summary>
/// Turns System.CommandLine's parse errors into one clear line each: an unknown command or option gets the nearest known
/// name, a value that does not convert says what was expected in words (never a .NET type name), an empty value is refused.
/// </summary>
internal static class ParseErrors
{
    /// <summary>The lines to print for <paramref name="parse"/>; empty when the command line is fine.</summary>
    public static List<string> Describe(ParseResult parse)
    {
        var lines = new List<string>();
        // A mistyped option lands in an optional FOLDER argument ('cluster --fetures x'): it is an unknown option all the same.
        var typo = parse.CommandResult.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens)
            .Select(t => t.Value).FirstOrDefault(LooksLikeOption);
        // The first unmatched token is the mistake; later ones are usually its value (--algoritm kmeans).
        if ((typo ?? parse.UnmatchedTokens.FirstOrDefault()) is { } unmatched) lines.Add(Unmatched(parse.CommandResult, unmatched));
        foreach (var error in parse.Errors)
        {
            // "Unrecognized command or argument" and "Required command was not provided" repeat the unmatched token.
            if (lines.Count > 0 && error.SymbolResult is CommandResult or null) continue;
            lines.Add(Rewrite(error));
        }
        foreach (var empty in EmptyValues(parse.RootCommandResult))
            lines.Add($"{empty} needs a value, not an empty string");
        return lines.Distinct().ToList();
    }

    private static bool LooksLikeOption(string token) =>
        token.Length > 1 && token[0] == '-' && !double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static string Unmatched(CommandResult at, string token)
    {
        var command = at.Command;
        string where = CommandPath(at);
        if (token.StartsWith('-'))
        {
            var names = KnownOptions(at).ToList();
            return $"unknown option '{token}' for '{where}'; " +
                   (Nearest(token, names) is { } near ? $"did you mean {near}?" : $"'{where} --help' lists its options");
        }
        if (command.Subcommands.Count > 0 && command.Arguments.Count == 0)
        {
            var names = command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name)).ToList();
            string prefix = command is RootCommand ? "" : where["imagecluster ".Length..] + " ";
            return $"unknown command '{prefix}{token}'; " +
                   (Nearest(token, names) is { } near ? $"did you mean '{prefix}{near}'?" : $"'{where} --help' lists the commands");
        }
        return $"unexpected argument '{token}' for '{where}'; '{where} --help' shows what it takes";
    }

    private static string CommandPath(CommandResult at)
    {
        var names = new List<string>();
        for (SymbolResult? r = at; r is not null; r = r.Parent)
            if (r is CommandResult c) names.Insert(0, c.Command is RootCommand ? "imagecluster" : c.Command.Name);
        return string.Join(' ', names);
    }

    /// <summary>Options of the command, and the recursive ones of its parents (--verbose, --help).</summary>
    private static IEnumerable<string> KnownOptions(CommandResult at)
    {
        for (SymbolResult? r = at; r is not null; r = r.Parent)
            if (r is CommandResult c)
                foreach (var option in c.Command.Options.Where(o => !o.Hidden && (c == at || o.Recursive)))
                    foreach (var name in option.Aliases.Prepend(option.Name))
                        yield return name;
    }

    /// <summary>
    /// The known name closest to <paramref name="token"/> by edit distance (adjacent swaps count as one edit), when it is
    /// close enough to be a typo: at most a third of the token's length (three letters or more); or the only name the token is a prefix of.
    /// </summary>
    internal static string? Nearest(string token, IReadOnlyCollection<string> names)
    {
        var best = names.Select(n => (Name: n, Distance: EditDistance(token.ToLowerInvariant(), n.ToLowerInvariant())))
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal).FirstOrDefault();
        int length = token.TrimStart('-').Length; // one or two letters (-x) are too short to guess from
        if (best.Name is not null && length >= 3 && best.Distance <= Math.Max(1, length / 3)) return best.Name;
        var prefixed = names.Where(n => token.TrimStart('-').Length >= 2 && n.StartsWith(token, StringComparison.OrdinalIgnoreCase)).Distinct().ToList();
        return prefixed.Count == 1 ? prefixed[0] : null;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions.</summary>
    internal static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }

    /// <summary>A value that did not convert, in words; any other error with its .NET type name cut out.</summary>
    private static string Rewrite(ParseError error)
    {
        if (error.SymbolResult is CommandResult { Command: { Action: null, Subcommands.Count: > 0 } group } at)
            return $"'{CommandPath(at)}' needs a command: {string.Join(", ", group.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}";
        var (name, type, token) = error.SymbolResult switch
        {
            ArgumentResult { Parent: OptionResult o } a => (o.Option.Name, o.Option.ValueType, a.Tokens.LastOrDefault()?.Value),
            OptionResult o => (o.Option.Name, o.Option.ValueType, o.Tokens.LastOrDefault()?.Value),
            ArgumentResult a => (a.Argument.Name.ToUpperInvariant(), a.Argument.ValueType, a.Tokens.LastOrDefault()?.Value),
            _ => (null, null, null),
        };
        if (name is not null && type is not null && token is not null && error.Message.StartsWith("Cannot parse argument", StringComparison.Ordinal))
            return $"{name}: {Expected(Nullable.GetUnderlyingType(type) ?? type, token)}";
        // No known shape: keep System.CommandLine's text but never its type names.
        return System.Text.RegularExpressions.Regex.Replace(error.Message, @" as expected type '[^']*'", "");
    }

    private static string Expected(Type type, string token)
    {
        if (type == typeof(int) || type == typeof(long))
        {
            var (min, max) = type == typeof(int) ? ((BigInteger)int.MinValue, (BigInteger)int.MaxValue) : (long.MinValue, long.MaxValue);
            return BigInteger.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
                ? $"{token} is out of range ({min}..{max})"
                : $"'{token}' is not a whole number";
        }
        if (type == typeof(double) || type == typeof(float)) return $"'{token}' is not a number";
        if (type == typeof(bool)) return $"'{token}' is not true or false (the option alone means true)";
        if (type.IsEnum) return $"'{token}' is not one of {string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant()))}";
        return $"'{token}' is not a valid value";
    }

    /// <summary>Options and arguments given an empty (or blank) text value: a path or a name can never be that.</summary>
    private static IEnumerable<string> EmptyValues(SymbolResult result)
    {
        if (result is OptionResult { Option.ValueType: var t } o && (t == typeof(string) || t == typeof(string[])) && o.Tokens.Any(x => string.IsNullOrWhiteSpace(x.Value)))
            yield return o.Option.Name;
        if (result is ArgumentResult { Parent: not OptionResult } a && a.Argument.ValueType == typeof(string) && a.Tokens.Any(x => string.IsNullOrWhiteSpace(x.Value)))
            yield return a.Argument.Name.ToUpperInvariant();
        if (result is CommandResult c)
            foreach (var child in c.Children)
                foreach (var name in EmptyValues(child))
                    yield return name;
    }
}
