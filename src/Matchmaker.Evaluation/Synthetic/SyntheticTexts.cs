using System.Globalization;
using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Synthetic;

/// <summary>
/// Texts for the synthetic graph: bilingual titles, summaries, keywords and call topics of projects, and
/// organization descriptions, composed from per-sector and per-sub-field vocabularies so that projects of one
/// sub-field share words and topics (text similarity carries signal). It draws only from its own random stream,
/// so the graph's structure for a seed does not depend on it. Summaries, titles and descriptions are picked from
/// pools built once per graph: texts are shared strings, which keeps memory flat at millions of projects.
/// </summary>
internal sealed class SyntheticTexts
{
    /// <summary>Pool sizes per sub-field: large enough that two projects rarely share a summary.</summary>
    private const int SummaryPool = 512;
    private const int TitlePool = 256;
    private const int DescriptionPool = 16;

    private readonly Random _random;
    private readonly Dictionary<string, SubFieldTexts> _bySubField = new(StringComparer.Ordinal);

    public SyntheticTexts(int seed)
    {
        // A stream of its own, derived from the graph's seed.
        _random = new Random(unchecked(seed * 1_000_003 + 0x5EED));
        foreach (var sector in G60Catalog.Sectors)
        {
            var scenes = Vocabulary.Scenes[sector.Code];
            for (var f = 0; f < sector.SubFields.Count; f++)
            {
                var sub = sector.SubFields[f];
                _bySubField[sub.Code] = new SubFieldTexts(sector, f, Vocabulary.Terms[sub.Code], scenes, _random);
            }
        }
    }

    /// <summary>The texts of one project of a sub-field in a year.</summary>
    public (string Title, string Summary, string[] Keywords, ProjectTopic Topic) Project(SubField subField, int year)
    {
        var t = _bySubField[subField.Code];
        // Most projects write both languages; some only Chinese, some only English.
        var roll = _random.NextDouble();
        var language = roll < 0.15 ? Language.Chinese : roll < 0.30 ? Language.English : Language.Both;
        var summary = t.Summaries[(int)language][_random.Next(SummaryPool)];
        var title = t.Titles[_random.Next(TitlePool)];

        var count = 3 + _random.Next(4);
        var keywords = new string[count];
        Span<int> picked = stackalloc int[count];
        for (var k = 0; k < count; k++)
        {
            // Mostly the sub-field's own terms; one in four a scene of the sector or a shared method.
            var fromSubField = k < 2 || _random.NextDouble() < 0.75;
            (string Zh, string En)[] pool = fromSubField ? t.Terms : _random.NextDouble() < 0.5 ? t.Scenes : Vocabulary.Methods;
            int index, key;
            var tries = 0;
            do
            {
                index = _random.Next(pool.Length);
                key = (fromSubField ? 0 : pool == t.Scenes ? 1000 : 2000) + index;
            } while (picked[..k].Contains(key) && ++tries < 16);
            picked[k] = key;
            var zh = language == Language.Chinese || (language == Language.Both && _random.NextDouble() < 0.5);
            keywords[k] = zh ? pool[index].Zh : pool[index].En;
        }
        return (title, summary, keywords, Topic(t, year, _random.Next(SubFieldTexts.TopicsPerYear)));
    }

    /// <summary>A description of an organization of a kind working on a sub-field (its first one).</summary>
    public string Description(OrganizationKind kind, SubField subField) =>
        _bySubField[subField.Code].Descriptions(kind)[_random.Next(DescriptionPool)];

    private static ProjectTopic Topic(SubFieldTexts t, int year, int variant)
    {
        // Cached per sub-field by (year, variant): one shared object per topic, no code string built per project.
        var key = year * SubFieldTexts.TopicsPerYear + variant;
        if (t.Topics.TryGetValue(key, out var topic)) return topic;
        var number = t.Index * SubFieldTexts.TopicsPerYear + variant + 1;
        var code = string.Create(CultureInfo.InvariantCulture, $"G60-{year}-{Vocabulary.SectorAbbreviations[t.Sector.Code]}-{number:00}");
        // The topic's title is a function of its code, so every project answering it carries the same one.
        var term = t.Terms[(year * 7 + variant * 5) % t.Terms.Length];
        var (nounZh, nounEn) = Vocabulary.TopicFocus[(year + variant) % Vocabulary.TopicFocus.Length];
        topic = new ProjectTopic(code, $"{t.SubField.NameZh}：{term.Zh}{nounZh} / {t.SubField.NameEn}: {string.Format(CultureInfo.InvariantCulture, nounEn, term.En)}");
        t.Topics[key] = topic;
        return topic;
    }

    private enum Language { Chinese = 0, English = 1, Both = 2 }

    private sealed class SubFieldTexts
    {
        public const int TopicsPerYear = 3;

        private readonly Dictionary<OrganizationKind, string[]> _descriptions = [];

        public SubFieldTexts(Sector sector, int index, (string Zh, string En)[] terms, (string Zh, string En)[] scenes, Random random)
        {
            Sector = sector;
            Index = index;
            SubField = sector.SubFields[index];
            Terms = terms;
            Scenes = scenes;
            Summaries = [new string[SummaryPool], new string[SummaryPool], new string[SummaryPool]];
            for (var i = 0; i < SummaryPool; i++)
            {
                var (zh, en) = Summary(random);
                Summaries[0][i] = zh;
                Summaries[1][i] = en;
                Summaries[2][i] = zh + "\n" + en;
            }
            Titles = new string[TitlePool];
            for (var i = 0; i < TitlePool; i++) Titles[i] = Title(random);
            foreach (var kind in Enum.GetValues<OrganizationKind>())
            {
                var pool = new string[DescriptionPool];
                for (var i = 0; i < DescriptionPool; i++) pool[i] = Description(kind, random);
                _descriptions[kind] = pool;
            }
        }

        public Sector Sector { get; }
        public int Index { get; }
        public SubField SubField { get; }
        public (string Zh, string En)[] Terms { get; }
        public (string Zh, string En)[] Scenes { get; }
        /// <summary>Per language (Chinese, English, both): the pool of summaries.</summary>
        public string[][] Summaries { get; }
        public string[] Titles { get; }
        public Dictionary<int, ProjectTopic> Topics { get; } = [];
        public string[] Descriptions(OrganizationKind kind) => _descriptions[kind];

        private (string Zh, string En) Summary(Random random)
        {
            var sentences = 2 + random.Next(3);
            var zh = new System.Text.StringBuilder();
            var en = new System.Text.StringBuilder();
            Span<int> used = stackalloc int[sentences];
            for (var s = 0; s < sentences; s++)
            {
                // The opening sentence states the subject; the rest are drawn without repeating a template.
                int template;
                do template = s == 0 ? random.Next(2) : 2 + random.Next(Vocabulary.Sentences.Length - 2);
                while (used[..s].Contains(template));
                used[s] = template;
                var (a, b) = TwoTerms(random);
                var m = Vocabulary.Methods[random.Next(Vocabulary.Methods.Length)];
                var g = Vocabulary.Goals[random.Next(Vocabulary.Goals.Length)];
                var sc = Scenes[random.Next(Scenes.Length)];
                var (tz, te) = Vocabulary.Sentences[template];
                zh.Append(string.Format(CultureInfo.InvariantCulture, tz, a.Zh, b.Zh, m.Zh, g.Zh, sc.Zh));
                if (s > 0) en.Append(' ');
                var sentence = string.Format(CultureInfo.InvariantCulture, te, a.En, b.En, m.En, g.En, sc.En);
                en.Append(char.ToUpperInvariant(sentence[0])).Append(sentence, 1, sentence.Length - 1);
            }
            return (zh.ToString(), en.ToString());
        }

        private string Title(Random random)
        {
            var (a, b) = TwoTerms(random);
            var (nounZh, nounEn) = Vocabulary.TitleNouns[random.Next(Vocabulary.TitleNouns.Length)];
            var roll = random.Next(3);
            string zh, en;
            if (roll == 0)
            {
                zh = a.Zh + nounZh;
                en = string.Format(CultureInfo.InvariantCulture, nounEn, a.En);
            }
            else if (roll == 1)
            {
                zh = $"{a.Zh}与{b.Zh}{nounZh}";
                en = string.Format(CultureInfo.InvariantCulture, nounEn, $"{a.En} and {b.En}");
            }
            else
            {
                var sc = Scenes[random.Next(Scenes.Length)];
                zh = $"面向{sc.Zh}的{a.Zh}{nounZh}";
                en = string.Format(CultureInfo.InvariantCulture, nounEn, a.En) + " for " + sc.En;
            }
            return $"{zh} / {char.ToUpperInvariant(en[0])}{en[1..]}";
        }

        private string Description(OrganizationKind kind, Random random)
        {
            var (a, b) = TwoTerms(random);
            var sc = Scenes[random.Next(Scenes.Length)];
            var (kindZh, kindEn) = Vocabulary.KindWork[kind];
            return $"{Sector.NameZh}领域的{kindZh}，专注于{SubField.NameZh}，主要方向为{a.Zh}和{b.Zh}，服务{sc.Zh}。 / "
                + $"{kindEn} in {Sector.NameEn.ToLowerInvariant()}, focused on {SubField.NameEn.ToLowerInvariant()}: {a.En} and {b.En}, serving {sc.En}.";
        }

        private ((string Zh, string En) A, (string Zh, string En) B) TwoTerms(Random random)
        {
            var i = random.Next(Terms.Length);
            var j = (i + 1 + random.Next(Terms.Length - 1)) % Terms.Length;
            return (Terms[i], Terms[j]);
        }
    }
}
