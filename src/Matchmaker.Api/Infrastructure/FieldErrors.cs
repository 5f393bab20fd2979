using System.Globalization;
using Matchmaker.Engine.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matchmaker.Api.Infrastructure;

/// <summary>
/// The one way requests are validated here: each request type has a validator (a <c>Validate</c> method next to its
/// endpoint) that collects every bad field into a <see cref="FieldErrors"/>, using the checks below, whose messages
/// are written once. The answer is a 400 ValidationProblem (application/problem+json) with <c>errors</c> keyed by the
/// field's wire name (<c>slots[0].kinds[1]</c>), sent before anything is written.
/// </summary>
/// <remarks>
/// Not .NET 10's built-in minimal-API validation (AddValidation with DataAnnotations): it sees bound parameters only,
/// while the feedback and organization endpoints read their bodies themselves (415 and size limits first); the rules
/// name the bad value and the accepted codes from the catalogs, check lists by index and length, depend on other
/// fields (a widget key's scope and organization) and on stores (the organization exists), and the handlers use the
/// values they parse. Attributes would need a custom one per rule and a second parse.
/// </remarks>
public sealed class FieldErrors : Dictionary<string, string[]>
{
    public FieldErrors() : base(StringComparer.Ordinal)
    {
    }

    /// <summary>One message per field; a later one about the same field replaces the earlier.</summary>
    public void Add(string field, string message) => this[field] = [message];

    /// <summary>Whether <paramref name="field"/> or a field under it (<c>weights.fit</c> under <c>weights</c>) has an error.</summary>
    public bool Has(string field) => Keys.Any(k => k == field || (k.StartsWith(field, StringComparison.Ordinal) && k.Length > field.Length && k[field.Length] is '.' or '['));

    public ValidationProblem ToProblem(string? title = null) => TypedResults.ValidationProblem(this, title: title);

    /// <summary>An answer naming one field only.</summary>
    public static ValidationProblem Problem(string field, string message, string? title = null)
    {
        var errors = new FieldErrors();
        errors.Add(field, message);
        return errors.ToProblem(title);
    }

    /// <summary>An optional whole number within [min, max].</summary>
    public void Range(string field, int? value, int min, int max)
    {
        if (value < min || value > max) Add(field, Messages.Between(min, max));
    }

    /// <summary>
    /// An optional code read by <paramref name="parse"/>; the message names the value, what it should be
    /// (<paramref name="what"/>, with its article: "a kind") and the accepted codes.
    /// </summary>
    public bool Code<T>(string field, string? value, string what, TryParse<T> parse, IEnumerable<string> expected, out T parsed)
    {
        parsed = default!;
        if (value is null || parse(value, out parsed)) return true;
        Add(field, Messages.NotOneOf(value, what, expected));
        return false;
    }

    /// <summary>A cursor this API returned for a sequence number; null when absent or bad (then an error).</summary>
    public long? SequenceCursor(string field, string? cursor)
    {
        if (cursor is null) return null;
        if (Cursor.TryDecode(cursor, out var key) && long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) && sequence > 0) return sequence;
        Add(field, Messages.NotACursor);
        return null;
    }

    /// <summary>A cursor this API returned for a key; null when absent or bad (then an error).</summary>
    public string? KeyCursor(string field, string? cursor)
    {
        if (cursor is null) return null;
        if (Cursor.TryDecode(cursor, out var key)) return key;
        Add(field, Messages.NotACursor);
        return null;
    }

    /// <summary>A list no longer than <paramref name="max"/>; counted before its entries are read, so a huge list costs one error.</summary>
    public bool ListLength<T>(string field, IReadOnlyCollection<T>? list, int max)
    {
        if (list is null || list.Count <= max) return true;
        Add(field, Messages.TooMany(list.Count, max));
        return false;
    }

    /// <summary>An optional sector code of the G60 catalog.</summary>
    public Sector? Sector(string field, string? value)
    {
        if (value is null) return null;
        if (G60Catalog.FindSector(value) is { } sector) return sector;
        Add(field, Messages.NotOneOf(value, "a sector", G60Catalog.Sectors.Select(s => s.Code)));
        return null;
    }

    /// <summary>An optional sub-field code, of <paramref name="sector"/> when one is given.</summary>
    public void SubField(string field, string? value, Sector? sector = null)
    {
        if (value is null) return;
        var owner = G60Catalog.SectorOfSubField(value);
        if (owner is null) Add(field, $"'{Messages.Clip(value)}' is not a known sub-field");
        else if (sector is not null && owner.Code != sector.Code) Add(field, $"'{Messages.Clip(value)}' belongs to {owner.Code}, not {sector.Code}");
    }

    /// <summary>An optional city code of the G60 catalog.</summary>
    public City? City(string field, string? value)
    {
        if (value is null) return null;
        if (G60Catalog.FindCity(value) is { } city) return city;
        Add(field, Messages.NotOneOf(value, "a city", G60Catalog.Cities.Select(c => c.Code)));
        return null;
    }

    public delegate bool TryParse<T>(string value, out T parsed);

    /// <summary>The messages more than one validator gives.</summary>
    public static class Messages
    {
        public const string NotACursor = "is not a cursor returned by this endpoint";

        public static string Between(int min, int max) => $"must be between {min} and {max}";

        public static string TooMany(int count, int max) => $"has {count} entries; at most {max} are allowed";

        public static string NotOneOf(string? value, string what, IEnumerable<string> expected) => $"'{Clip(value)}' is not {what}; expected one of {string.Join(", ", expected)}";

        public static string NoOrganization(string id) => $"no organization has id '{Clip(id)}'";

        public static string NotShown(string organizationId, string what) => $"is not among the {what} shown to '{organizationId}' (its list, its feedback, its plans)";

        /// <summary>A bad value is quoted back, at most 40 characters of it.</summary>
        public static string? Clip(string? value) => value is { Length: > 40 } ? value[..40] + "…" : value;
    }
}
