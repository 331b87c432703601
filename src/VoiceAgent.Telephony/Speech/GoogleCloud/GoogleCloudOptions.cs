using System.ComponentModel.DataAnnotations;

namespace VoiceAgent.Telephony.Speech.GoogleCloud;

/// <summary>Google Cloud Speech-to-Text v1 and Text-to-Speech v1 over REST. The credentials are the platform's service
/// account JSON key (a super-admin setting); its <c>token_uri</c> names the OAuth token endpoint, so only the two API base
/// URLs are configured here (tests point them at a fake).</summary>
public sealed record GoogleCloudOptions
{
    public const string Section = "GoogleCloud";

    /// <summary>The stored setting (super-admin) that holds the service account JSON key.</summary>
    public const string ServiceAccountSetting = "googlecloud.service_account";

    /// <summary>The one scope both APIs accept.</summary>
    public const string Scope = "https://www.googleapis.com/auth/cloud-platform";

    /// <summary>Without the version segment; "/v1/speech:recognize" is appended.</summary>
    [Required]
    public Uri SpeechBaseUrl { get; init; } = new("https://speech.googleapis.com");

    /// <summary>Without the version segment; "/v1/text:synthesize" is appended.</summary>
    [Required]
    public Uri TextToSpeechBaseUrl { get; init; } = new("https://texttospeech.googleapis.com");

    /// <summary>The budget for one recognition or synthesis including the token fetch and the single retry; after it the
    /// caller hears the fallback.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The wait before the single retry after a 429 or 5xx that carries no Retry-After.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A longer Retry-After is not waited for: the turn cannot afford it.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(1);
}
