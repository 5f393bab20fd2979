using Hangfire;
using Hangfire.Common;
using Hangfire.InMemory;
using Hangfire.Storage;
using Matchmaker.Hosting;

namespace Matchmaker.Jobs.Tests;

public sealed class RecurringScheduleTests
{
    public RecurringScheduleTests()
    {
        // Hangfire's log provider is process-wide and may still point at a host that an earlier test disposed.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
    }

    [Fact]
    public void Recurring_jobs_are_registered_in_the_configured_time_zone()
    {
        var storage = new InMemoryStorage();
        // Pinned clock: Sunday 2026-11-22 20:00 UTC = Monday 04:00 in Shanghai.
        var now = new DateTime(2026, 11, 22, 20, 0, 0, DateTimeKind.Utc);
        var manager = new RecurringJobManager(storage, JobFilterProviders.Providers, new DefaultTimeZoneResolver(), () => now);

        StorageSetup.RegisterRecurringJobs(manager, new ScheduleOptions());

        using var connection = storage.GetConnection();
        var jobs = connection.GetRecurringJobs().ToDictionary(j => j.Id);
        Assert.Equal("Asia/Shanghai", jobs["weekly-digest"].TimeZoneId);
        Assert.Equal("0 8 * * 1", jobs["weekly-digest"].Cron);
        // Monday 08:00 in Shanghai is Monday 00:00 UTC.
        Assert.Equal(new DateTime(2026, 11, 23, 0, 0, 0, DateTimeKind.Utc), jobs["weekly-digest"].NextExecution);
        // Daily at 02:00 in Shanghai: it is 04:00 there now, so the next is Tuesday 02:00 local, Monday 18:00 UTC.
        Assert.Equal(new DateTime(2026, 11, 23, 18, 0, 0, DateTimeKind.Utc), jobs["recompute-all"].NextExecution);
    }

    [Fact]
    public void Another_time_zone_moves_the_schedule()
    {
        var storage = new InMemoryStorage();
        var now = new DateTime(2026, 11, 22, 20, 0, 0, DateTimeKind.Utc);
        var manager = new RecurringJobManager(storage, JobFilterProviders.Providers, new DefaultTimeZoneResolver(), () => now);

        StorageSetup.RegisterRecurringJobs(manager, new ScheduleOptions { TimeZone = "UTC" });

        using var connection = storage.GetConnection();
        var digest = connection.GetRecurringJobs().Single(j => j.Id == "weekly-digest");
        Assert.Equal(new DateTime(2026, 11, 23, 8, 0, 0, DateTimeKind.Utc), digest.NextExecution);
    }

    [Fact]
    public void The_outbox_sweep_runs_every_five_minutes_unless_configured()
    {
        var storage = new InMemoryStorage();
        var manager = new RecurringJobManager(storage, JobFilterProviders.Providers, new DefaultTimeZoneResolver(), () => new DateTime(2026, 11, 22, 20, 1, 0, DateTimeKind.Utc));

        StorageSetup.RegisterRecurringJobs(manager, new ScheduleOptions());
        using (var connection = storage.GetConnection())
        {
            var sweep = connection.GetRecurringJobs().Single(j => j.Id == "delivery-sweep");
            Assert.Equal("*/5 * * * *", sweep.Cron);
            Assert.Equal(new DateTime(2026, 11, 22, 20, 5, 0, DateTimeKind.Utc), sweep.NextExecution);
        }

        StorageSetup.RegisterRecurringJobs(manager, new ScheduleOptions { DeliverySweep = "*/15 * * * *" });
        using (var connection = storage.GetConnection())
        {
            var sweep = connection.GetRecurringJobs().Single(j => j.Id == "delivery-sweep");
            Assert.Equal("*/15 * * * *", sweep.Cron);
            Assert.Equal(new DateTime(2026, 11, 22, 20, 15, 0, DateTimeKind.Utc), sweep.NextExecution);
        }
    }
}
