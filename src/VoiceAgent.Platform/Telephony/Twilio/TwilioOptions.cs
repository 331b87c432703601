using System.ComponentModel.DataAnnotations;

namespace VoiceAgent.Platform.Telephony.Twilio;

public sealed record TwilioOptions
{
    public const string Section = "Twilio";

    /// <summary>Without the version segment (it may carry a path prefix); tests point it at a fake.</summary>
    [Required]
    public Uri ApiBaseUrl { get; init; } = new("https://api.twilio.com");

    /// <summary>The wait before the single retry after a 429 or 5xx.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);
}
