namespace Matchmaker.Engine.Feedback;

/// <summary>What an organization says about a recommended candidate.</summary>
public enum FeedbackAction
{
    /// <summary>Interested: wants to talk to the candidate.</summary>
    Accept,
    /// <summary>Not interested, with a <see cref="DeclineReason"/>; hides the candidate from the organization's lists.</summary>
    Decline,
    /// <summary>Has contacted the candidate (implies interest).</summary>
    Contacted,
    /// <summary>Formed a consortium with the candidate (the strongest positive label).</summary>
    Formed,
}

/// <summary>Why a candidate was declined: a fixed list, so that reasons can be counted and learned from.</summary>
public enum DeclineReason
{
    WrongField,
    TooFar,
    AlreadyPartners,
    NotRightStage,
    NoCapacity,
    Other,
}

/// <summary>Wire names (kebab-case) of actions and reasons, shared by the API, the stores and the docs.</summary>
public static class FeedbackCodes
{
    public static readonly IReadOnlyList<string> ActionValues = ["accept", "decline", "contacted", "formed"];
    public static readonly IReadOnlyList<string> ReasonValues = ["wrong-field", "too-far", "already-partners", "not-right-stage", "no-capacity", "other"];

    public static string ToCode(FeedbackAction action) => ActionValues[(int)action];

    public static string ToCode(DeclineReason reason) => ReasonValues[(int)reason];

    public static bool TryParseAction(string? value, out FeedbackAction action) => TryParse(ActionValues, value, out action);

    public static bool TryParseReason(string? value, out DeclineReason reason) => TryParse(ReasonValues, value, out reason);

    /// <summary>Accept, contacted and formed all say "interested"; only decline says otherwise.</summary>
    public static bool IsInterest(FeedbackAction action) => action != FeedbackAction.Decline;

    /// <summary>The ranking label a pair's latest feedback gives: formed 3, contacted 2, accept 1, decline 0.</summary>
    public static float Grade(FeedbackAction action) => action switch
    {
        FeedbackAction.Formed => 3,
        FeedbackAction.Contacted => 2,
        FeedbackAction.Accept => 1,
        _ => 0,
    };

    private static bool TryParse<T>(IReadOnlyList<string> values, string? value, out T result) where T : struct, Enum
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], value, StringComparison.OrdinalIgnoreCase))
            {
                result = (T)(object)i;
                return true;
            }
        }
        result = default;
        return false;
    }
}
