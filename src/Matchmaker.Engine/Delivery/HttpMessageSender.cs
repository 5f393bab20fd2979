using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Matchmaker.Engine.Delivery;

/// <summary>
/// Webhooks and group robots over HTTPS. Webhooks are signed (<see cref="WebhookSignature"/>) at each attempt, so a
/// retry carries a fresh timestamp; robots answer 200 with an error code in the body, which is read. Redirects are
/// not followed. 2xx is success; 408, 429 and 5xx are retried; other 4xx are permanent.
/// </summary>
public sealed class HttpMessageSender(IHttpClientFactory clients, TimeProvider time) : IMessageSender
{
    public const string ClientName = "matchmaker-delivery";

    // Robot error codes that mean "later": busy, or more than 20 messages a minute.
    private static readonly HashSet<int> TransientRobotCodes = [-1, 45009, 130101];

    public bool Handles(DeliveryChannel channel) => channel != DeliveryChannel.Email;

    public async Task<SendResult> SendAsync(Subscription subscription, OutboxMessage message, CancellationToken cancellationToken)
    {
        if (subscription.Target == SubscriptionSecrets.Unreadable)
        {
            return SendResult.Permanent(null,
                "The subscription's robot URL cannot be read with the current Delivery:TokenKey (was the key changed?); create the subscription again.");
        }
        if (subscription.Secret == SubscriptionSecrets.Unreadable)
        {
            return SendResult.Permanent(null,
                "The subscription's signing secret cannot be read with the current Delivery:TokenKey (was the key changed?); create the subscription again.");
        }
        var body = Encoding.UTF8.GetBytes(message.Content.Json ?? "{}");
        var url = subscription.Channel == DeliveryChannel.DingTalk && !string.IsNullOrEmpty(subscription.Secret)
            ? WebhookSignature.DingTalkSignedUrl(subscription.Target, subscription.Secret, time.GetUtcNow())
            : subscription.Target;
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.UserAgent.ParseAdd("Matchmaker-Delivery/1");
        if (subscription.Channel == DeliveryChannel.Webhook)
        {
            var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
            request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(subscription.Secret ?? "", timestamp, body));
            request.Headers.Add(WebhookSignature.EventHeader, WebhookEvents.RecommendationsUpdated);
            request.Headers.Add(WebhookSignature.DeliveryHeader, message.Id);
        }
        HttpResponseMessage response;
        try
        {
            // Headers first: the body is read only for robots, and only its first few KB.
            response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e) when (e.InnerException is ForbiddenTargetException f)
        {
            return SendResult.Permanent(null, f.Message);
        }
        catch (HttpRequestException e)
        {
            return SendResult.Transient(null, $"HTTP request failed: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return SendResult.Transient(null, "HTTP request timed out");
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                if (subscription.Channel == DeliveryChannel.Webhook) return SendResult.Sent(status);
                return RobotAnswer(await ReadCappedAsync(response, cancellationToken), status);
            }
            // The status only: the remote reason phrase and body are the receiver's text, not ours to store and show to API callers.
            var error = $"HTTP {status}";
            return status is 408 or 429 or >= 500 ? SendResult.Transient(status, error) : SendResult.Permanent(status, error);
        }
    }

    /// <summary>The most of a robot's answer read: its error code is in the first few bytes.</summary>
    public const int MaxResponseBytes = 4 * 1024;

    private static async Task<string> ReadCappedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxResponseBytes];
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0) filled += read;
        return Encoding.UTF8.GetString(buffer, 0, filled);
    }

    private static SendResult RobotAnswer(string body, int status)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("errcode", out var code) && code.TryGetInt32(out var errcode) && errcode != 0)
            {
                // The code only: errmsg is remote text, shown to API callers in the delivery log.
                var error = $"robot error {errcode}";
                return TransientRobotCodes.Contains(errcode) ? SendResult.Transient(errcode, error) : SendResult.Permanent(errcode, error);
            }
            return SendResult.Sent(status);
        }
        catch (JsonException)
        {
            // Cut at the cap (or not JSON): the code, when there is one, comes first in the robots' answers.
            var match = System.Text.RegularExpressions.Regex.Match(body, "\"errcode\"\\s*:\\s*(-?\\d{1,9})");
            if (match.Success && int.TryParse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture, out var errcode) && errcode != 0)
            {
                return TransientRobotCodes.Contains(errcode) ? SendResult.Transient(errcode, $"robot error {errcode}") : SendResult.Permanent(errcode, $"robot error {errcode}");
            }
            return SendResult.Sent(status);
        }
    }

    /// <summary>
    /// Connects only to addresses the policy allows, checking the address actually reached (not the name), so a host
    /// that resolves to a private address at send time is refused even if it resolved to a public one when saved.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, TargetPolicy policy, CancellationToken cancellationToken,
        HostResolver? resolver = null)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await (resolver ?? HostResolver.System).ResolveAsync(host, cancellationToken);
        if (!policy.AllowPrivateNetworks)
        {
            addresses = addresses.Where(a => !DeliveryTargets.IsForbidden(a) || (policy.AllowLoopbackHttp && IPAddress.IsLoopback(a))).ToArray();
            if (addresses.Length == 0) throw new ForbiddenTargetException($"refused: {host} resolves to a private, loopback or link-local address");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
