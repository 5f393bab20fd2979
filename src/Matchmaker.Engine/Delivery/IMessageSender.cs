using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Matchmaker.Engine.Delivery;

/// <summary>How one attempt went. <see cref="StatusCode"/> is the SMTP reply, the HTTP status or a robot's error code.</summary>
public sealed record SendResult(AttemptOutcome Outcome, int? StatusCode, string? Error)
{
    public static SendResult Sent(int? statusCode) => new(AttemptOutcome.Sent, statusCode, null);
    public static SendResult Transient(int? statusCode, string error) => new(AttemptOutcome.TransientFailure, statusCode, error);
    public static SendResult Permanent(int? statusCode, string error) => new(AttemptOutcome.PermanentFailure, statusCode, error);
}

/// <summary>Sends one recorded message over one kind of channel. Expected failures come back as results, not exceptions.</summary>
public interface IMessageSender
{
    bool Handles(DeliveryChannel channel);

    Task<SendResult> SendAsync(Subscription subscription, OutboxMessage message, CancellationToken cancellationToken);
}

/// <summary>
/// E-mail over SMTP with MailKit: multipart/alternative (plain text and HTML), List-Unsubscribe with one-click POST
/// (RFC 8058), and a Message-ID fixed per outbox message so that a resend after a lost acknowledgement can be
/// recognised as the same message. 5xx replies are permanent; 4xx replies and connection faults are retried.
/// </summary>
public sealed class SmtpMessageSender(IOptions<DeliveryOptions> options) : IMessageSender
{
    public bool Handles(DeliveryChannel channel) => channel == DeliveryChannel.Email;

    public async Task<SendResult> SendAsync(Subscription subscription, OutboxMessage message, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        if (string.IsNullOrWhiteSpace(smtp.Host)) return SendResult.Transient(null, "e-mail is not configured (Delivery:Smtp:Host)");
        MimeMessage mail;
        try
        {
            mail = Build(smtp, subscription.Target, message);
        }
        catch (ParseException e)
        {
            return SendResult.Permanent(null, $"the address cannot be used: {e.Message}");
        }
        using var client = new SmtpClient { Timeout = (int)TimeSpan.FromSeconds(smtp.TimeoutSeconds).TotalMilliseconds };
        try
        {
            // Unknown values stop the service at start; should one get here anyway, TLS is required, never optional.
            var security = Enum.TryParse<SecureSocketOptions>(smtp.Security?.Trim(), ignoreCase: true, out var s) && SmtpOptions.IsKnownSecurity(smtp.Security) ? s : SecureSocketOptions.StartTls;
            await client.ConnectAsync(smtp.Host, smtp.Port, security, cancellationToken);
            if (!string.IsNullOrEmpty(smtp.User)) await client.AuthenticateAsync(smtp.User, smtp.Password ?? "", cancellationToken);
            await client.SendAsync(mail, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            return SendResult.Sent(250);
        }
        catch (SmtpCommandException e)
        {
            var code = (int)e.StatusCode;
            var error = $"SMTP {code} ({e.ErrorCode}): {e.Message}";
            return code >= 500 ? SendResult.Permanent(code, error) : SendResult.Transient(code, error);
        }
        catch (Exception e) when (e is SmtpProtocolException or IOException or SocketException or TimeoutException or ServiceNotConnectedException
            or AuthenticationException or SslHandshakeException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return SendResult.Transient(null, $"SMTP {e.GetType().Name}: {e.Message}");
        }
    }

    private static MimeMessage Build(SmtpOptions smtp, string to, OutboxMessage message)
    {
        var mail = new MimeMessage { Subject = message.Content.Subject, MessageId = $"{message.Id}@matchmaker" };
        mail.From.Add(MailboxAddress.Parse(smtp.From));
        mail.To.Add(MailboxAddress.Parse(to));
        if (message.Content.UnsubscribeUrl is { } unsubscribe)
        {
            mail.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
            mail.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        mail.Body = new BodyBuilder { TextBody = message.Content.Text, HtmlBody = message.Content.Html }.ToMessageBody();
        return mail;
    }
}

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
            return SendResult.Permanent(null, "The subscription's robot URL cannot be read with the current Delivery:TokenKey (was the key changed?); create the subscription again.");
        }
        if (subscription.Secret == SubscriptionSecrets.Unreadable)
        {
            return SendResult.Permanent(null, "The subscription's signing secret cannot be read with the current Delivery:TokenKey (was the key changed?); create the subscription again.");
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
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, TargetPolicy policy, CancellationToken cancellationToken, HostResolver? resolver = null)
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

/// <summary>The target's address is one this service does not call.</summary>
public sealed class ForbiddenTargetException(string message) : Exception(message);
