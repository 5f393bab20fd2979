using Matchmaker.Engine.Recommendations;

namespace Matchmaker.Engine.Delivery;

/// <summary>Wire names of the delivery enums, shared by the API, the stores and the docs.</summary>
public static class DeliveryCodes
{
    public static readonly IReadOnlyList<string> ChannelValues = ["email", "webhook", "wecom", "dingtalk"];
    public static readonly IReadOnlyList<string> LanguageValues = ["zh", "en", "both"];
    public static readonly IReadOnlyList<string> StatusValues = ["active", "paused", "unsubscribed"];

    public static string ToCode(DeliveryChannel channel) => ChannelValues[(int)channel];
    public static string ToCode(DigestLanguage language) => LanguageValues[(int)language];
    public static string ToCode(SubscriptionStatus status) => StatusValues[(int)status];

    public static bool TryParseChannel(string? value, out DeliveryChannel channel) => TryParse(ChannelValues, value, out channel);
    public static bool TryParseLanguage(string? value, out DigestLanguage language) => TryParse(LanguageValues, value, out language);
    public static bool TryParseStatus(string? value, out SubscriptionStatus status) => TryParse(StatusValues, value, out status);

    /// <summary>The weekly list goes to these channels; webhooks get events instead.</summary>
    public static bool GetsWeeklyList(DeliveryChannel channel) => channel != DeliveryChannel.Webhook;

    private static bool TryParse<T>(IReadOnlyList<string> values, string? value, out T result) where T : struct, Enum
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], value?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                result = (T)(object)i;
                return true;
            }
        }
        result = default;
        return false;
    }
}
