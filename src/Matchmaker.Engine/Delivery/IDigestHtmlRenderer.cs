namespace Matchmaker.Engine.Delivery;

/// <summary>
/// The HTML part of the weekly e-mail. A port because the components that make it (Matchmaker.Rendering) run on
/// ASP.NET Core's component renderer, which the Engine does not depend on; the hosts' composition registers them.
/// </summary>
public interface IDigestHtmlRenderer
{
    Task<string> EmailHtmlAsync(Digest digest, string listUrl, string unsubscribeUrl);
}
