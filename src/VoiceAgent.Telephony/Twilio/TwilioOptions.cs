using System.ComponentModel.DataAnnotations;

namespace VoiceAgent.Telephony.Twilio;

public sealed record TwilioOptions
{
    public const string Section = "Twilio";

    /// <summary>Without the version segment (it may carry a path prefix); tests point it at a fake.</summary>
    [Required]
    public Uri ApiBaseUrl { get; init; } = new("https://api.twilio.com");

    /// <summary>The wait before the single retry after a 429 or 5xx that carries no Retry-After.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A longer Retry-After is not waited for: the call fails at once instead of holding its caller.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(5);
}
