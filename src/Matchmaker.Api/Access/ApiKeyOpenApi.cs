using Matchmaker.Engine.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Matchmaker.Api.Access;

/// <summary>Declares the API key scheme on the document and requires it on every operation that has a policy.</summary>
internal sealed class ApiKeyOpenApi : IOperationFilter
{
    public const string SchemeName = "ApiKey";

    public static void Configure(SwaggerGenOptions options)
    {
        options.AddSecurityDefinition(SchemeName, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticationHandler.HeaderName,
            Description = "An API key token (mm_<keyId>_<secret>); Authorization: Bearer <token> works too. Scopes: read, feedback, plan, widget, admin.",
        });
        options.OperationFilter<ApiKeyOpenApi>();
    }

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var policies = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>().Distinct().ToList();
        if (policies.Count == 0) return;
        // OpenAPI allows scope lists only for OAuth schemes: the scope goes into the description instead.
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] }];
        var scope = AccessPolicies.All.Where(p => policies.Contains(p.Policy)).Select(p => ApiScopes.Name(p.Scope)).LastOrDefault() ?? "read";
        operation.Description = $"{operation.Description}{(string.IsNullOrEmpty(operation.Description) ? "" : " ")}Requires an API key with the {scope} scope.".Trim();
    }
}
