namespace Matchmaker.Jobs;

/// <summary>The <c>Schedules</c> section: the recurring jobs' cron expressions and their time zone.</summary>
public sealed class ScheduleOptions
{
    public const string Section = "Schedules";

    public string TimeZone { get; set; } = "Asia/Shanghai";
    public string RecomputeAll { get; set; } = "0 2 * * *";
    public string RetrainModel { get; set; } = "0 3 * * 0";
    public string WeeklyDigest { get; set; } = "0 8 * * 1";

    /// <summary>The outbox sweep: messages whose send is due (retries, or left due by a stop) go out.</summary>
    public string DeliverySweep { get; set; } = "*/5 * * * *";

    /// <summary>The cron settings by name, as validation walks them.</summary>
    public IReadOnlyList<(string Name, string Cron)> Crons() =>
    [
        (nameof(RecomputeAll), RecomputeAll), (nameof(RetrainModel), RetrainModel), (nameof(WeeklyDigest), WeeklyDigest), (nameof(DeliverySweep), DeliverySweep),
    ];

    public static TimeZoneInfo? TryFindTimeZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException)
        {
            return null;
        }
    }
}
