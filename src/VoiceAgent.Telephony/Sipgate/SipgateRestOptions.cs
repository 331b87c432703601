using System.ComponentModel.DataAnnotations;

namespace VoiceAgent.Telephony.Sipgate;

public sealed class SipgateRestOptions
{
    public const string Section = "Sipgate:Rest";

    /// <summary>Includes the version segment; paths like "numbers" are appended.</summary>
    [Required]
    public Uri BaseUrl { get; set; } = new("https://api.sipgate.com/v2");

    /// <summary>The wait before the single retry after a 429 or 5xx that carries no Retry-After.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:30")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A longer Retry-After is not waited for: the call fails at once instead of holding its caller.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(10);
}
