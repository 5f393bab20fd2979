using System.CommandLine;
using System.Diagnostics;
using Matchmaker.Engine.Delivery;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Rendering;

namespace Matchmaker.Bench;

/// <summary>
/// Rendering alone, without storage: the HTML of the weekly e-mail (once per composed list) and of the list page
/// (once per GET of the list link), for a full list of 20 candidates with two reasons each and one plan gap, in both
/// languages (the largest output). The delivery command's figure is dominated by SQLite commits; this one isolates
/// what the renderer costs.
/// </summary>
internal static class DigestRenderBench
{
    private static readonly Option<int> Renders = BenchOptions.Int("--renders", 20_000, "renders of each output per run");
    private static readonly Option<int> Runs = BenchOptions.Int("--runs", 3, "timed runs (the median is reported)");
    private static readonly Option<string?> Dump = BenchOptions.Text("--dump", "also write the rendered e-mail and page HTML to this directory", "DIR");

    public static Command Command()
    {
        var command = new Command("digest-render", "rendering alone: the weekly e-mail's HTML and the list page's, per render and allocated")
        {
            Renders, Runs, Dump,
        };
        command.SetAction((args, _) => RunAsync(args));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult args)
    {
        var count = args.GetValue(Renders);
        var runs = args.GetValue(Runs);
        Console.WriteLine($"machine: {Machine.Describe()}; load {Machine.LoadAverage()}");
        var digest = Sample();
        const string list = "https://matchmaker.example.cn/lists/t0k3n?a=1&b=2", unsubscribe = "https://matchmaker.example.cn/unsubscribe/u0k3n";
        var pages = new HtmlPages();
        var renderers = new (string Name, Func<Task<string>> Render)[]
        {
            ("e-mail HTML", () => pages.EmailHtmlAsync(digest, list, unsubscribe)),
            ("list page", () => pages.ListPageAsync(digest, unsubscribe)),
        };
        if (args.GetValue(Dump) is { } dump)
        {
            // The rendered HTML, to open in a browser or compare between versions.
            Directory.CreateDirectory(dump);
            await File.WriteAllTextAsync(Path.Combine(dump, "email.html"), await pages.EmailHtmlAsync(digest, list, unsubscribe));
            await File.WriteAllTextAsync(Path.Combine(dump, "page.html"), await pages.ListPageAsync(digest, unsubscribe));
        }
        foreach (var (name, render) in renderers)
        {
            var size = (await render()).Length;
            for (var i = 0; i < 2_000; i++) await render(); // warm-up: tiered compilation settles
            var micros = new List<double>();
            var cpu = new List<double>();
            var allocated = new List<double>();
            for (var r = 0; r < runs; r++)
            {
                var total = GC.GetTotalAllocatedBytes(precise: false);
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < count; i++) await render();
                micros.Add(watch.Elapsed.TotalMicroseconds / count);
                // CPU time (all threads, GC included) moves less than wall time on a shared, loaded machine.
                cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / count);
                allocated.Add((GC.GetTotalAllocatedBytes(precise: false) - total) / (double)count / 1024);
            }
            Console.WriteLine($"{name}: {size:N0} chars; median {Machine.Median(micros):F1} µs per render " +
                $"[{string.Join(", ", micros.Select(m => m.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))}], " +
                $"CPU {Machine.Median(cpu):F1} µs per render, " +
                $"{Machine.Median(allocated):F0} KiB allocated per render ({count:N0} renders per run)");
        }
        return 0;
    }

    private static Digest Sample()
    {
        Reason[] reasons =
        [
            new("shared-partners", "2 个共同伙伴：同济大学汽车学院、浙商银行", "2 shared partners: Tongji SAS, China Zheshang Bank", ["同济大学汽车学院", "浙商银行"]),
            new("need-met", "其能力满足贵方需求：碳纤维、中试", "Its capabilities meet your needs: carbon fibre, pilot production", ["carbon-fibre"]),
        ];
        var items = Enumerable.Range(1, 20).Select(i => new DigestItem($"org-{i:D6}", i, 10 - i * 0.3, i % 5 == 0, i % 7 == 0,
            new CandidateSummary($"示范机构{i:D6}", $"Organization {i:D6} & Partners", i % 2 == 0 ? "enterprise" : "university", "hefei", ["new-materials"]),
            reasons)).ToList();
        var gap = new DigestGap("plan-1", "碳纤维 \"轻量化\" 联合体", "finance", items.Take(3).ToList());
        return new Digest("dg_bench", "sub_bench", "org-000000", "同济大学汽车学院", "Tongji SAS", "2026-W48",
            new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero), "run-1", "m1", DigestLanguage.Both, items, [gap]);
    }
}
