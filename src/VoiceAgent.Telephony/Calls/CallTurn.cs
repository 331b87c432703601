namespace VoiceAgent.Telephony;

/// <summary>What the provider should do next with the call.</summary>
public enum CallStep
{
    /// <summary>Say the lines, then listen for the caller (gather).</summary>
    Listen,

    /// <summary>Say the lines, then dial the transfer target.</summary>
    Dial,

    /// <summary>Say the lines, then hang up.</summary>
    Hangup,

    /// <summary>The call is not taken (unknown number, tenant not active): a polite announcement, no usage.</summary>
    Refuse,

    /// <summary>Connect a realtime media stream; the flow runs over the audio.</summary>
    Stream,
}

public sealed record CallTurn(CallStep Step, IReadOnlyList<string> Lines, string? DialTarget = null, int? ListenSeconds = null, Guid? CallId = null,
    Guid? TenantId = null)
{
    public static CallTurn Refused { get; } = new(CallStep.Refuse, []);
}
