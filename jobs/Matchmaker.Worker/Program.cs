using Matchmaker.Engine.Access;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Jobs.Hosting;
using Microsoft.Extensions.Options;

// A standalone worker host for the production mode: it shares Hangfire's PostgreSQL storage with the API and
// any number of other workers, builds its own graph snapshot and takes shard jobs from the queues.
var builder = Host.CreateApplicationBuilder(args);
builder.AddMatchmakerCore();
builder.AddMatchmakerJobServer();
builder.AddMatchmakerTelemetry();

var host = builder.Build();
var storage = host.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
if (storage.Mode != StorageMode.Postgres)
{
    // In-memory job storage lives inside one process: a separate worker would never see the API's jobs.
    Console.Error.WriteLine("Matchmaker.Worker needs Storage:Mode=Postgres (and ConnectionStrings:Postgres); the embedded mode runs jobs inside the API.");
    return 2;
}
await host.Services.GetRequiredService<IGraphStore>().InitializeAsync();
await host.Services.GetRequiredService<IRecommendationStore>().InitializeAsync();
await host.Services.GetRequiredService<IApiKeyStore>().InitializeAsync();
await host.Services.GetRequiredService<Matchmaker.Engine.Feedback.IFeedbackStore>().InitializeAsync();
await host.Services.GetRequiredService<Matchmaker.Engine.Delivery.IDeliveryStore>().InitializeAsync();
await host.RunAsync();
return 0;
