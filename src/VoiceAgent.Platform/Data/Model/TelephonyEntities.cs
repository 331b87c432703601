namespace VoiceAgent.Platform.Data;

/// <summary>A number bound to one of a tenant's flows; released bindings stay as history.</summary>
public sealed class PhoneNumber
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public required string Number { get; set; }
    public required string Provider { get; set; }
    /// <summary>The flow an active binding routes to; null only for released bindings whose flow was deleted since.</summary>
    public Guid? FlowId { get; set; }
    public DateTimeOffset BoundAt { get; set; }
    public string? BoundBy { get; set; }
    public DateTimeOffset? ReleasedAt { get; set; }
    public string? ReleasedBy { get; set; }
}

public sealed class Call
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public required string Provider { get; set; }
    public required string ProviderCallId { get; set; }
    public Guid? PhoneNumberId { get; set; }
    public Guid? FlowId { get; set; }
    public Guid? SessionId { get; set; }
    public string? FromNumber { get; set; }
    public required string ToNumber { get; set; }
    public required string Mode { get; set; }
    public required string Status { get; set; }
    public string? Outcome { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public int? DurationSeconds { get; set; }
    public int[] TurnLatenciesMs { get; set; } = [];

    /// <summary>Set when the media stream for this call started; a stream token works only once.</summary>
    public DateTimeOffset? StreamStartedAt { get; set; }

    /// <summary>The transfer target while the flow waits for the dial result (realtime calls leave the stream to dial).</summary>
    public string? DialTarget { get; set; }

    public int[] BargeInLatenciesMs { get; set; } = [];
}

public sealed class UsageRecord
{
    public long Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid CallId { get; set; }
    public required string Provider { get; set; }
    public required string Kind { get; set; }
    public required string ProviderRef { get; set; }
    public required string Number { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset EndedAt { get; set; }
    public int Seconds { get; set; }
}

public static class UsageKinds
{
    public const string Bot = "bot";
    public const string Forward = "forward";
}

public static class Providers
{
    public const string Twilio = "twilio";
    public const string Sipgate = "sipgate";
}

/// <summary>A tenant's own Twilio account (the auth token is ciphertext at rest).</summary>
public sealed class TenantTwilioAccount
{
    public Guid TenantId { get; set; }
    public required string AccountSid { get; set; }
    public required string ProtectedAuthToken { get; set; }
    public required string TokenHint { get; set; }
    public DateTimeOffset VerifiedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}
