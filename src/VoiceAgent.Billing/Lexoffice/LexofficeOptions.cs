using System.ComponentModel.DataAnnotations;

namespace VoiceAgent.Billing.Lexoffice;

/// <summary>The API key itself is a provider setting (<c>lexoffice.api_key</c>); without it invoices stay local.</summary>
public sealed class LexofficeOptions
{
    public const string Section = "Lexoffice";

    /// <summary>Lexware Office's API host since May 2025 (the legacy api.lexoffice.io was switched off end of 2025).</summary>
    [Required]
    public Uri BaseUrl { get; set; } = new("https://api.lexware.io");

    /// <summary>Lexoffice answers 504 after 30 s; wait a little longer than that for an answer.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(40);

    /// <summary>Requests are spaced this far apart across all instances (Lexoffice allows 2 per second).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan RequestSpacing { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Attempts per request on 429 and (for reads and contact writes) 5xx, with exponential backoff from <see cref="RetryDelay"/>.</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}
