using VoiceAgent.Platform.Data;

namespace VoiceAgent.Platform.Auditing;

public static class AuditLog
{
    /// <summary>Adds an entry to the unit of work; it is saved with the change it describes.</summary>
    public static void Record(this VoiceAgentDb db, TimeProvider time, Actor actor, string action, Guid? tenantId,
        string? details = null, string? reason = null) =>
        db.AuditEntries.Add(new AuditEntry
        {
            TenantId = tenantId,
            ActorId = actor.Id,
            ActorEmail = actor.Email,
            Action = action,
            Details = details is { Length: > 2000 } ? details[..2000] : details,
            Reason = reason,
            At = time.GetUtcNow(),
        });
}
