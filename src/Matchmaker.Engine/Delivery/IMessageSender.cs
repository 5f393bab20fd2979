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
