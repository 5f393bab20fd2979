using Matchmaker.Hosting;
using Microsoft.Extensions.Options;

// A standalone worker host for the production mode: it shares Hangfire's PostgreSQL storage with the API and
// any number of other workers, builds its own graph snapshot and takes shard jobs from the queues. The stores are
// verified and migrated at start by the same StoreInitializer as the API's.
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
await host.RunAsync();
return 0;
