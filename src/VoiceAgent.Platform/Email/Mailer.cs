using System.Net;
using System.Net.Mail;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace VoiceAgent.Platform.Email;

/// <summary>Sends plain-text mails with System.Net.Mail: SMTP in production, a pickup folder in development.</summary>
public sealed class Mailer(IOptions<MailOptions> options, ILogger<Mailer> logger)
{
    /// <returns>False when the mail could not be handed over (logged); callers never fail a business action on it.</returns>
    public async Task<bool> SendAsync(string to, string subject, string body, CancellationToken ct = default)
    {
        var o = options.Value;
        using var message = new MailMessage(new MailAddress(o.From, o.FromName), new MailAddress(to))
        {
            Subject = subject,
            Body = body,
            BodyEncoding = Encoding.UTF8,
            BodyTransferEncoding = System.Net.Mime.TransferEncoding.QuotedPrintable,
            SubjectEncoding = Encoding.UTF8,
        };

        using var client = new SmtpClient();
        if (!string.IsNullOrEmpty(o.PickupDirectory))
        {
            Directory.CreateDirectory(o.PickupDirectory);
            client.DeliveryMethod = SmtpDeliveryMethod.SpecifiedPickupDirectory;
            client.PickupDirectoryLocation = Path.GetFullPath(o.PickupDirectory);
        }
        else if (!string.IsNullOrEmpty(o.Host))
        {
            client.Host = o.Host;
            client.Port = o.Port;
            client.EnableSsl = o.EnableSsl;
            if (!string.IsNullOrEmpty(o.UserName))
            {
                client.Credentials = new NetworkCredential(o.UserName, o.Password);
            }
        }
        else
        {
            logger.LogWarning("No mail transport configured (Mail:Host or Mail:PickupDirectory); mail '{Subject}' to {To} not sent", subject, to);
            return false;
        }

        try
        {
            await client.SendMailAsync(message, ct);
            return true;
        }
        catch (SmtpException ex)
        {
            logger.LogError(ex, "Sending mail '{Subject}' to {To} failed", subject, to);
            return false;
        }
    }
}
