using System.Globalization;

namespace Matchmaker.Engine.Matching;

public sealed record Promotion(bool Promoted, int CandidateVersion, ValidationMetrics Candidate, ValidationMetrics? Current, string ModelPath);

/// <summary>
/// Versioned model files in one directory (<c>match-model-v0001.zip</c>, ...) and a pointer to the current one.
/// A new model becomes current only if it beats the current model on the same validation split, both scored
/// now by the caller's validation, never by comparing numbers measured on different data.
/// </summary>
public sealed class ModelRegistry(string directory)
{
    private const string Pointer = "current.txt";

    public string Directory { get; } = directory;

    public string PathOf(int version) => Path.Combine(Directory, $"match-model-v{version.ToString("D4", CultureInfo.InvariantCulture)}.zip");

    // Whether each stored version was trained on the features this engine computes (a model file never changes).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, bool> _fits = new();

    /// <summary>
    /// The current model's version, or null when there is none or when it was trained on other features than this
    /// engine computes (a model of an earlier feature list): such a model stays on disk but is not used, so the
    /// callers fall back as with no model, and the next trained model is promoted without being compared to it.
    /// </summary>
    public int? CurrentVersion => PointedVersion is { } v && Fits(v) ? v : null;

    /// <summary>The version the pointer names, whether or not this engine can use it.</summary>
    public int? PointedVersion
    {
        get
        {
            var pointer = Path.Combine(Directory, Pointer);
            return File.Exists(pointer) && int.TryParse(File.ReadAllText(pointer).Trim(), CultureInfo.InvariantCulture, out var v) ? v : null;
        }
    }

    /// <summary>Whether the stored model <paramref name="version"/> lists exactly the features this engine computes, in order.</summary>
    public bool Fits(int version) =>
        _fits.GetOrAdd(version, v => RankingModel.ReadCard(PathOf(v)).FeatureNames.SequenceEqual(PairFeatureExtractor.Names, StringComparer.Ordinal));

    public int NextVersion() =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.GetFiles(Directory, "match-model-v*.zip")
                .Select(f => int.TryParse(Path.GetFileNameWithoutExtension(f)["match-model-v".Length..], CultureInfo.InvariantCulture, out var v) ? v : 0)
                .DefaultIfEmpty(0).Max() + 1
            : 1;

    public RankingModel? LoadCurrent() => CurrentVersion is { } v ? RankingModel.Load(PathOf(v)) : null;

    /// <summary>Stores the candidate under its version with its validation metrics; makes it current only if it is better.</summary>
    public Promotion PromoteIfBetter(RankingModel candidate, Func<RankingModel, ValidationMetrics> validate)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var candidateMetrics = validate(candidate);
        var current = LoadCurrent();
        var currentMetrics = current is null ? null : validate(current);
        var version = Math.Max(candidate.Card.Version, NextVersion());
        var stored = candidate.WithCard(candidate.Card with { Version = version, Validation = candidateMetrics });
        var path = PathOf(version);
        stored.Save(path);
        var better = currentMetrics is null || candidateMetrics.Ndcg10 > currentMetrics.Ndcg10;
        if (better)
        {
            var temporary = Path.Combine(Directory, Pointer + ".tmp");
            File.WriteAllText(temporary, version.ToString(CultureInfo.InvariantCulture));
            File.Move(temporary, Path.Combine(Directory, Pointer), overwrite: true);
        }
        return new Promotion(better, version, candidateMetrics, currentMetrics, path);
    }
}
