using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace VoiceAgent.Platform.Email;

/// <summary>A mail that could not be handed over (no transport, SMTP refused, network); the outbox job retries it.</summary>
public sealed class MailDeliveryException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Delivers plain-text mails with MailKit: SMTP in production, a pickup folder of .eml files in development and tests.
/// Business code does not call this: it writes to the <see cref="MailOutbox"/>, whose job delivers after commit.
/// </summary>
public sealed class Mailer(IOptions<MailOptions> options, ILogger<Mailer> logger)
{
    // .eml files as they travel over SMTP: CRLF line ends (MimeKit would use the platform's).
    private static readonly FormatOptions EmlFormat = CreateEmlFormat();

    /// <exception cref="MailDeliveryException">The mail was not handed over.</exception>
    public async Task DeliverAsync(string to, string subject, string body, CancellationToken ct = default)
    {
        var o = options.Value;
        using var message = Build(o, to, subject, body);
        if (!string.IsNullOrEmpty(o.PickupDirectory))
        {
            // Written under a temporary name and moved, so a reader never sees half a file. The folder is not created here:
            // a folder that is gone (a stopped test host's, a removed volume) makes the job retry instead of quietly
            // writing mails where nobody looks. run.sh creates the development folder.
            var directory = Path.GetFullPath(o.PickupDirectory);
            if (!Directory.Exists(directory))
            {
                throw new MailDeliveryException($"The mail drop folder is missing: {directory}");
            }

            var name = Guid.NewGuid().ToString("N");
            var temporary = Path.Combine(directory, name + ".tmp");
            await message.WriteToAsync(EmlFormat, temporary, ct);
            File.Move(temporary, Path.Combine(directory, name + ".eml"));
            return;
        }

        if (string.IsNullOrEmpty(o.Host))
        {
            throw new MailDeliveryException("Kein Mailversand eingerichtet (Mail:Host oder Mail:PickupDirectory fehlt).");
        }

        using var client = new SmtpClient();
        try
        {
            var security = o.EnableSsl ? (o.Port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls) : SecureSocketOptions.None;
            await client.ConnectAsync(o.Host, o.Port, security, ct);
            if (!string.IsNullOrEmpty(o.UserName))
            {
                await client.AuthenticateAsync(o.UserName, o.Password ?? "", ct);
            }

            await client.SendAsync(message, ct);
            await client.DisconnectAsync(quit: true, ct);
        }
        catch (Exception ex) when (ex is SmtpCommandException or SmtpProtocolException or AuthenticationException or IOException
                                       or System.Net.Sockets.SocketException or SslHandshakeException)
        {
            // The recipient address is personal data: the log names the subject only.
            logger.LogWarning("Sending mail '{Subject}' failed: {Error}", subject, ex.Message);
            throw new MailDeliveryException("SMTP: " + ex.Message, ex);
        }
    }

    private static FormatOptions CreateEmlFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        return format;
    }

    private static MimeMessage Build(MailOptions o, string to, string subject, string body)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(o.FromName, o.From));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart(MimeKit.Text.TextFormat.Plain)
        {
            Text = body,
            ContentTransferEncoding = ContentEncoding.QuotedPrintable,
        };
        return message;
    }
}
