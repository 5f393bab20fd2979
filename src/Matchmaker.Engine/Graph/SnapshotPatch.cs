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
        var ids = added.Count == 0 ? parts.OrganizationIds : parts.OrganizationIds.Concat(added).ToArray();
        // The id index is copied only when organizations are added (it is the largest per-organization structure).
        var index = parts.IndexById;
        if (added.Count > 0)
        {
            index = new Dictionary<string, int>(parts.IndexById, StringComparer.Ordinal);
            for (var i = 0; i < added.Count; i++) index[added[i]] = parts.OrganizationIds.Length + i;
        }
        var details = Grow(parts.Details, n);
        var kinds = Grow(parts.Kinds, n);
        var cities = Grow(parts.OrganizationCities, n);
        var cityCodes = parts.CityCodes.ToList();
        var sectorCodes = parts.SectorCodes.ToList();
        var sectorsOf = new Dictionary<int, int[]>();
        foreach (var o in organizations)
        {
            var i = index[o.Id];
            details[i] = o;
            kinds[i] = o.Kind;
            cities[i] = Intern(cityCodes, o.City);
            sectorsOf[i] = o.Sectors.Select(s => Intern(sectorCodes, s)).ToArray();
        }
        return new GraphSnapshot(parts with
        {
            OrganizationIds = ids,
            Details = details,
            Kinds = kinds,
            OrganizationCities = cities,
            OrganizationSectors = WithRows(parts.OrganizationSectors, n, sectorsOf),
            CityCodes = cityCodes.ToArray(),
            SectorCodes = sectorCodes.ToArray(),
            OrganizationProjects = Extend(parts.OrganizationProjects, n),
            Partners = Extend(parts.Partners, n),
            TiesOut = parts.TiesOut.Select(t => Extend(t, n)).ToArray(),
            TiesIn = parts.TiesIn.Select(t => Extend(t, n)).ToArray(),
            IndexById = index,
        }, builtAt);
    }

    /// <summary>The same rows, with the given rows replaced (or appended); a linear copy, no re-sorting of other rows.</summary>
    private static Csr WithRows(Csr csr, int nodeCount, Dictionary<int, int[]> rows)
    {
        var offsets = new int[nodeCount + 1];
        var edges = csr.EdgeCount;
        foreach (var (node, row) in rows) edges += row.Length - (node < csr.NodeCount ? csr.Degree(node) : 0);
        var targets = new int[edges];
        var at = 0;
        for (var node = 0; node < nodeCount; node++)
        {
            offsets[node] = at;
            if (rows.TryGetValue(node, out var row))
            {
                // Rows of a CSR are sorted (see Csr.FromPairs).
                var sorted = row.Order().ToArray();
                sorted.CopyTo(targets, at);
                at += sorted.Length;
            }
            else if (node < csr.NodeCount)
            {
                csr[node].CopyTo(targets.AsSpan(at));
                at += csr.Degree(node);
            }
        }
        offsets[nodeCount] = at;
        return new Csr(offsets, at == targets.Length ? targets : targets[..at]);
    }

    /// <summary>
    /// True when <paramref name="snapshot"/> was made from <paramref name="original"/> by <see cref="WithOrganizations"/>
    /// (directly or through several patches): it shares the original's projects and memberships and keeps its
    /// organizations at the same compact ids.
    /// </summary>
    public static bool IsPatchOf(this GraphSnapshot snapshot, GraphSnapshot original) =>
        ReferenceEquals(snapshot.ProjectMembers, original.ProjectMembers)
        && ReferenceEquals(snapshot.Partners.Targets, original.Partners.Targets)
        && snapshot.OrganizationCount >= original.OrganizationCount;

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
