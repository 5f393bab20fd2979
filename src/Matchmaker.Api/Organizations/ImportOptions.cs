namespace Matchmaker.Api.Organizations;

/// <summary>The <c>Import</c> section: limits of one organizations import.</summary>
public sealed class ImportOptions
{
    public const string Section = "Import";

    /// <summary>The largest import body accepted, in bytes.</summary>
    public long MaxBodyBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>The most rows (organizations + projects + ties) one import may carry.</summary>
    public int MaxRows { get; set; } = 200_000;
}
