using System.Text.Encodings.Web;
using System.Text.Unicode;
using Matchmaker.Engine.Delivery;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matchmaker.Rendering;

/// <summary>
/// Renders the weekly list's HTML (e-mail and list page) and the unsubscribe pages from Razor components with
/// <see cref="HtmlRenderer"/>: every value is HTML-encoded by the renderer, none by hand.
/// </summary>
public sealed class HtmlPages : IDigestHtmlRenderer
{
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggers;

    public HtmlPages(ILoggerFactory? loggers = null)
    {
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _services = new EncoderOnly();
    }

    public Task<string> EmailHtmlAsync(Digest digest, string listUrl, string unsubscribeUrl) =>
        RenderAsync<DigestEmail>(new Dictionary<string, object?>
        {
            [nameof(DigestEmail.Digest)] = digest,
            [nameof(DigestEmail.ListUrl)] = listUrl,
            [nameof(DigestEmail.UnsubscribeUrl)] = unsubscribeUrl,
        });

    /// <summary>The page behind the list link.</summary>
    public Task<string> ListPageAsync(Digest digest, string unsubscribeUrl) =>
        RenderAsync<DigestPage>(new Dictionary<string, object?>
        {
            [nameof(DigestPage.Digest)] = digest,
            [nameof(DigestPage.UnsubscribeUrl)] = unsubscribeUrl,
        });

    /// <summary>A page behind the unsubscribe link; <paramref name="target"/> is shown as given (redact it first).</summary>
    public Task<string> UnsubscribePageAsync(string target, UnsubscribeStep step) =>
        RenderAsync<UnsubscribePage>(new Dictionary<string, object?>
        {
            [nameof(UnsubscribePage.Target)] = target,
            [nameof(UnsubscribePage.Step)] = step,
        });

    private async Task<string> RenderAsync<TComponent>(Dictionary<string, object?> parameters) where TComponent : IComponent
    {
        // One renderer per render, as prerendering does per request: a renderer keeps every root component it
        // rendered until it is disposed, so a shared one would grow for the life of the process.
        await using var renderer = new HtmlRenderer(_services, _loggers);
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters))).ToHtmlString());
    }

    /// <summary>
    /// The renderer's services: only an encoder that leaves Chinese text as it is (the default one writes every
    /// non-ASCII character as an entity, tripling the size of a Chinese list); markup characters are still encoded.
    /// </summary>
    private sealed class EncoderOnly : IServiceProvider
    {
        private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

        public object? GetService(Type serviceType) => serviceType == typeof(HtmlEncoder) ? Encoder : null;
    }
}
