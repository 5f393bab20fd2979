using System.CommandLine;
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
    private static readonly Argument<string> DataDir = new("data-dir") { Description = "the cordis-horizon data directory" };
    private static readonly Argument<string> OutDir = new("out-dir") { Description = "where organizations.jsonl and projects.jsonl are written" };

    public static Command Command()
    {
        var command = new Command("horizon-import",
            "convert the Horizon Europe data into bulk-import JSON Lines (organizations.jsonl, projects.jsonl) and read them back")
        {
            DataDir, OutDir,
        };
        command.SetAction(args => Run(args.GetValue(DataDir)!, args.GetValue(OutDir)!));
        return command;
    }

    private static int Run(string dataDir, string outDir)
    {
        var clock = Stopwatch.StartNew();
        var data = HorizonDataset.Load(dataDir);
        foreach (var report in data.Reports) Console.WriteLine(report);
        var result = HorizonImport.Convert(data);
        HorizonImport.WriteJsonLines(result, outDir);
        Console.WriteLine($"wrote {result.Organizations.Count:N0} organizations and {result.Projects.Count:N0} projects to {outDir}");
        foreach (var (what, count) in result.Adjusted) Console.WriteLine($"  {what}: {count:N0}");
        try
        {
            var batch = GraphImportParser.ParseJsonLinesDirectory(outDir);
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
