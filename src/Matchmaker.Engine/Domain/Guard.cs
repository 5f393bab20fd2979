using System.Text.RegularExpressions;

namespace Matchmaker.Engine.Domain;

/// <summary>The checks shared by the domain constructors. Each throws <see cref="DomainValidationException"/>.</summary>
internal static partial class Guard
{
    public const int MaxIdLength = DomainLimits.MaxIdLength;
    public const int MaxNameLength = DomainLimits.MaxNameLength;
    public const int MaxTextLength = DomainLimits.MaxTextLength;
    public const int MaxListLength = DomainLimits.MaxListLength;

    [GeneratedRegex("^[a-z0-9][a-z0-9._:-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    public static string Id(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new DomainValidationException(field, "is required");
        if (!IdPattern().IsMatch(value))
        {
            throw new DomainValidationException(field,
                $"'{Clip(value)}' is not a valid id: use 1-{MaxIdLength} lowercase letters, digits, '.', '_', ':' or '-', starting with a letter or digit");
        }
        return value;
    }

    public static string Tag(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new DomainValidationException(field, "must not be empty");
        var tag = value.Trim().ToLowerInvariant();
        if (!TagPattern().IsMatch(tag))
        {
            throw new DomainValidationException(field, $"'{Clip(value)}' is not a valid tag: use lowercase letters, digits and '-'");
        }
        return tag;
    }

    /// <summary>Trims; null or blank becomes null. Rejects control characters and over-long text.</summary>
    public static string? Text(string? value, string field, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var text = value.Trim();
        if (text.Length > maxLength) throw new DomainValidationException(field, $"is {text.Length} characters long; at most {maxLength} are allowed");
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (char.IsControl(ch) && ch is not '\n' and not '\r' and not '\t')
            {
                throw new DomainValidationException(field, $"contains the control character U+{(int)ch:X4}");
            }
            // A character outside the BMP (an emoji, a CJK Extension B ideograph such as 𠮷) is a high surrogate
            // followed by a low one; only a surrogate without its partner is invalid.
            if (char.IsHighSurrogate(ch) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(ch)) throw new DomainValidationException(field, "contains an unpaired surrogate (invalid Unicode)");
        }
        return text;
    }

    /// <summary>Like <see cref="Text"/> for single-line names: no line breaks either.</summary>
    public static string? Name(string? value, string field)
    {
        var text = Text(value, field, MaxNameLength);
        if (text is not null && text.AsSpan().IndexOfAny('\n', '\r', '\t') >= 0)
        {
            throw new DomainValidationException(field, "must be a single line");
        }
        return text;
    }

    /// <summary>
    /// How many entries a list may carry before duplicates are removed. Counted first, so a huge list is refused
    /// before any entry is checked; loaders that repeat entries (keywords, aliases) stay within it.
    /// </summary>
    public const int MaxRawListLength = 4 * MaxListLength;

    public static IReadOnlyList<string> Distinct(IEnumerable<string>? values, string field, Func<string, string, string> check)
    {
        if (values is null) return [];
        // Count first (without enumerating a collection), then check and de-duplicate with a set: linear, bounded work.
        if (!values.TryGetNonEnumeratedCount(out var count))
        {
            values = values.Take(MaxRawListLength + 1).ToList();
            count = ((List<string>)values).Count;
        }
        if (count > MaxRawListLength) throw new DomainValidationException(field, $"has {count} entries; at most {MaxListLength} are allowed");
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var v in values)
        {
            var item = check(v, $"{field}[{i}]");
            if (seen.Add(item))
            {
                result.Add(item);
                if (result.Count > MaxListLength) throw new DomainValidationException(field,
                    $"has more than {MaxListLength} different entries; at most {MaxListLength} are allowed");
            }
            i++;
        }
        return result;
    }

    private static string Clip(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
