using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Matching;

/// <summary>
/// Everything about one query organization that pair features and candidate generation read: its partners with
/// their joint-project details and its two-hop neighbourhood (common partners, Adamic-Adar, resource allocation),
/// as dense arrays over the snapshot's organizations. One instance per thread; <see cref="Prepare"/> resets only
/// what the previous query touched, so a query costs its neighbourhood, not the graph.
/// </summary>
public sealed class QueryContext
{
    private readonly List<int> _touched = [];
    private readonly List<int> _touchedTwoHop = [];

    public QueryContext(SnapshotStats stats)
    {
        Stats = stats;
        var n = stats.Snapshot.OrganizationCount;
        Joint = new float[n];
        JointWeighted = new float[n];
        LastJointYear = new short[n];
        JointInSector = new float[n];
        JointQueryLed = new float[n];
        JointCandidateLed = new float[n];
        JointInverseSize = new float[n];
        CommonPartners = new float[n];
        AdamicAdar = new float[n];
        ResourceAllocation = new float[n];
        CappedAdamicAdar = new float[n];
        TwoHopRecent = new float[n];
        TwoHopInSectors = new float[n];
        TwoHopRecentInSectors = new float[n];
        ConsortiumKindShare = new float[8];
        PartnerKindShare = new float[8];
        PartnerCityShare = new float[stats.Snapshot.CityCodes.Length];
        QuerySectorMark = new bool[stats.Snapshot.SectorCodes.Length];
    }

    public SnapshotStats Stats { get; }
    public GraphSnapshot Snapshot => Stats.Snapshot;
    public MatchQuery Query { get; private set; } = new(0, [], 0);
    public int HubCap { get; private set; }

    public float[] Joint { get; }
    public float[] JointWeighted { get; }
    public short[] LastJointYear { get; }
    public float[] JointInSector { get; }
    public float[] JointQueryLed { get; }
    public float[] JointCandidateLed { get; }
    public float[] JointInverseSize { get; }
    public float[] CommonPartners { get; }
    public float[] AdamicAdar { get; }
    public float[] ResourceAllocation { get; }
    /// <summary>Adamic-Adar through intermediaries with at most <see cref="HubCap"/> partners (for candidate generation).</summary>
    public float[] CappedAdamicAdar { get; }
    /// <summary>
    /// Partners of partners through their projects, weighted by how recent both ties are: over the query's
    /// non-hub partners z and each project p of z with b, 0.5^(age of the z-p project) × 0.5^(age of the last
    /// query-z project) / ln(partners of z).
    /// </summary>
    public float[] TwoHopRecent { get; }
    /// <summary>Partners of partners through projects in the query's fields only: over non-hub z, 1 / ln(partners of z) per such project.</summary>
    public float[] TwoHopInSectors { get; }
    /// <summary><see cref="TwoHopRecent"/> through projects in the query's fields only.</summary>
    public float[] TwoHopRecentInSectors { get; }
    /// <summary>The query organization's usual consortia: share of the other members of its projects by kind (index = (int)kind).</summary>
    public float[] ConsortiumKindShare { get; }
    public float[] PartnerKindShare { get; }
    public float[] PartnerCityShare { get; }
    public bool[] QuerySectorMark { get; }
    /// <summary>Organizations with any two-hop score.</summary>
    public IReadOnlyList<int> TwoHop => _touchedTwoHop;
    /// <summary>The query organization's partners.</summary>
    public ReadOnlySpan<int> Partners => Snapshot.Partners[Query.Organization];

    public void Prepare(MatchQuery query, int hubCap = 1000)
    {
        Reset();
        Query = query;
        HubCap = hubCap;
        var g = Snapshot;
        var a = query.Organization;
        foreach (var s in query.Sectors) QuerySectorMark[s] = true;

        var partners = g.Partners;
        for (var e = partners.Offsets[a]; e < partners.Offsets[a + 1]; e++)
        {
            var b = partners.Targets[e];
            Joint[b] = g.PartnerJointProjects[e];
            LastJointYear[b] = g.PartnerLastYear[e];
            _touched.Add(b);
            PartnerKindShare[(int)g.Kinds[b]]++;
            PartnerCityShare[g.OrganizationCities[b]]++;
        }
        var degree = partners.Degree(a);
        if (degree > 0)
        {
            for (var k = 0; k < PartnerKindShare.Length; k++) PartnerKindShare[k] /= degree;
            for (var c = 0; c < PartnerCityShare.Length; c++) PartnerCityShare[c] /= degree;
        }

        // Joint-project details come from the query's own projects: one pass over their members.
        var members = g.ProjectMembers;
        var latest = Stats.LatestYear;
        float consortiumMembers = 0;
        foreach (var p in g.OrganizationProjects[a])
        {
            var size = members.Degree(p);
            if (size < 2) continue;
            foreach (var m in members[p])
            {
                if (m == a) continue;
                ConsortiumKindShare[(int)g.Kinds[m]]++;
                consortiumMembers++;
            }
            var weight = MathF.Pow(0.5f, latest - g.ProjectYears[p]);
            var inSector = false;
            foreach (var s in g.ProjectSectors[p]) inSector |= QuerySectorMark[s];
            var queryLed = false;
            for (var e = members.Offsets[p]; e < members.Offsets[p + 1]; e++)
            {
                if (members.Targets[e] == a) queryLed = g.MemberIsLead[e];
            }
            for (var e = members.Offsets[p]; e < members.Offsets[p + 1]; e++)
            {
                var b = members.Targets[e];
                if (b == a) continue;
                JointWeighted[b] += weight;
                if (inSector) JointInSector[b]++;
                if (queryLed) JointQueryLed[b]++;
                if (g.MemberIsLead[e]) JointCandidateLed[b]++;
                JointInverseSize[b] += 1f / (size - 1);
            }
        }

        if (consortiumMembers > 0)
        {
            for (var k = 0; k < ConsortiumKindShare.Length; k++) ConsortiumKindShare[k] /= consortiumMembers;
        }

        foreach (var z in partners[a])
        {
            var dz = partners.Degree(z);
            if (dz < 2) continue;
            var aa = 1f / MathF.Log(dz);
            var ra = 1f / dz;
            var capped = dz <= hubCap;
            foreach (var b in partners[z])
            {
                if (b == a) continue;
                if (CommonPartners[b] == 0) _touchedTwoHop.Add(b);
                CommonPartners[b]++;
                AdamicAdar[b] += aa;
                ResourceAllocation[b] += ra;
                if (capped) CappedAdamicAdar[b] += aa;
            }
            if (!capped) continue;
            // Every member of z's projects is a partner of z, so b is already among the touched two-hop organizations.
            var tie = aa * MathF.Pow(0.5f, latest - LastJointYear[z]);
            foreach (var p in g.OrganizationProjects[z])
            {
                var recent = tie * MathF.Pow(0.5f, latest - g.ProjectYears[p]);
                var inSector = false;
                foreach (var s in g.ProjectSectors[p]) inSector |= QuerySectorMark[s];
                for (var e = members.Offsets[p]; e < members.Offsets[p + 1]; e++)
                {
                    var b = members.Targets[e];
                    if (b == a || b == z) continue;
                    TwoHopRecent[b] += recent;
                    if (!inSector) continue;
                    TwoHopInSectors[b] += aa;
                    TwoHopRecentInSectors[b] += recent;
                }
            }
        }
    }

    /// <summary>Shortest path length from the query organization, up to 3; 4 stands for "further or unreachable".</summary>
    public int PathLength(int b)
    {
        if (b == Query.Organization) return 0;
        if (Joint[b] > 0) return 1;
        if (CommonPartners[b] > 0) return 2;
        foreach (var z in Snapshot.Partners[b])
        {
            if (CommonPartners[z] > 0) return 3;
        }
        return 4;
    }

    private void Reset()
    {
        foreach (var b in _touched)
        {
            Joint[b] = 0;
            JointWeighted[b] = 0;
            LastJointYear[b] = 0;
            JointInSector[b] = 0;
            JointQueryLed[b] = 0;
            JointCandidateLed[b] = 0;
            JointInverseSize[b] = 0;
        }
        foreach (var b in _touchedTwoHop)
        {
            CommonPartners[b] = 0;
            AdamicAdar[b] = 0;
            ResourceAllocation[b] = 0;
            CappedAdamicAdar[b] = 0;
            TwoHopRecent[b] = 0;
            TwoHopInSectors[b] = 0;
            TwoHopRecentInSectors[b] = 0;
        }
        _touched.Clear();
        _touchedTwoHop.Clear();
        Array.Clear(PartnerKindShare);
        Array.Clear(ConsortiumKindShare);
        Array.Clear(PartnerCityShare);
        Array.Clear(QuerySectorMark);
    }
}
