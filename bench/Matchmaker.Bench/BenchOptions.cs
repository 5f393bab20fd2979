using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Matchmaker.Bench;

/// <summary>
/// Option shapes the bench commands share. Numbers are read with the invariant culture, as the figures in
/// docs/benchmarks*.md were given, so a decimal point means the same on every machine.
/// </summary>
internal static class BenchOptions
{
    public static Option<int> Int(string name, int fallback, string description) =>
        new(name) { Description = description, DefaultValueFactory = _ => fallback, CustomParser = r => ParseInt(r) ?? fallback };

    /// <summary>An integer with no default: null when not given (the command then keeps its own setting).</summary>
    public static Option<int?> OptionalInt(string name, string description) =>
        new(name) { Description = description, CustomParser = ParseInt };

    public static Option<double> Real(string name, double fallback, string description) =>
        new(name) { Description = description, DefaultValueFactory = _ => fallback, CustomParser = r => ParseReal(r) ?? fallback };

    public static Option<double?> OptionalReal(string name, string description) =>
        new(name) { Description = description, CustomParser = ParseReal };

    public static Option<string?> Text(string name, string description, string? helpName = null) =>
        new(name) { Description = description, HelpName = helpName };

    public static Option<string> Choice(string name, string fallback, string description, params string[] values)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => fallback };
        option.AcceptOnlyFromAmong(values);
        return option;
    }

    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    /// <summary>`on` or `off`, as the evaluation commands have always spelled their switches; true for on.</summary>
    public static Option<string> OnOff(string name, bool fallback, string description) =>
        Choice(name, fallback ? "on" : "off", description, "on", "off");

    /// <summary>The optional data directory of the evaluation commands (a default beside the repository when left out).</summary>
    public static Argument<string?> DataDirectory(string dataSet) =>
        new("data-dir")
        {
            Description = $"the {dataSet} data directory (default: ../shared/data/{dataSet} beside the repository)",
            Arity = ArgumentArity.ZeroOrOne,
        };

    private static int? ParseInt(ArgumentResult result)
    {
        if (result.Tokens.Count == 0) return null;
        var value = result.Tokens[0].Value;
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)) return parsed;
        result.AddError($"{OptionName(result)}: '{value}' is not an integer");
        return null;
    }

    private static double? ParseReal(ArgumentResult result)
    {
        if (result.Tokens.Count == 0) return null;
        var value = result.Tokens[0].Value;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)) return parsed;
        result.AddError($"{OptionName(result)}: '{value}' is not a number");
        return null;
    }

    private static string OptionName(ArgumentResult result) => result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;
}
