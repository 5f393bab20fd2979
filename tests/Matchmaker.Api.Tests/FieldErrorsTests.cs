using Matchmaker.Api.Infrastructure;

namespace Matchmaker.Api.Tests;

public sealed class FieldErrorsTests
{
    [Fact]
    public void A_field_has_its_own_errors_and_those_of_its_members_and_entries_only()
    {
        var errors = new FieldErrors();
        errors.Add("weights.fit", "must be between 0 and 1");
        errors.Add("slots[2].role", "'x' is not a role");

        Assert.True(errors.Has("weights"));
        Assert.True(errors.Has("weights.fit"));
        Assert.True(errors.Has("slots"));
        Assert.True(errors.Has("slots[2]"));
        Assert.False(errors.Has("weight"));
        Assert.False(errors.Has("slots[2].count"));
        Assert.False(errors.Has("constraints"));
    }

    [Fact]
    public void A_list_too_long_is_one_error_and_a_later_message_replaces_an_earlier_one()
    {
        var errors = new FieldErrors();
        Assert.False(errors.ListLength("cities", Enumerable.Repeat("hefei", 65).ToList(), 64));
        Assert.True(errors.ListLength("include", new[] { "a" }, 64));
        Assert.True(errors.ListLength<string>("exclude", null, 64));
        errors.Add("scopes", "first");
        errors.Add("scopes", "second");

        Assert.Equal(["has 65 entries; at most 64 are allowed"], errors["cities"]);
        Assert.Equal(["second"], errors["scopes"]);
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void Absent_values_pass_and_bad_ones_are_named()
    {
        var errors = new FieldErrors();
        errors.Range("limit", null, 1, 100);
        errors.Range("alternatives", 6, 1, 5);
        Assert.Null(errors.SequenceCursor("cursor", null));
        Assert.Null(errors.SequenceCursor("after", "not base64url!"));
        Assert.Null(errors.Sector("sector", "space"));
        Assert.Equal("new-materials", errors.Sector("sector2", "new-materials")?.Code);
        errors.SubField("subField", "power-batteries", errors.Sector("sector3", "new-materials"));

        Assert.Equal(["must be between 1 and 5"], errors["alternatives"]);
        Assert.Equal(["is not a cursor returned by this endpoint"], errors["after"]);
        Assert.StartsWith("'space' is not a sector; expected one of new-materials, ", errors["sector"][0]);
        Assert.Equal(["'power-batteries' belongs to new-energy-vehicles, not new-materials"], errors["subField"]);
        Assert.Equal(["alternatives", "after", "sector", "subField"], errors.Keys);
    }
}
