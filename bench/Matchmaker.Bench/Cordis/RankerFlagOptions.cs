using System.CommandLine;
using Matchmaker.Engine.Matching;

namespace Matchmaker.Bench.Cordis;

/// <summary>
/// The learned ranker's settings as options of `cordis` and `horizon` (--iterations, --leaves, ...). A value is read
/// by <see cref="CordisCommand.ApplyRankerFlag"/>, as in a --ranker-sweep variant, and checked at parse time, so a
/// bad one is refused before any data is loaded.
/// </summary>
internal sealed class RankerFlagOptions
{
    private static readonly Dictionary<string, (string HelpName, string Description)> Help = new()
    {
        ["--iterations"] = ("N", "boosting iterations"),
        ["--leaves"] = ("N", "leaves per tree"),
        ["--negatives"] = ("N", "negative candidates sampled per training query"),
        ["--min-leaf"] = ("N", "minimum examples per leaf"),
        ["--learning-rate"] = ("X", "learning rate"),
        ["--trainer"] = ("lightgbm|fasttree", "the ranking trainer"),
        ["--ndcg-truncation"] = ("N", "NDCG truncation of the ranking objective"),
        ["--subsample"] = ("X", "fraction of rows each bagging round draws"),
        ["--subsample-frequency"] = ("N", "bagging every N iterations"),
        ["--l2"] = ("X", "L2 regularization"),
        ["--l1"] = ("X", "L1 regularization"),
        ["--max-bins"] = ("N", "maximum bins per feature"),
        ["--sigmoid"] = ("X", "sigmoid of the ranking objective"),
        ["--feature-fraction"] = ("X", "fraction of features each tree sees"),
        ["--label-decay"] = ("X", "weight decay of older label years"),
        ["--hard-negatives"] = ("N", "hard negatives per query, picked by a first model"),
        ["--seed"] = ("N", "seed of the negative sample and the trainer"),
    };

    /// <summary>The flags' names, also the words a --ranker-sweep variant may use.</summary>
    public static readonly IReadOnlySet<string> Names = Help.Keys.ToHashSet();

    private readonly Option<string?>[] _options = Help.Keys.Select(Create).ToArray();

    public void AddTo(Command command)
    {
        foreach (var option in _options) command.Options.Add(option);
    }

    /// <summary>The flags given on the command line, with their values.</summary>
    public IEnumerable<(string Flag, string Value)> Given(ParseResult result) =>
        _options.Select(o => (o.Name, Value: result.GetValue(o))).Where(f => f.Value is not null).Select(f => (f.Name, f.Value!));

    private static Option<string?> Create(string flag)
    {
        var (helpName, description) = Help[flag];
        var option = new Option<string?>(flag) { HelpName = helpName, Description = $"ranker: {description}" };
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 0) return;
            try
            {
                CordisCommand.ApplyRankerFlag(new RankerOptions(), flag, result.Tokens[0].Value);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
            {
                result.AddError($"{flag}: {e.Message}");
            }
        });
        return option;
    }
}
