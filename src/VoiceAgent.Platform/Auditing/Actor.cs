namespace VoiceAgent.Platform.Auditing;

/// <summary>Who performed an action, for the audit log.</summary>
public sealed record Actor(Guid? Id, string? Email)
{
    public static readonly Actor System = new(null, "system");
}
