using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Graph;

/// <summary>
/// Checks of a batch that need no store: duplicate ids inside the batch. Reference checks need the store and
/// live in each adapter, inside its transaction.
/// </summary>
public static class BatchChecks
{
    public static List<ImportError> Duplicates(GraphBatch batch)
    {
        var errors = new List<ImportError>();
        var orgIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Organizations.Count; i++)
        {
            if (!orgIds.Add(batch.Organizations[i].Id))
            {
                errors.Add(new("organizations", i, "id", $"'{batch.Organizations[i].Id}' appears more than once in the batch"));
            }
        }
        var projectIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Projects.Count; i++)
        {
            if (!projectIds.Add(batch.Projects[i].Id))
            {
                errors.Add(new("projects", i, "id", $"'{batch.Projects[i].Id}' appears more than once in the batch"));
            }
        }
        var ties = new HashSet<(string, string, TieType)>();
        for (var i = 0; i < batch.Ties.Count; i++)
        {
            var t = batch.Ties[i];
            if (!ties.Add((t.From, t.To, t.Type)))
            {
                errors.Add(new("ties", i, "to", $"the tie {t.From} -{t.Type.ToCode()}-> {t.To} appears more than once in the batch"));
            }
        }
        return errors;
    }

    /// <summary>Reference errors given a predicate telling whether an organization id exists (in the batch or the store).</summary>
    public static List<ImportError> References(GraphBatch batch, Func<string, bool> exists)
    {
        var errors = new List<ImportError>();
        for (var i = 0; i < batch.Projects.Count; i++)
        {
            var members = batch.Projects[i].Members;
            for (var m = 0; m < members.Count; m++)
            {
                if (!exists(members[m].OrganizationId))
                {
                    errors.Add(new("projects", i, $"members[{m}].org", $"organization '{members[m].OrganizationId}' does not exist"));
                }
            }
        }
        for (var i = 0; i < batch.Ties.Count; i++)
        {
            if (!exists(batch.Ties[i].From)) errors.Add(new("ties", i, "from", $"organization '{batch.Ties[i].From}' does not exist"));
            if (!exists(batch.Ties[i].To)) errors.Add(new("ties", i, "to", $"organization '{batch.Ties[i].To}' does not exist"));
        }
        return errors;
    }
}
