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

/// <summary>The target's address is one this service does not call.</summary>
public sealed class ForbiddenTargetException(string message) : Exception(message);
