using System.Globalization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Matchmaker.Api.Infrastructure;

/// <summary>
/// What integrators' tools need from the OpenAPI document beyond the shapes: a stable, meaningful operationId on every
/// operation (generated SDKs name their methods after it), a description per tag, a licence and a server. Redocly
/// CLI's recommended rules check it (tests/tools/openapi).
/// </summary>
internal sealed class OpenApiContract : IOperationFilter, IDocumentFilter
{
    /// <summary>Ids of the operations whose endpoints carry no name, by method and route template.</summary>
    private static readonly Dictionary<string, string> OperationIds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["GET api/v1/organizations"] = "SearchOrganizations",
        ["POST api/v1/organizations"] = "CreateOrganization",
        ["PUT api/v1/organizations/{id}"] = "ReplaceOrganization",
        ["DELETE api/v1/organizations/{id}"] = "DeleteOrganization",
        ["POST api/v1/organizations/import"] = "ImportGraph",
        ["POST api/v1/recompute/runs"] = "StartRecomputeRun",
        ["GET api/v1/recompute/runs"] = "ListRecomputeRuns",
        ["GET api/v1/models/current"] = "GetCurrentModel",
        ["POST api/v1/keys"] = "CreateKey",
        ["GET api/v1/keys"] = "ListKeys",
        ["DELETE api/v1/keys/{keyId}"] = "RevokeKey",
        ["POST api/v1/organizations/{id}/subscriptions"] = "CreateSubscription",
        ["GET api/v1/organizations/{id}/subscriptions"] = "ListSubscriptions",
        ["PUT api/v1/organizations/{id}/subscriptions/{subscriptionId}"] = "UpdateSubscription",
        ["DELETE api/v1/organizations/{id}/subscriptions/{subscriptionId}"] = "DeleteSubscription",
        ["GET api/v1/organizations/{id}/subscriptions/{subscriptionId}/deliveries"] = "ListSubscriptionDeliveries",
        ["GET widget/v1/organizations/{id}/matches"] = "GetWidgetMatches",
    };

    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Organizations"] = "The graph's organizations (universities, institutes, enterprises, banks and funds, parks, public bodies): search by Chinese or " +
            "English name, read, write, bulk import.",
        ["Recommendations"] = "An organization's precomputed, ranked and explained partners, and any pair scored on demand.",
        ["Feedback"] = "What an organization thought of a recommendation (accept, decline with a reason, contacted, formed), and mutual interest.",
        ["Recompute"] = "Runs that compute every organization's list ahead of time, with their progress.",
        ["Consortia"] = "Alternative 产学研金用 teams planned for a lead organization, saved and reopened by id.",
        ["Models"] = "The ranking model in use and its validation.",
        ["Keys"] = "API keys: scopes, binding to one organization, allowed browser origins, revocation.",
        ["Subscriptions"] = "Weekly lists by e-mail, WeCom or DingTalk, and signed webhooks when matches change, with their delivery log.",
        ["Widget"] = "The data behind the embeddable widget (publishable keys, CORS for the key's origins).",
    };

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (!string.IsNullOrEmpty(operation.OperationId)) return;
        var method = context.ApiDescription.HttpMethod ?? "GET";
        var route = context.ApiDescription.RelativePath?.TrimEnd('/') ?? "";
        operation.OperationId = OperationIds.TryGetValue($"{method} {route}", out var id) ? id : Derived(method, route);
    }

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var used = document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []).SelectMany(o => o.Tags ?? new HashSet<OpenApiTagReference>())
            .Select(t => t.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
        document.Tags = new HashSet<OpenApiTag>(used.Order(StringComparer.Ordinal).Select(name => new OpenApiTag
        {
            Name = name,
            Description = TagDescriptions.GetValueOrDefault(name, $"{name} operations."),
        }));
    }

    /// <summary>An endpoint added without a name still gets a stable id from its method and route (POST a/{id}/b → PostAB).</summary>
    internal static string Derived(string method, string route)
    {
        var words = route.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Where(s => !s.StartsWith('{') && s is not "api" && !(s.Length >= 2 && s[0] == 'v' && char.IsDigit(s[1])))
            .SelectMany(s => s.Split('-', StringSplitOptions.RemoveEmptyEntries));
        return CultureInfo.InvariantCulture.TextInfo.ToTitleCase(method.ToLowerInvariant()) + string.Concat(words.Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
    }
}
