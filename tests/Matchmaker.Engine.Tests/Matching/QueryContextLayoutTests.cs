using System.Runtime.CompilerServices;
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
}
