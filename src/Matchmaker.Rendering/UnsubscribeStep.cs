namespace Matchmaker.Rendering;

/// <summary>Which unsubscribe page to show.</summary>
public enum UnsubscribeStep
{
    /// <summary>The GET of the link: asks to confirm with a POST.</summary>
    Confirm,
    /// <summary>The GET of the link of a subscription already unsubscribed.</summary>
    AlreadyUnsubscribed,
    /// <summary>The answer to the POST.</summary>
    Done,
}
