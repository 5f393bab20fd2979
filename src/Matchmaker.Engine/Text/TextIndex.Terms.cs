namespace Matchmaker.Engine.Text;

/// <summary>Per-term lookups on organization profiles: who holds a term, and how many (the consortium planner's coverage).</summary>
public sealed partial class TextIndex
{
    /// <summary>How many organizations' profiles (own text or any project's text) hold <paramref name="term"/> (an analyzed term of a <see cref="TextQuery"/>).</summary>
    public int ProfileFrequency(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        var id = _vocabulary.IdOf(term);
        return id < 0 || id >= _profileDocFrequency.Length ? 0 : _profileDocFrequency[id];
    }

    /// <summary>
    /// Where the organization's profile holds <paramref name="term"/>: how often its own text (names, description,
    /// capability and need tags) does, and how many of its projects' texts do.
    /// </summary>
    public (int Own, int Projects) Occurrences(int organization, string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        CheckOrganization(organization);
        var id = _vocabulary.IdOf(term);
        if (id < 0) return (0, 0);
        var projects = 0;
        var own = organization < _snapshot.OrganizationProjects.NodeCount ? _snapshot.OrganizationProjects[organization] : [];
        foreach (var p in own)
        {
            if (_shared.ProjectBags[p].CountOf(id) > 0) projects++;
        }
        return (_own[organization].CountOf(id), projects);
    }

    /// <summary>
    /// Every organization whose profile holds <paramref name="term"/>, ascending, each once: read from the profile
    /// postings, so it costs the term's document frequency, not the number of organizations.
    /// </summary>
    public int[] OrganizationsHolding(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var id = _vocabulary.IdOf(term);
        if (id < 0 || id >= _profileDocFrequency.Length || _profileDocFrequency[id] == 0) return [];
        var found = new List<int>(_profileDocFrequency[id]);
        for (var f = 0; f < FieldNames.Length; f++) found.AddRange(_postings.Value.Organizations(f, id));
        // One organization may hold the term in several fields: sorted, then each kept once.
        found.Sort();
        var distinct = 0;
        for (var i = 0; i < found.Count; i++)
        {
            if (i == 0 || found[i] != found[i - 1]) found[distinct++] = found[i];
        }
        return found.GetRange(0, distinct).ToArray();
    }
}
