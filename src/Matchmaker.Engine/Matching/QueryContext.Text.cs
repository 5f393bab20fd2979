namespace Matchmaker.Engine.Matching;

public sealed partial class QueryContext
{
    // The matcher whose signals TextSignals holds for the current query; null until asked after each Prepare.
    private TextMatcher? _textPreparedBy;

    /// <summary>The current query's text signals (see <see cref="EnsureText"/>).</summary>
    public TextSignals Text { get; } = new();

    /// <summary>
    /// The current query's text signals from <paramref name="matcher"/>, computed on the first call after
    /// <see cref="Prepare(MatchQuery, int)"/>: the candidate generator and the pair features share one pass over the index.
    /// </summary>
    public TextSignals EnsureText(TextMatcher matcher)
    {
        if (ReferenceEquals(_textPreparedBy, matcher)) return Text;
        matcher.Prepare(this, Text);
        _textPreparedBy = matcher;
        return Text;
    }
}
