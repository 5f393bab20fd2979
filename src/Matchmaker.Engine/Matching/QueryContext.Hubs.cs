namespace Matchmaker.Engine.Matching;

// Hub partners (more than HubCap partners of their own) left out of Prepare's common-partner spread and added for the
// scored candidates only.
public sealed partial class QueryContext
{
    // Hub partners left for CompleteHubs, in partner order, and the organizations they were added for.
    private readonly List<(int Hub, float AdamicAdar, float ResourceAllocation)> _hubs = [];
    private readonly ulong[] _hubDone;
    private readonly List<int> _hubDoneList = [];
    private readonly ulong[] _hubPartners;
    private bool _hubPartnersReady;

    /// <summary>
    /// Adds the hubs' share of the common-partner scores for the given organizations (those not done yet for this
    /// query), when <see cref="Prepare(MatchQuery, int, bool)"/> left hubs for later; otherwise does nothing.
    /// </summary>
    public void CompleteHubs(ReadOnlySpan<int> organizations)
    {
        if (_hubs.Count == 0) return;
        var a = Query.Organization;
        var near = _near;
        foreach (var b in organizations)
        {
            if (b == a || (_hubDone[b >> 6] & (1UL << b)) != 0) continue;
            _hubDone[b >> 6] |= 1UL << b;
            _hubDoneList.Add(b);
            ref var scores = ref near[b];
            foreach (var (z, aa, ra) in _hubs)
            {
                if (!Stats.IsPartnerOf(z, b)) continue;
                if (scores.CommonPartners == 0)
                {
                    _twoHop[_twoHopCount++] = b;
                    _twoHopBits[b >> 6] |= 1UL << b;
                }
                scores.CommonPartners++;
                scores.AdamicAdar += aa;
                scores.ResourceAllocation += ra;
            }
        }
    }

    /// <summary>
    /// The partners of the query's hub partners, a bit each: the union of the hubs' partner bits, made on the first
    /// path length that needs it in a query (a few thousand word operations instead of a test per hub per organization).
    /// </summary>
    private ulong[] HubPartners()
    {
        if (_hubPartnersReady) return _hubPartners;
        var union = _hubPartners;
        foreach (var (z, _, _) in _hubs)
        {
            var bits = Stats.PartnerBits(z);
            for (var w = 0; w < union.Length; w++) union[w] |= bits[w];
        }
        _hubPartnersReady = true;
        return union;
    }

    private void ResetHubs()
    {
        foreach (var b in _hubDoneList) _hubDone[b >> 6] = 0;
        _hubDoneList.Clear();
        if (_hubPartnersReady)
        {
            Array.Clear(_hubPartners);
            _hubPartnersReady = false;
        }
        _hubs.Clear();
    }
}
