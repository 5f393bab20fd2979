using Cronos;
using Matchmaker.Jobs;
using Microsoft.Extensions.Options;

namespace Matchmaker.Hosting;

/// <summary>
/// Checks the schedules at start, naming each bad setting, instead of letting the first registration of a recurring
/// job fail with Hangfire's message.
/// </summary>
internal sealed class ScheduleOptionsValidator : IValidateOptions<ScheduleOptions>
{
    public ValidateOptionsResult Validate(string? name, ScheduleOptions options)
    {
        var failures = new List<string>();
        if (ScheduleOptions.TryFindTimeZone(options.TimeZone) is null) failures.Add("Schedules:TimeZone is not a known time zone id.");
        foreach (var (setting, cron) in options.Crons())
        {
            if (!IsCron(cron)) failures.Add($"Schedules:{setting} is not a cron expression (\"{cron}\"; five fields, e.g. \"0 2 * * *\", or six with seconds first).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // Hangfire parses with Cronos too: five fields, or six with seconds.
    private static bool IsCron(string? cron) => !string.IsNullOrWhiteSpace(cron)
        && (CronExpression.TryParse(cron, CronFormat.Standard, out _) || CronExpression.TryParse(cron, CronFormat.IncludeSeconds, out _));
}
