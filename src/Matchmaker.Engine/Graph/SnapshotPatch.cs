using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Graph;

/// <summary>
/// Cheap deltas for the commonest write: an organization created or its attributes changed (names, kind, city,
/// sectors, capabilities, needs). The patched snapshot shares every relation array with the original and copies
/// only the per-organization arrays (O(organizations), milliseconds at 100k), so an edit reaches the
/// recommendations without rebuilding the whole graph. Structural changes (projects, ties, deletions) rebuild.
/// </summary>
public static class SnapshotPatch
{
    public static GraphSnapshot WithOrganizations(this GraphSnapshot snapshot, IReadOnlyCollection<Organization> organizations, DateTimeOffset builtAt)
    {
        var parts = snapshot.Parts;
        var added = organizations.Where(o => snapshot.IndexOf(o.Id) < 0).Select(o => o.Id).Distinct(StringComparer.Ordinal).ToList();
        var n = parts.OrganizationIds.Length + added.Count;
        var ids = parts.OrganizationIds.Concat(added).ToArray();
        var index = new Dictionary<string, int>(parts.IndexById, StringComparer.Ordinal);
        for (var i = 0; i < added.Count; i++) index[added[i]] = parts.OrganizationIds.Length + i;
        var details = Grow(parts.Details, n);
        var kinds = Grow(parts.Kinds, n);
        var cities = Grow(parts.OrganizationCities, n);
        var cityCodes = parts.CityCodes.ToList();
        var sectorCodes = parts.SectorCodes.ToList();
        foreach (var o in organizations)
        {
            var i = index[o.Id];
            details[i] = o;
            kinds[i] = o.Kind;
            cities[i] = Intern(cityCodes, o.City);
        }
        var sectorFrom = new List<int>();
        var sectorTo = new List<int>();
        for (var i = 0; i < n; i++)
        {
            var own = details[i]?.Sectors.Select(s => Intern(sectorCodes, s))
                ?? (i < parts.OrganizationSectors.NodeCount ? parts.OrganizationSectors[i].ToArray() : []);
            foreach (var s in own)
            {
                sectorFrom.Add(i);
                sectorTo.Add(s);
            }
        }
        return new GraphSnapshot(parts with
        {
            OrganizationIds = ids,
            Details = details,
            Kinds = kinds,
            OrganizationCities = cities,
            OrganizationSectors = Csr.FromPairs(n, sectorFrom.ToArray(), sectorTo.ToArray(), out _),
            CityCodes = cityCodes.ToArray(),
            SectorCodes = sectorCodes.ToArray(),
            OrganizationProjects = Extend(parts.OrganizationProjects, n),
            Partners = Extend(parts.Partners, n),
            TiesOut = parts.TiesOut.Select(t => Extend(t, n)).ToArray(),
            TiesIn = parts.TiesIn.Select(t => Extend(t, n)).ToArray(),
            IndexById = index,
        }, builtAt);
    }

    private static T[] Grow<T>(T[] source, int length)
    {
        var copy = new T[length];
        Array.Copy(source, copy, source.Length);
        return copy;
    }

    /// <summary>The same edges with empty rows appended for new nodes; the targets array is shared.</summary>
    private static Csr Extend(Csr csr, int nodeCount)
    {
        if (csr.NodeCount == nodeCount) return csr;
        var offsets = new int[nodeCount + 1];
        Array.Copy(csr.Offsets, offsets, csr.Offsets.Length);
        for (var i = csr.Offsets.Length; i < offsets.Length; i++) offsets[i] = csr.EdgeCount;
        return new Csr(offsets, csr.Targets);
    }

    private static int Intern(List<string> codes, string code)
    {
        var i = codes.IndexOf(code);
        if (i >= 0) return i;
        codes.Add(code);
        return codes.Count - 1;
    }
}
