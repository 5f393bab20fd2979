using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Matchmaker.Reliability.Tests.Hostile;

/// <summary>What a request to one endpoint can carry: route values, query parameters, a body of a type, in some media types.</summary>
public sealed record EndpointShape(string Method, string Pattern, IReadOnlyList<string> RouteParameters, IReadOnlyList<string> QueryParameters,
    Type? BodyType, IReadOnlyList<string> ContentTypes)
{
    public bool Writes => Method is not ("GET" or "HEAD" or "OPTIONS");

    public override string ToString() => $"{Method} {Pattern}";

    /// <summary>
    /// Every endpoint of the service's routing table, with its parameters from the API description: an endpoint
    /// added later is fuzzed without anyone listing it here.
    /// </summary>
    public static IReadOnlyList<EndpointShape> Read(IServiceProvider services)
    {
        var descriptions = services.GetRequiredService<IApiDescriptionGroupCollectionProvider>().ApiDescriptionGroups.Items.SelectMany(g => g.Items).ToList();
        var shapes = new List<EndpointShape>();
        foreach (var endpoint in services.GetRequiredService<IEnumerable<EndpointDataSource>>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            var accepts = endpoint.Metadata.GetMetadata<IAcceptsMetadata>();
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                var description = descriptions.FirstOrDefault(d => string.Equals(d.HttpMethod, method, StringComparison.OrdinalIgnoreCase)
                    && "/" + (d.RelativePath ?? "").TrimEnd('/') == pattern.TrimEnd('/'));
                var query = description?.ParameterDescriptions.Where(p => p.Source == BindingSource.Query).Select(p => p.Name).ToList() ?? [];
                var body = description?.ParameterDescriptions.FirstOrDefault(p => p.Source == BindingSource.Body)?.Type ?? accepts?.RequestType;
                var contentTypes = accepts?.ContentTypes.ToList() ?? (body is null ? [] : ["application/json"]);
                shapes.Add(new EndpointShape(method, pattern, endpoint.RoutePattern.Parameters.Select(p => p.Name).ToList(), query, body, contentTypes));
            }
        }
        return shapes;
    }
}
