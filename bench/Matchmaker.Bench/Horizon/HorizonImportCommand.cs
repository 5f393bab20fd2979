using System.Diagnostics;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Import;
using Matchmaker.Engine.Matching.Evaluation;

namespace Matchmaker.Bench.Horizon;

/// <summary>
/// `horizon-import DATA_DIR OUT_DIR`: the Horizon Europe data (CORDIS, European Commission) as bulk-import JSON Lines
/// (organizations.jsonl, projects.jsonl), checked by reading them back through the import parser.
/// </summary>
public static class HorizonImportCommand
{
    public static int Run(string[] args)
    {
        if (args.Length != 2 || args.Any(a => a.StartsWith("--", StringComparison.Ordinal)))
        {
            Console.Error.WriteLine("usage: Matchmaker.Bench horizon-import <data-dir> <out-dir>");
            return 2;
        }
        var clock = Stopwatch.StartNew();
        var data = HorizonDataset.Load(args[0]);
        foreach (var report in data.Reports) Console.WriteLine(report);
        var result = HorizonImport.Convert(data);
        HorizonImport.WriteJsonLines(result, args[1]);
        Console.WriteLine($"wrote {result.Organizations.Count:N0} organizations and {result.Projects.Count:N0} projects to {args[1]}");
        foreach (var (what, count) in result.Adjusted) Console.WriteLine($"  {what}: {count:N0}");
        try
        {
            var batch = GraphImportParser.ParseJsonLinesDirectory(args[1]);
            Console.WriteLine($"read back: {batch.Organizations.Count:N0} organizations, {batch.Projects.Count:N0} projects, no error ({clock.Elapsed.TotalSeconds:F1} s)");
        }
        catch (GraphImportException e)
        {
            foreach (var error in e.Errors.Take(20)) Console.Error.WriteLine($"  {error}");
            return 1;
        }
        return 0;
    }
}
