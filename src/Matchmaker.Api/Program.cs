using Matchmaker.Api.Access;
using Matchmaker.Api.Delivery;
using Matchmaker.Api.Consortia;
using Matchmaker.Api.Hosting;
using Matchmaker.Api.Feedback;
using Matchmaker.Api.Infrastructure;
using Matchmaker.Api.Organizations;
using Matchmaker.Api.Models;
using Matchmaker.Api.Recommendations;
using Matchmaker.Engine.Import;
using Matchmaker.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

var builder = WebApplication.CreateBuilder(args);
// Settings may also come prefixed (Matchmaker__Auth__BootstrapAdminKey) to keep them apart on shared hosts.
builder.Configuration.AddEnvironmentVariables("Matchmaker__");

builder.AddMatchmakerCore();
builder.AddMatchmakerAccess();
builder.AddMatchmakerServing();
builder.AddMatchmakerTelemetry();
// In the embedded mode the job server runs here; in production worker hosts run it (Jobs:RunServer=false on the API).
if (builder.RunsJobServer())
{
    builder.AddMatchmakerJobServer();
}
// After the stores are ready (StoreInitializer): the admin key, the demo graph, the recurring jobs, a first recompute.
builder.Services.AddHostedService<FirstStartWork>();
builder.Services.AddHealthChecks().AddCheck<GraphStoreHealthCheck>("graph-store", tags: ["ready"])
    .AddCheck<RecommendationStoreHealthCheck>("recommendation-store", tags: ["ready"]);
builder.Services.AddOptions<ImportOptions>().BindConfiguration(ImportOptions.Section).ValidateOnStart();
builder.Services.AddProblemDetails(ValidationErrorCap.Configure);
// A query value or body that cannot be bound (limit=abc, malformed JSON) is answered with the parameter and the reason.
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddExceptionHandler<ProblemMapping>();
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.DefaultIgnoreCondition = WireJson.Options.DefaultIgnoreCondition;
    o.SerializerOptions.Encoder = WireJson.Options.Encoder;
    o.SerializerOptions.AllowDuplicateProperties = false;
});
builder.Services.AddEndpointsApiExplorer();
builder.Services.AddSwaggerGen(o =>
{
    o.SwaggerDoc("v1", new() { Title = "Matchmaker API", Version = "v1", Description = "Partner and consortium matchmaking for the G60 corridor (产学研金用)." });
    var xml = Path.Combine(AppContext.BaseDirectory, "Matchmaker.Api.xml");
    if (File.Exists(xml)) o.IncludeXmlComments(xml);
    ApiKeyOpenApi.Configure(o);
    o.OperationFilter<OpenApiExamples>();
    o.OperationFilter<OpenApiContract>();
    o.DocumentFilter<OpenApiContract>();
});

var app = builder.Build();

app.UseRequestLog();
app.UseHeadAsGet();
// Routing after HEAD became GET, so that HEAD finds the GET endpoints.
app.UseRouting();
app.UseSecurityHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
// The console at / is static files (wwwroot): anonymous, like Swagger UI; every call it makes carries the pasted key.
app.UseConsoleFiles();
// The server is the address the document was fetched from, so generated clients call the service that served it.
app.UseSwagger(o => o.PreSerializeFilters.Add((document, request) =>
{
    document.Servers = [new Microsoft.OpenApi.OpenApiServer { Url = $"{request.Scheme}://{request.Host.Value}{request.PathBase}", Description = "this service" }];
    document.Info.License = new Microsoft.OpenApi.OpenApiLicense
    {
        Name = app.Configuration["OpenApi:LicenseName"] ?? "Proprietary",
        Url = new Uri(app.Configuration["OpenApi:LicenseUrl"] ?? "https://matchmaker.example.cn/terms"),
    };
}));
if (app.Environment.ServesSwaggerUi()) app.UseSwaggerUI(o => o.SwaggerEndpoint("/swagger/v1/swagger.json", "Matchmaker API v1"));
app.UseMatchmakerAddressLimit();
app.UseAuthentication();
app.UseMatchmakerCors();
app.UseRateLimiter();
app.UseAuthorization();
app.UseRequestBodyLimits();

app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
app.MapOrganizations();
app.MapRecommendations();
app.MapFeedback();
app.MapRecompute();
app.MapConsortia();
app.MapModels();
app.MapKeys();
app.MapDelivery();
app.MapJobsDashboard();
app.MapMetrics();

app.Run();

/// <summary>The entry point, visible to the API tests' WebApplicationFactory.</summary>
public partial class Program;
