using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Graph;

/// <summary>
/// An immutable, in-memory projection of the whole graph, built once from any <see cref="IGraphStore"/> (or from
/// another source such as the CORDIS benchmark data through <see cref="GraphSnapshotBuilder"/>).
/// Organizations and projects get compact integer ids and every relation is a <see cref="Csr"/>, so graph
/// algorithms run over arrays, never over the store. Cities and sectors are interned code tables, so the same
/// engine runs on the G60 vocabulary and on other data (countries and programme parts).
/// Safe to share between threads: nothing in it changes after construction.
/// </summary>
public sealed class GraphSnapshot
{
    private readonly Dictionary<string, int> _indexById;
    private readonly Dictionary<string, int> _projectIndexById;

    internal GraphSnapshot(GraphSnapshotBuilder.Parts parts, DateTimeOffset builtAt)
    {
        Parts = parts;
        OrganizationIds = parts.OrganizationIds;
        Details = parts.Details;
        Kinds = parts.Kinds;
        OrganizationCities = parts.OrganizationCities;
        OrganizationSectors = parts.OrganizationSectors;
        CityCodes = parts.CityCodes;
        SectorCodes = parts.SectorCodes;
        ProjectIds = parts.ProjectIds;
        ProjectYears = parts.ProjectYears;
        ProjectTexts = parts.ProjectTexts;
        ProjectSectors = parts.ProjectSectors;
        ProjectMembers = parts.ProjectMembers;
        MemberRoles = parts.MemberRoles;
        MemberIsLead = parts.MemberIsLead;
        MemberContributions = parts.MemberContributions;
        OrganizationProjects = parts.OrganizationProjects;
        Partners = parts.Partners;
        PartnerJointProjects = parts.PartnerJointProjects;
        PartnerLastYear = parts.PartnerLastYear;
        TiesOut = parts.TiesOut;
        TiesIn = parts.TiesIn;
        _indexById = parts.IndexById;
        _projectIndexById = parts.ProjectIndexById;
        BuiltAt = builtAt;
    }

    internal GraphSnapshotBuilder.Parts Parts { get; }

    public DateTimeOffset BuiltAt { get; }
    public int OrganizationCount => OrganizationIds.Length;
    public int ProjectCount => ProjectIds.Length;

    public string[] OrganizationIds { get; }
    /// <summary>The full domain objects when the snapshot was built from a graph store; null entries otherwise.</summary>
    public Organization?[] Details { get; }
    public OrganizationKind[] Kinds { get; }
    /// <summary>Index into <see cref="CityCodes"/> per organization.</summary>
    public int[] OrganizationCities { get; }
    /// <summary>Organization → indexes into <see cref="SectorCodes"/>.</summary>
    public Csr OrganizationSectors { get; }
    public string[] CityCodes { get; }
    public string[] SectorCodes { get; }

    public string[] ProjectIds { get; }
    public short[] ProjectYears { get; }
    /// <summary>Per project: its texts for matching, or null when it has none.</summary>
    public ProjectText?[] ProjectTexts { get; }
    /// <summary>Project → indexes into <see cref="SectorCodes"/>.</summary>
    public Csr ProjectSectors { get; }
    /// <summary>Project → member organizations. <see cref="MemberRoles"/>, <see cref="MemberIsLead"/> and <see cref="MemberContributions"/> are aligned with its edges.</summary>
    public Csr ProjectMembers { get; }
    /// <summary>A <see cref="ConsortiumRole"/> per membership, 0 where unknown.</summary>
    public byte[] MemberRoles { get; }
    public bool[] MemberIsLead { get; }
    /// <summary>Money a member brought or received, NaN where unknown.</summary>
    public float[] MemberContributions { get; }
    /// <summary>Organization → its projects.</summary>
    public Csr OrganizationProjects { get; }
    /// <summary>Organization → organizations it shared at least one project with (symmetric).</summary>
    public Csr Partners { get; }
    /// <summary>Per <see cref="Partners"/> edge: number of joint projects.</summary>
    public int[] PartnerJointProjects { get; }
    /// <summary>Per <see cref="Partners"/> edge: year of the latest joint project.</summary>
    public short[] PartnerLastYear { get; }
    /// <summary>Typed ties by <see cref="TieType"/> (index = (int)type), outgoing and incoming.</summary>
    public Csr[] TiesOut { get; }
    public Csr[] TiesIn { get; }

    public int IndexOf(string organizationId) => _indexById.GetValueOrDefault(organizationId, -1);
    public int ProjectIndexOf(string projectId) => _projectIndexById.GetValueOrDefault(projectId, -1);
    public int SectorIndexOf(string code) => Array.IndexOf(SectorCodes, code);
    public int CityIndexOf(string code) => Array.IndexOf(CityCodes, code);

    public long TieCount => TiesOut.Sum(t => (long)t.EdgeCount);
    public long MembershipCount => ProjectMembers.EdgeCount;

    public static async Task<GraphSnapshot> BuildAsync(IGraphStore store, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var builder = new GraphSnapshotBuilder();
        // Reading and decoding projects and ties runs beside the organizations (the builder needs the organizations
        // first, so the others are buffered): the export takes two cores instead of one.
        var projects = Task.Run(async () =>
        {
            var list = new List<Project>();
            await foreach (var p in store.ExportProjectsAsync(cancellationToken)) list.Add(p);
            return list;
        }, cancellationToken);
        var ties = Task.Run(async () =>
        {
            var list = new List<Tie>();
            await foreach (var t in store.ExportTiesAsync(cancellationToken)) list.Add(t);
            return list;
        }, cancellationToken);
        try
        {
            await foreach (var o in store.ExportOrganizationsAsync(cancellationToken)) builder.Add(o);
        }
        finally
        {
            // Never leave an export running against the store after this method has returned or thrown.
            await Task.WhenAll(projects, ties).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        foreach (var p in await projects) builder.Add(p);
        foreach (var t in await ties) builder.Add(t);
        return builder.Build((time ?? TimeProvider.System).GetUtcNow());
    }

    public static GraphSnapshot Build(GraphBatch batch, TimeProvider? time = null)
    {
        var builder = new GraphSnapshotBuilder();
        foreach (var o in batch.Organizations) builder.Add(o);
        foreach (var p in batch.Projects) builder.Add(p);
        foreach (var t in batch.Ties) builder.Add(t);
        return builder.Build((time ?? TimeProvider.System).GetUtcNow());
    }
}
