using System.Diagnostics;
using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Graph;

/// <summary>
/// Collects organizations, projects and ties as flat arrays, then lays every relation out in one pass each.
/// Organizations must be added before the projects and ties that name them. Compact ids follow insertion order.
/// </summary>
public sealed class GraphSnapshotBuilder
{
    private readonly List<string> _orgIds = [];
    private readonly List<Organization?> _details = [];
    private readonly List<OrganizationKind> _kinds = [];
    private readonly List<int> _orgCity = [];
    private readonly List<int> _orgSectorFrom = [];
    private readonly List<int> _orgSectorTo = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly Interner _cities = new();
    private readonly Interner _sectors = new();

    private readonly List<string> _projectIds = [];
    private readonly List<short> _projectYears = [];
    private readonly List<ProjectText?> _projectTexts = [];
    private readonly List<int> _projectSectorFrom = [];
    private readonly List<int> _projectSectorTo = [];
    private readonly List<int> _memberProject = [];
    private readonly List<int> _memberOrg = [];
    private readonly List<byte> _memberRole = [];
    private readonly List<bool> _memberLead = [];
    private readonly List<float> _memberContribution = [];
    private readonly List<int>[] _tieFrom = [[], [], [], []];
    private readonly List<int>[] _tieTo = [[], [], [], []];

    public GraphSnapshotBuilder()
    {
        // The G60 vocabulary comes first so that its indexes are the same in every snapshot built from a store.
        foreach (var city in G60Catalog.Cities) _cities.Intern(city.Code);
        foreach (var sector in G60Catalog.Sectors) _sectors.Intern(sector.Code);
    }

    public int OrganizationCount => _orgIds.Count;

    public int Add(Organization organization) =>
        AddOrganization(organization.Id, organization.Kind, organization.City, organization.Sectors, organization);

    public int AddOrganization(string id, OrganizationKind kind, string city, IEnumerable<string> sectors, Organization? details = null)
    {
        var o = _orgIds.Count;
        if (!_index.TryAdd(id, o)) throw new InvalidOperationException($"Organization '{id}' was added twice.");
        _orgIds.Add(id);
        _details.Add(details);
        _kinds.Add(kind);
        _orgCity.Add(_cities.Intern(city));
        foreach (var s in sectors)
        {
            _orgSectorFrom.Add(o);
            _orgSectorTo.Add(_sectors.Intern(s));
        }
        return o;
    }

    public int IndexOf(string id) => _index.GetValueOrDefault(id, -1);

    public void Add(Project project) =>
        AddProject(project.Id, project.Year, [project.Sector],
            project.Members.Select((m, i) => new Membership(m.OrganizationId, m.Role, i == 0, float.NaN)), ProjectText.Of(project));

    public readonly record struct Membership(string OrganizationId, ConsortiumRole? Role, bool IsLead, float Contribution);

    public int AddProject(string id, int year, IEnumerable<string> sectors, IEnumerable<Membership> members, ProjectText? text = null)
    {
        var p = _projectIds.Count;
        _projectIds.Add(id);
        _projectYears.Add((short)year);
        _projectTexts.Add(text);
        foreach (var s in sectors)
        {
            _projectSectorFrom.Add(p);
            _projectSectorTo.Add(_sectors.Intern(s));
        }
        foreach (var m in members)
        {
            // A store guarantees members exist; a member missing here would be a bug upstream, so fail loudly.
            if (!_index.TryGetValue(m.OrganizationId, out var o)) throw new InvalidOperationException($"Project '{id}' names unknown organization '{m.OrganizationId}'.");
            _memberProject.Add(p);
            _memberOrg.Add(o);
            _memberRole.Add((byte)(m.Role ?? 0));
            _memberLead.Add(m.IsLead);
            _memberContribution.Add(m.Contribution);
        }
        return p;
    }

    public void Add(Tie tie)
    {
        if (!_index.TryGetValue(tie.From, out var from) || !_index.TryGetValue(tie.To, out var to))
        {
            throw new InvalidOperationException($"Tie {tie.From} -> {tie.To} names an unknown organization.");
        }
        _tieFrom[(int)tie.Type].Add(from);
        _tieTo[(int)tie.Type].Add(to);
    }

    internal sealed record Parts(
        string[] OrganizationIds, Organization?[] Details, OrganizationKind[] Kinds, int[] OrganizationCities, Csr OrganizationSectors,
        string[] CityCodes, string[] SectorCodes, string[] ProjectIds, short[] ProjectYears, ProjectText?[] ProjectTexts, Csr ProjectSectors, Csr ProjectMembers,
        byte[] MemberRoles, bool[] MemberIsLead, float[] MemberContributions, Csr OrganizationProjects, Csr Partners,
        int[] PartnerJointProjects, short[] PartnerLastYear, Csr[] TiesOut, Csr[] TiesIn,
        Dictionary<string, int> IndexById, Dictionary<string, int> ProjectIndexById);

    public GraphSnapshot Build(DateTimeOffset builtAt)
    {
        var n = _orgIds.Count;
        var projectCount = _projectIds.Count;
        var memberProject = _memberProject.ToArray();
        var memberOrg = _memberOrg.ToArray();
        var years = _projectYears.ToArray();

        var projectMembers = Csr.FromPairs(projectCount, memberProject, memberOrg, out var order);
        var roles = new byte[order.Length];
        var lead = new bool[order.Length];
        var money = new float[order.Length];
        for (var i = 0; i < order.Length; i++)
        {
            roles[i] = _memberRole[order[i]];
            lead[i] = _memberLead[order[i]];
            money[i] = _memberContribution[order[i]];
        }
        var organizationProjects = Csr.FromPairs(n, memberOrg, memberProject, out _);
        var (partners, joint, last) = BuildPartners(n, projectMembers, years);

        var tiesOut = new Csr[4];
        var tiesIn = new Csr[4];
        for (var t = 0; t < 4; t++)
        {
            tiesOut[t] = Csr.FromPairs(n, _tieFrom[t].ToArray(), _tieTo[t].ToArray(), out _);
            tiesIn[t] = Csr.FromPairs(n, _tieTo[t].ToArray(), _tieFrom[t].ToArray(), out _);
        }

        var projectIndex = new Dictionary<string, int>(projectCount, StringComparer.Ordinal);
        for (var p = 0; p < projectCount; p++) projectIndex[_projectIds[p]] = p;

        return new GraphSnapshot(new Parts(
            _orgIds.ToArray(), _details.ToArray(), _kinds.ToArray(), _orgCity.ToArray(),
            Csr.FromPairs(n, _orgSectorFrom.ToArray(), _orgSectorTo.ToArray(), out _),
            _cities.ToArray(), _sectors.ToArray(), _projectIds.ToArray(), years, _projectTexts.ToArray(),
            Csr.FromPairs(projectCount, _projectSectorFrom.ToArray(), _projectSectorTo.ToArray(), out _),
            projectMembers, roles, lead, money, organizationProjects, partners, joint, last, tiesOut, tiesIn,
            new Dictionary<string, int>(_index, StringComparer.Ordinal), projectIndex), builtAt);
    }

    /// <summary>
    /// Co-membership edges: every ordered pair of members of every project, bucketed by its first member and each
    /// bucket sorted by the second, so that repeated partnerships collapse into a count and a latest year. Buckets
    /// are small and sorted on every core (one global sort of all pairs took most of a large build).
    /// </summary>
    private static (Csr Partners, int[] Joint, short[] LastYear) BuildPartners(int n, Csr projectMembers, short[] years)
    {
        var pairOffsets = new long[n + 1];
        for (var p = 0; p < projectMembers.NodeCount; p++)
        {
            var d = projectMembers.Degree(p);
            foreach (var m in projectMembers[p]) pairOffsets[m + 1] += d - 1;
        }
        for (var i = 0; i < n; i++) pairOffsets[i + 1] += pairOffsets[i];
        if (pairOffsets[n] > Array.MaxLength) throw new InvalidOperationException($"Too many co-membership pairs ({pairOffsets[n]}).");
        var pairTargets = new int[pairOffsets[n]];
        var pairYears = new short[pairOffsets[n]];
        var cursor = new long[n];
        Array.Copy(pairOffsets, cursor, n);
        for (var p = 0; p < projectMembers.NodeCount; p++)
        {
            var members = projectMembers[p];
            for (var i = 0; i < members.Length; i++)
            {
                var at = cursor[members[i]];
                for (var j = 0; j < members.Length; j++)
                {
                    if (i == j) continue;
                    pairTargets[at] = members[j];
                    pairYears[at] = years[p];
                    at++;
                }
                cursor[members[i]] = at;
            }
        }

        // Sort each bucket by partner and count its distinct partners.
        var distinct = new int[n];
        Parallel.For(0, n, o =>
        {
            var from = (int)pairOffsets[o];
            var length = (int)(pairOffsets[o + 1] - pairOffsets[o]);
            if (length == 0) return;
            Array.Sort(pairTargets, pairYears, from, length);
            var count = 1;
            for (var i = from + 1; i < from + length; i++)
            {
                if (pairTargets[i] != pairTargets[i - 1]) count++;
            }
            distinct[o] = count;
        });

        var offsets = new int[n + 1];
        for (var o = 0; o < n; o++) offsets[o + 1] = offsets[o] + distinct[o];
        var targets = new int[offsets[n]];
        var joint = new int[offsets[n]];
        var last = new short[offsets[n]];
        Parallel.For(0, n, o =>
        {
            var e = offsets[o] - 1;
            for (var i = pairOffsets[o]; i < pairOffsets[o + 1]; i++)
            {
                if (i == pairOffsets[o] || pairTargets[i] != pairTargets[i - 1])
                {
                    e++;
                    targets[e] = pairTargets[i];
                    last[e] = short.MinValue;
                }
                joint[e]++;
                if (pairYears[i] > last[e]) last[e] = pairYears[i];
            }
            Debug.Assert(e == offsets[o + 1] - 1);
        });
        return (new Csr(offsets, targets), joint, last);
    }

    private sealed class Interner
    {
        private readonly Dictionary<string, int> _map = new(StringComparer.Ordinal);
        private readonly List<string> _values = [];

        public int Intern(string value)
        {
            if (_map.TryGetValue(value, out var i)) return i;
            _map[value] = _values.Count;
            _values.Add(value);
            return _values.Count - 1;
        }

        public string[] ToArray() => _values.ToArray();
    }
}
