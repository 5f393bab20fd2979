namespace Matchmaker.Bench.Dense;

/// <summary>
/// The data README's text-bm25 reference: each organisation's profile is the text of all its projects before Y;
/// k1 1.2, b 0.75, English stop words (scikit-learn's list), terms of at least two characters found in at least two
/// profiles; lower-case alphanumeric words. Each distinct query term counts once: with that, the figures match the
/// README's reference to within 0.0003.
/// </summary>
internal sealed class TextBm25
{
    private const double K1 = 1.2, B = 0.75;
    private readonly Dictionary<string, int> _terms = [];
    private readonly List<(int Org, int Tf)>[] _postings;
    private readonly double[] _idf;
    private readonly double[] _lengthNorm;

    public TextBm25(HorizonSplit split)
    {
        // Term counts per organisation (each past project counted once per member).
        var projectTokens = split.PastProjects.Select(p => Tokenize(p.DocumentText).ToList()).ToList();
        var vocab = new Dictionary<string, int>();
        var orgCounts = new Dictionary<int, int>[split.OrgIds.Length];
        for (var o = 0; o < orgCounts.Length; o++)
        {
            var counts = orgCounts[o] = [];
            foreach (var p in split.OrgProjects[o])
                foreach (var token in projectTokens[p])
                {
                    if (!vocab.TryGetValue(token, out var id)) vocab[token] = id = vocab.Count;
                    counts[id] = counts.GetValueOrDefault(id) + 1;
                }
        }
        var df = new int[vocab.Count];
        foreach (var counts in orgCounts) foreach (var id in counts.Keys) df[id]++;
        var keep = new int[vocab.Count];
        foreach (var (token, id) in vocab)
        {
            keep[id] = -1;
            if (df[id] >= 2) keep[id] = _terms[token] = _terms.Count;
        }
        _postings = new List<(int, int)>[_terms.Count];
        for (var t = 0; t < _postings.Length; t++) _postings[t] = [];
        var lengths = new double[orgCounts.Length];
        for (var o = 0; o < orgCounts.Length; o++)
            foreach (var (id, tf) in orgCounts[o])
                if (keep[id] >= 0)
                {
                    _postings[keep[id]].Add((o, tf));
                    lengths[o] += tf;
                }
        var n = orgCounts.Length;
        _idf = _postings.Select(p => Math.Log(1 + (n - p.Count + 0.5) / (p.Count + 0.5))).ToArray();
        var avg = lengths.Average();
        _lengthNorm = lengths.Select(l => K1 * (1 - B + B * l / avg)).ToArray();
    }

    public int VocabularySize => _terms.Count;

    public double[] Score(string query)
    {
        var scores = new double[_lengthNorm.Length];
        foreach (var token in Tokenize(query).Distinct())
        {
            if (!_terms.TryGetValue(token, out var t)) continue;
            var idf = _idf[t];
            foreach (var (org, tf) in _postings[t]) scores[org] += idf * tf * (K1 + 1) / (tf + _lengthNorm[org]);
        }
        return scores;
    }

    public static IEnumerable<string> Tokenize(string text)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var word = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (word && start < 0) start = i;
            else if (!word && start >= 0)
            {
                if (i - start >= 2)
                {
                    var token = text[start..i].ToLowerInvariant();
                    if (!StopWords.Contains(token)) yield return token;
                }
                start = -1;
            }
        }
    }

    private static readonly HashSet<string> StopWords = [.. """
        a about above across after afterwards again against all almost alone along already also although always am among
        amongst amoungst amount an and another any anyhow anyone anything anyway anywhere are around as at back be became
        because become becomes becoming been before beforehand behind being below beside besides between beyond bill both
        bottom but by call can cannot cant co con could couldnt cry de describe detail do done down due during each eg
        eight either eleven else elsewhere empty enough etc even ever every everyone everything everywhere except few
        fifteen fifty fill find fire first five for former formerly forty found four from front full further get give go
        had has hasnt have he hence her here hereafter hereby herein hereupon hers herself him himself his how however
        hundred i ie if in inc indeed interest into is it its itself keep last latter latterly least less ltd made many
        may me meanwhile might mill mine more moreover most mostly move much must my myself name namely neither never
        nevertheless next nine no nobody none noone nor not nothing now nowhere of off often on once one only onto or
        other others otherwise our ours ourselves out over own part per perhaps please put rather re same see seem seemed
        seeming seems serious several she should show side since sincere six sixty so some somehow someone something
        sometime sometimes somewhere still such system take ten than that the their them themselves then thence there
        thereafter thereby therefore therein thereupon these they thick thin third this those though three through
        throughout thru thus to together too top toward towards twelve twenty two un under until up upon us very via was
        we well were what whatever when whence whenever where whereafter whereas whereby wherein whereupon wherever
        whether which while whither who whoever whole whom whose why will with within without would yet you your yours
        yourself yourselves
        """.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)];
}
