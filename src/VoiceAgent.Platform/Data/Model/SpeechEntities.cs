namespace VoiceAgent.Platform.Data;

/// <summary>A tenant's choice of speech engines (table tenant_speech); no row means the platform default.</summary>
public sealed class TenantSpeech
{
    public Guid TenantId { get; set; }

    /// <summary>"offline", "openai" or "google".</summary>
    public required string Provider { get; set; }

    public required string Voice { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string? UpdatedBy { get; set; }
}
