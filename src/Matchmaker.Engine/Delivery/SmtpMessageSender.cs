using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Matchmaker.Engine.Delivery;

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
            var security = Enum.TryParse<SecureSocketOptions>(smtp.Security?.Trim(), ignoreCase: true, out var s)
                && SmtpOptions.IsKnownSecurity(smtp.Security) ? s : SecureSocketOptions.StartTls;
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
