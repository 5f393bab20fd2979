using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;

namespace Matchmaker.Engine.Recommendations;

/// <summary>
/// The text matcher of the latest snapshot, built once per snapshot and shared by the rankers made for it. A
/// snapshot patched from the previous one (organizations edited or added) updates the previous index for the
/// changed organizations only; any other snapshot gets a new index. Thread-safe.
/// </summary>
/// <remarks>
/// A build runs outside the lock: callers asking for the snapshot being indexed wait for that one build (never one
/// each), and callers still ranking on the snapshot before it get its matcher at once. A failed build is forgotten,
/// so the next caller tries again. Indexes of replaced snapshots are not disposed here: a recompute may still rank
/// on them. They live in managed memory and go with their last ranker.
/// </remarks>
public sealed class TextMatchers(TextMatchOptions? options = null)
{
    private readonly Lock _lock = new();
    // The latest snapshot's matcher and the one before it (what rankers made just before a rebuild still ask for).
    private Entry? _latest;
    private Entry? _previous;

    /// <summary>How many indexes were built or patched: a build shared by concurrent callers counts once.</summary>
    public int Builds => Volatile.Read(ref _builds);
    private int _builds;

    public TextMatcher? For(GraphSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Entry entry;
        lock (_lock)
        {
            if (_latest is { } latest && ReferenceEquals(latest.Snapshot, snapshot)) entry = latest;
            else if (_previous is { } previous && ReferenceEquals(previous.Snapshot, snapshot)) entry = previous;
            else
            {
                var basis = _latest;
                entry = new Entry(snapshot, new Lazy<TextMatcher?>(() => Make(basis, snapshot), LazyThreadSafetyMode.ExecutionAndPublication));
                _previous = _latest;
                _latest = entry;
            }
        }
        try
        {
            return entry.Matcher.Value;
        }
        catch
        {
            lock (_lock)
            {
                if (ReferenceEquals(_latest, entry)) (_latest, _previous) = (_previous, null);
                else if (ReferenceEquals(_previous, entry)) _previous = null;
            }
            throw;
        }
    }

    private TextMatcher? Make(Entry? basis, GraphSnapshot snapshot)
    {
        Interlocked.Increment(ref _builds);
        // A patch reads the previous index (waiting for its build if it still runs); a failed one is no basis.
        TextMatcher? previous = null;
        if (basis is not null && snapshot.IsPatchOf(basis.Snapshot))
        {
            try
            {
                previous = basis.Matcher.Value;
            }
            catch (Exception)
            {
                previous = null;
            }
        }
        return previous is not null
            ? previous.Patch(snapshot, ChangedOrganizations(basis!.Snapshot, snapshot))
            : TextMatcher.Build(snapshot, options);
    }

    private sealed record Entry(GraphSnapshot Snapshot, Lazy<TextMatcher?> Matcher);

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
