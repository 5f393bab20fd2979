using System.Globalization;
using System.Text.Json;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Matching.Evaluation;

namespace Matchmaker.Bench;

/// <summary>
/// The report of the ranking evaluations (`cordis`, `horizon`): the methods' table, then time, memory, candidate
/// recall and the reciprocity line; and the methods as the JSON reports hold them. One printer, so that the two
/// commands' reports keep the same shape.
/// </summary>
internal static class RankingReport
{
    public static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    /// <summary>One method's line of the table.</summary>
    public static string Row(string name, RankingMetrics m) =>
        string.Create(CultureInfo.InvariantCulture, $"{name,-20} {m.Ndcg10,8:F4} {m.Recall20,10:F4} {m.Mrr,8:F4} {m.Queries,8}");

    /// <param name="heading">The data, track, test year and sizes: the report's first line.</param>
    /// <param name="phases">The wall time's phases, after "phases: ".</param>
    /// <param name="cpuPhases">The CPU time's phases, after the total.</param>
    /// <param name="reciprocalTop">How many of the top were re-ranked by reciprocity (0: no reciprocity line).</param>
    public static void Print(string heading, RankingModel model, RankerTrainer.TrainingSet rows, IEnumerable<int> labelYears,
        IEnumerable<(string Name, RankingMetrics Metrics)> results, double wallSeconds, long peakBytes, string phases, double cpuSeconds,
        string cpuPhases, ProtocolEvaluator.MatcherResult evaluation, int reciprocalTop)
    {
        Console.WriteLine(heading);
        Console.WriteLine($"learned: {model.Card.Trainer}, {rows.Queries:N0} training queries / {rows.Rows.Count:N0} rows from label years {string.Join(", ", labelYears)}");
        Console.WriteLine();
        Console.WriteLine($"{"method",-20} {"NDCG@10",8} {"Recall@20",10} {"MRR",8} {"queries",8}");
        foreach (var (name, m) in results) Console.WriteLine(Row(name, m));
        Console.WriteLine();
        var (recall, reciprocal) = (evaluation.Recall, evaluation.Reciprocal);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wall time {wallSeconds:F1} s, peak memory {peakBytes / (1024.0 * 1024):F0} MiB"));
        Console.WriteLine($"  phases: {phases}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  CPU (both cores together): {cpuSeconds:F1} s; {cpuPhases}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  candidates: {recall.MeanCandidates:F0} per query, recall of answers {recall.All:F3} ({string.Join(", ", recall.BySource.Select(p => $"{p.Key} {p.Value:F3}"))})"));
        if (reciprocalTop > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  reciprocity (top {reciprocalTop} re-ranked by the harmonic mean of both directions): "
                + $"NDCG@10 {reciprocal.Ndcg10:F4}, Recall@20 {reciprocal.Recall20:F4}, MRR {reciprocal.Mrr:F4}"));
        }
    }

    /// <summary>The methods as the JSON reports hold them (metrics rounded to 4 places).</summary>
    public static MethodResult[] Methods(IEnumerable<(string Name, RankingMetrics Metrics)> results) =>
        results.Select(r => new MethodResult(r.Name, Math.Round(r.Metrics.Ndcg10, 4), Math.Round(r.Metrics.Recall20, 4), Math.Round(r.Metrics.Mrr, 4))).ToArray();

    public sealed record MethodResult(string Name, double Ndcg10, double Recall20, double Mrr);
}
