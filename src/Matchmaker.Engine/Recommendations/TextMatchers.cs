using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;

namespace Matchmaker.Engine.Recommendations;

/// <summary>
/// The text matcher of the latest snapshot, built once per snapshot and shared by the rankers made for it. A
/// snapshot patched from the previous one (organizations edited or added) updates the previous index for the
/// changed organizations only; any other snapshot gets a new index. Thread-safe.
/// </summary>
/// <remarks>
/// Indexes of replaced snapshots are not disposed here: a recompute may still rank on them. They live in managed
/// memory and go with their last ranker.
/// </remarks>
public sealed class TextMatchers(TextMatchOptions? options = null)
{
    private readonly Lock _lock = new();
    private (GraphSnapshot Snapshot, TextMatcher? Matcher)? _last;

    public TextMatcher? For(GraphSnapshot snapshot)
    {
        lock (_lock)
        {
            if (_last is { } same && ReferenceEquals(same.Snapshot, snapshot)) return same.Matcher;
            TextMatcher? matcher;
            if (_last is { Matcher: { } previous } last && snapshot.IsPatchOf(last.Snapshot))
            {
                matcher = previous.Patch(snapshot, ChangedOrganizations(last.Snapshot, snapshot));
            }
            else
            {
                matcher = TextMatcher.Build(snapshot, options);
            }
            _last = (snapshot, matcher);
            return matcher;
        }
    }

    /// <summary>Organizations whose details differ (by reference: patches replace what changed) or that are new.</summary>
    private static List<int> ChangedOrganizations(GraphSnapshot before, GraphSnapshot after)
    {
        var changed = new List<int>();
        for (var o = 0; o < after.OrganizationCount; o++)
        {
            if (o >= before.OrganizationCount || !ReferenceEquals(before.Details[o], after.Details[o])) changed.Add(o);
        }
        return changed;
    }
}
