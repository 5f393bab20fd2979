using System.Runtime.CompilerServices;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;

namespace Matchmaker.Engine.Tests.Matching;

// The hot loops were tuned on these record sizes (a touch of an organization is one cache access; four score records
// to a 64-byte line): named field offsets must not grow them.
public class QueryContextLayoutTests
{
    [Fact]
    public void Records_keep_their_sizes()
    {
        Assert.Equal(48, Unsafe.SizeOf<QueryContext.Neighbour>());
        Assert.Equal(16, Unsafe.SizeOf<QueryContext.TwoHopScores>());
    }

    [Fact]
    public void Column_reads_the_field_at_its_named_offset()
    {
        var rows = new QueryContext.Neighbour[3];
        rows[1].JointInverseSize = 0.25f;
        rows[1].Diffusion = 7f;
        rows[2].Joint = 3f;
        var scores = new QueryContext.TwoHopScores[2];
        scores[1].CappedAdamicAdar = 1.5f;

        Assert.Equal(0.25f, new QueryContext.Column(rows, QueryContext.Neighbour.JointInverseSizeAt)[1]);
        Assert.Equal(7f, new QueryContext.Column(rows, QueryContext.Neighbour.DiffusionAt)[1]);
        Assert.Equal(0f, new QueryContext.Column(rows, QueryContext.Neighbour.JointAt)[1]);
        Assert.Equal(3f, new QueryContext.Column(rows, QueryContext.Neighbour.JointAt)[2]);
        Assert.Equal(1.5f, new QueryContext.Column(scores, QueryContext.TwoHopScores.CappedAdamicAdarAt)[1]);
    }

    [Fact]
    public void Every_column_reads_the_record_field_of_its_name()
    {
        var g = HandGraphs.NewTies;
        var context = new QueryContext(new SnapshotStats(g));
        context.Prepare(new MatchQuery(g.Id("a"), [g.SectorIndexOf("s")], 2019));
        var everyone = Enumerable.Range(0, g.OrganizationCount).ToArray();
        context.CompleteTwoHop(everyone);
        (string Name, QueryContext.Column Column, Func<int, float> Field)[] columns =
        [
            ("Joint", context.Joint, b => context.Row(b).Joint),
            ("JointWeighted", context.JointWeighted, b => context.Row(b).JointWeighted),
            ("JointInSector", context.JointInSector, b => context.Row(b).JointInSector),
            ("JointQueryLed", context.JointQueryLed, b => context.Row(b).JointQueryLed),
            ("JointCandidateLed", context.JointCandidateLed, b => context.Row(b).JointCandidateLed),
            ("JointInverseSize", context.JointInverseSize, b => context.Row(b).JointInverseSize),
            ("TwoHopRecent", context.TwoHopRecent, b => context.Row(b).TwoHopRecent),
            ("TwoHopInSectors", context.TwoHopInSectors, b => context.Row(b).TwoHopInSectors),
            ("TwoHopRecentInSectors", context.TwoHopRecentInSectors, b => context.Row(b).TwoHopRecentInSectors),
            ("Diffusion", context.Diffusion, b => context.Row(b).Diffusion),
            ("CommonPartners", context.CommonPartners, b => context.Near(b).CommonPartners),
            ("AdamicAdar", context.AdamicAdar, b => context.Near(b).AdamicAdar),
            ("ResourceAllocation", context.ResourceAllocation, b => context.Near(b).ResourceAllocation),
            ("CappedAdamicAdar", context.CappedAdamicAdar, b => context.Near(b).CappedAdamicAdar),
        ];
        foreach (var (name, column, field) in columns)
        {
            Assert.Equal(g.OrganizationCount, column.Length);
            foreach (var b in everyone) Assert.True(field(b) == column[b], $"{name}[{b}]: field {field(b)}, column {column[b]}");
        }
        foreach (var b in everyone) Assert.Equal(context.Row(b).LastJointYear, context.LastJointYear[b]);

        // The hand graph gives these fields values, so the comparison above is not one of zeros: a and b have two
        // joint projects, the last in 2018; c is a partner of a partner (through z) that the diffusion reaches.
        Assert.Equal(2f, context.Row(g.Id("b")).Joint);
        Assert.Equal((short)2018, context.Row(g.Id("b")).LastJointYear);
        Assert.Equal(1f, context.Near(g.Id("c")).CommonPartners);
        Assert.True(context.Row(g.Id("c")).Diffusion > 0);
        Assert.True(context.Row(g.Id("c")).TwoHopInSectors > 0);
    }
}
