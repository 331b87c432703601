using System.ComponentModel.DataAnnotations;

namespace VoiceAgent.Platform.Email;

public sealed class MailOptions
{
    public const string Section = "Mail";

    [Required, EmailAddress]
    public string From { get; set; } = "noreply@voiceagent.local";

    public string FromName { get; set; } = "VoiceAgent";

    /// <summary>When set, mails are written as .eml files into this folder instead of being sent (development).</summary>
    public string? PickupDirectory { get; set; }

    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    public bool EnableSsl { get; set; } = true;

    public string? UserName { get; set; }

    public string? Password { get; set; }
}
