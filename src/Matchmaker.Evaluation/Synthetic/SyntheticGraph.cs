using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Synthetic;

/// <summary>
/// A deterministic, seeded generator of realistic corridor graphs of any size (1k to 1M organizations), for
/// demos, load and scale tests. It reproduces the shapes that matter to the engine: skewed activity (a few
/// hubs, many small firms, Pareto-distributed), clustering by city and field, repeated partnerships, role
/// mixes per kind, capabilities and needs drawn so that some pairs are genuinely complementary, and texts
/// (bilingual titles, summaries, keywords, call topics, descriptions) that share words within a sub-field.
/// Quality is judged on real data, never on this.
/// </summary>
public static class SyntheticGraph
{
    public sealed record Options
    {
        public int Organizations { get; init; } = 1000;
        public int Seed { get; init; } = 60;
        /// <summary>Projects per organization; 2.5 gives about 10 memberships per organization.</summary>
        public double ProjectsPerOrganization { get; init; } = 2.5;
        public int FirstYear { get; init; } = 2015;
        public int LastYear { get; init; } = 2025;
    }

    private static readonly (OrganizationKind Kind, double Share)[] KindShares =
    [
        (OrganizationKind.Enterprise, 0.70), (OrganizationKind.University, 0.06), (OrganizationKind.ResearchInstitute, 0.08),
        (OrganizationKind.FinancialInstitution, 0.06), (OrganizationKind.Platform, 0.05), (OrganizationKind.PublicBody, 0.05),
    ];

    // Bigger cities get more organizations; the two outside cities hold few (head offices, banks).
    private static readonly double[] CityShares = [0.16, 0.08, 0.17, 0.06, 0.15, 0.06, 0.04, 0.06, 0.13, 0.07, 0.02];

    private const string NameSyllables = "华新创恒泰瑞达科鼎远宏博智联航翼星辰光晟峰源盛启明锐芯材能驰安通信嘉祥润和正元青云海天鸿凯德普利隆";

    private static readonly Dictionary<OrganizationKind, string[]> GenericCapabilities = new()
    {
        [OrganizationKind.University] = ["basic-research", "talent-training", "simulation", "materials-characterization"],
        [OrganizationKind.ResearchInstitute] = ["applied-research", "testing-certification", "prototype-development", "standards"],
        [OrganizationKind.Enterprise] = ["pilot-production", "mass-production", "application-scenarios", "system-integration"],
        [OrganizationKind.FinancialInstitution] = ["venture-funding", "bank-credit", "insurance", "ipo-advisory"],
        [OrganizationKind.Platform] = ["incubation", "technology-transfer", "ip-services", "test-sites"],
        [OrganizationKind.PublicBody] = ["policy-support", "application-scenarios", "test-sites", "public-procurement"],
    };

    private static readonly Dictionary<OrganizationKind, string[]> GenericNeeds = new()
    {
        [OrganizationKind.University] = ["pilot-production", "application-scenarios", "technology-transfer", "test-sites"],
        [OrganizationKind.ResearchInstitute] = ["pilot-production", "venture-funding", "application-scenarios", "talent-training"],
        [OrganizationKind.Enterprise] = ["applied-research", "venture-funding", "bank-credit", "testing-certification", "talent-training", "basic-research"],
        [OrganizationKind.FinancialInstitution] = ["ipo-advisory", "technology-transfer", "incubation"],
        [OrganizationKind.Platform] = ["venture-funding", "applied-research", "policy-support"],
        [OrganizationKind.PublicBody] = ["system-integration", "applied-research", "mass-production"],
    };

    // Sub-field specific tags: what one side designs, makes or tests and the other seeks.
    private static readonly string[] SubFieldTagSuffixes = ["design", "process", "testing", "materials", "integration"];

    public static GraphBatch Generate(Options options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Organizations, 10);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Organizations, 5_000_000);
        var random = new Random(options.Seed);
        // Texts come from their own stream, so the structure for a seed is the same with or without them.
        var texts = new SyntheticTexts(options.Seed);
        var n = options.Organizations;
        var cities = G60Catalog.Cities;
        var sectors = G60Catalog.Sectors;

        var kinds = new OrganizationKind[n];
        var cityOf = new int[n];
        var sectorOf = new int[n];
        var weight = new double[n];
        var organizations = new Organization[n];
        var digits = n.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;

        for (var i = 0; i < n; i++)
        {
            var kind = Pick(random, KindShares.Select(k => k.Share).ToArray(), KindShares.Select(k => k.Kind).ToArray());
            var city = PickIndex(random, CityShares);
            var sector = random.Next(sectors.Count);
            // Pareto(alpha 1.3) activity: most organizations are small, a few are hubs. Universities and banks skew larger.
            var w = Math.Min(200.0, Math.Pow(1.0 - random.NextDouble(), -1.0 / 1.3));
            if (kind is OrganizationKind.University or OrganizationKind.FinancialInstitution or OrganizationKind.ResearchInstitute) w *= 3;
            kinds[i] = kind; cityOf[i] = city; sectorOf[i] = sector; weight[i] = w;

            var sectorCodes = kind is OrganizationKind.FinancialInstitution or OrganizationKind.Platform or OrganizationKind.PublicBody && random.NextDouble() < 0.5
                ? sectors.Select(s => s.Code).ToList()
                : [sectors[sector].Code];
            var subFields = sectors[sector].SubFields;
            var ownSubs = Enumerable.Range(0, 1 + random.Next(2)).Select(_ => subFields[random.Next(subFields.Count)].Code).Distinct().ToList();
            var capabilities = new List<string>();
            var needs = new List<string>();
            var generic = GenericCapabilities[kind];
            capabilities.Add(generic[random.Next(generic.Length)]);
            capabilities.Add(generic[random.Next(generic.Length)]);
            var wanted = GenericNeeds[kind];
            needs.Add(wanted[random.Next(wanted.Length)]);
            needs.Add(wanted[random.Next(wanted.Length)]);
            // Research-side kinds offer design and testing of their sub-field; industry offers process and
            // integration and seeks the former, which makes the two sides complementary.
            var researchSide = kind is OrganizationKind.University or OrganizationKind.ResearchInstitute;
            foreach (var sub in ownSubs)
            {
                if (kind is OrganizationKind.FinancialInstitution or OrganizationKind.Platform) break;
                var offer = researchSide ? SubFieldTagSuffixes[random.Next(0, 3)] : SubFieldTagSuffixes[random.Next(1, 5)];
                var seek = researchSide ? SubFieldTagSuffixes[random.Next(3, 5)] : SubFieldTagSuffixes[random.Next(0, 3)];
                capabilities.Add($"{sub}-{offer}");
                if (seek != offer) needs.Add($"{sub}-{seek}");
            }

            var cityInfo = cities[city];
            var core = $"{NameSyllables[random.Next(NameSyllables.Length)]}{NameSyllables[random.Next(NameSyllables.Length)]}";
            var (zhSuffix, enSuffix) = Suffix(kind, sectors[sector].Code);
            var shortCity = cityInfo.NameZh.Replace("(松江以外)", "", StringComparison.Ordinal).Replace("上海松江", "松江", StringComparison.Ordinal);
            var id = $"syn-{i.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(digits, '0')}";
            organizations[i] = new Organization(
                id, $"{shortCity}{core}{zhSuffix}", $"{cityInfo.NameEn.Split(' ')[0]} {enSuffix} {i}", kind, cityInfo.Code,
                aliases: [$"{core}{i}"], sectors: sectorCodes, subFields: ownSubs, capabilities: capabilities, needs: needs,
                description: texts.Description(kind, subFields.First(f => f.Code == ownSubs[0])),
                employees: (int)Math.Round(10 * w * (1 + random.NextDouble())), illustrative: true);
        }

        // Cumulative weights per sector and per (sector, city) give weighted sampling in O(log n).
        var bySector = Enumerable.Range(0,
            sectors.Count).Select(s => Sampler.Of(Enumerable.Range(0, n).Where(i => sectorOf[i] == s || organizations[i].Sectors.Count > 1), weight)).ToArray();
        var bySectorCity = new Sampler?[sectors.Count, cities.Count];
        for (var s = 0; s < sectors.Count; s++)
        {
            var members = Enumerable.Range(0, n).Where(i => sectorOf[i] == s).GroupBy(i => cityOf[i]);
            foreach (var g in members) bySectorCity[s, g.Key] = Sampler.Of(g, weight);
        }

        var priorPartners = new List<int>?[n];
        var projectCount = (int)(n * options.ProjectsPerOrganization);
        var years = options.LastYear - options.FirstYear + 1;
        var projects = new List<Project>(projectCount);
        var chosen = new List<int>(12);
        for (var p = 0; p < projectCount; p++)
        {
            var year = options.FirstYear + (int)((long)p * years / projectCount);
            var sector = random.Next(sectors.Count);
            var lead = bySector[sector].Sample(random);
            var size = 2 + Math.Min(10, (int)(-Math.Log(1 - random.NextDouble()) * 2.5));
            chosen.Clear();
            chosen.Add(lead);
            var attempts = 0;
            while (chosen.Count < size && attempts++ < size * 6)
            {
                int candidate;
                var roll = random.NextDouble();
                var prior = priorPartners[lead];
                if (roll < 0.35 && prior is { Count: > 0 }) candidate = prior[random.Next(prior.Count)];
                else if (roll < 0.7 && bySectorCity[sector, cityOf[lead]] is { } local) candidate = local.Sample(random);
                else candidate = bySector[sector].Sample(random);
                if (!chosen.Contains(candidate)) chosen.Add(candidate);
            }
            if (chosen.Count < 2) continue;
            foreach (var a in chosen)
            {
                var list = priorPartners[a] ??= [];
                foreach (var b in chosen)
                {
                    if (a != b && list.Count < 24 && !list.Contains(b)) list.Add(b);
                }
            }
            var subFields = sectors[sector].SubFields;
            var sub = subFields[random.Next(subFields.Count)];
            var text = texts.Project(sub, year);
            projects.Add(new Project(
                $"syn-p{p.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(digits + 1, '0')}",
                text.Title, year, sectors[sector].Code, sub.Code,
                chosen.Select(o => new ProjectMember(organizations[o].Id, RoleFor(kinds[o], random))),
                text.Summary, text.Keywords, [text.Topic]));
        }

        var ties = new List<Tie>();
        var platforms = GroupByCity(n, cityOf, i => kinds[i] == OrganizationKind.Platform);
        var banks = GroupByCity(n, cityOf, i => kinds[i] == OrganizationKind.FinancialInstitution);
        for (var i = 0; i < n; i++)
        {
            if (kinds[i] != OrganizationKind.Enterprise) continue;
            var year = options.FirstYear + random.Next(years);
            if (random.NextDouble() < 0.2 && platforms[cityOf[i]] is { Count: > 0 } parks)
            {
                ties.Add(new Tie(organizations[i].Id, organizations[parks[random.Next(parks.Count)]].Id, TieType.HostedBy, year));
            }
            if (random.NextDouble() < 0.15 && banks[cityOf[i]] is { Count: > 0 } lenders)
            {
                ties.Add(new Tie(organizations[i].Id, organizations[lenders[random.Next(lenders.Count)]].Id, TieType.FinancedBy, year));
            }
            if (random.NextDouble() < 0.1 && banks[random.Next(cities.Count)] is { Count: > 0 } investors)
            {
                ties.Add(new Tie(organizations[investors[random.Next(investors.Count)]].Id, organizations[i].Id, TieType.InvestedIn, year));
            }
        }
        return new GraphBatch(organizations, projects, ties);
    }

    private static List<int>[] GroupByCity(int n, int[] cityOf, Func<int, bool> predicate)
    {
        var groups = Enumerable.Range(0, G60Catalog.Cities.Count).Select(_ => new List<int>()).ToArray();
        for (var i = 0; i < n; i++) if (predicate(i)) groups[cityOf[i]].Add(i);
        return groups;
    }

    private static ConsortiumRole RoleFor(OrganizationKind kind, Random random) => kind switch
    {
        OrganizationKind.University => ConsortiumRole.Academia,
        OrganizationKind.ResearchInstitute => ConsortiumRole.Research,
        OrganizationKind.FinancialInstitution => ConsortiumRole.Finance,
        OrganizationKind.Platform => ConsortiumRole.Platform,
        OrganizationKind.PublicBody => ConsortiumRole.User,
        _ => random.NextDouble() < 0.6 ? ConsortiumRole.Industry : ConsortiumRole.User,
    };

    private static (string Zh, string En) Suffix(OrganizationKind kind, string sector) => kind switch
    {
        OrganizationKind.University => ("理工大学", "University of Technology"),
        OrganizationKind.ResearchInstitute => ("先进技术研究院", "Institute of Advanced Technology"),
        OrganizationKind.FinancialInstitution => ("科创投资", "Venture Capital"),
        OrganizationKind.Platform => ("科技园", "Science Park"),
        OrganizationKind.PublicBody => ("产业促进中心", "Industry Promotion Centre"),
        _ => sector switch
        {
            "new-materials" => ("新材料科技有限公司", "New Materials Co."),
            "new-energy-vehicles" => ("汽车科技有限公司", "Automotive Technology Co."),
            _ => ("航空科技有限公司", "Aviation Technology Co."),
        },
    };

    private static T Pick<T>(Random random, double[] shares, T[] values) => values[PickIndex(random, shares)];

    private static int PickIndex(Random random, double[] shares)
    {
        var roll = random.NextDouble() * shares.Sum();
        for (var i = 0; i < shares.Length; i++)
        {
            roll -= shares[i];
            if (roll < 0) return i;
        }
        return shares.Length - 1;
    }

    private sealed class Sampler(int[] items, double[] cumulative)
    {
        public static Sampler Of(IEnumerable<int> items, double[] weight)
        {
            var list = items.ToArray();
            var cumulative = new double[list.Length];
            var sum = 0.0;
            for (var i = 0; i < list.Length; i++) cumulative[i] = sum += weight[list[i]];
            return new Sampler(list, cumulative);
        }

        public int Sample(Random random)
        {
            var target = random.NextDouble() * cumulative[^1];
            var i = Array.BinarySearch(cumulative, target);
            if (i < 0) i = ~i;
            return items[Math.Min(i, items.Length - 1)];
        }
    }
}
