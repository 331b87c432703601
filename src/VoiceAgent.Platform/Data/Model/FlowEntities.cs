namespace VoiceAgent.Platform.Data;

public sealed class Flow
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public enum FlowVersionStatus
{
    Draft,
    Staged,
    Live,
    Retired,
}

public sealed class FlowVersion
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid FlowId { get; set; }
    public int Version { get; set; }
    public FlowVersionStatus Status { get; set; }

    /// <summary>The definition JSON (jsonb).</summary>
    public required string Definition { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? CreatedBy { get; set; }

    /// <summary>Who saved the draft last (shown when another editor's save is refused).</summary>
    public string? UpdatedBy { get; set; }

    /// <summary>Counts a draft's saves from 1; a save names the revision it started from (optimistic concurrency).</summary>
    public int Revision { get; set; } = 1;

    public DateTimeOffset? PublishedAt { get; set; }
    public string? PublishedBy { get; set; }
}

public sealed class FlowSession
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid FlowId { get; set; }
    public Guid VersionId { get; set; }
    public required string Kind { get; set; }
    public required string Status { get; set; }
    public string? CallerNumber { get; set; }

    /// <summary>The serialized <see cref="VoiceAgent.Flows.Runtime.FlowInstance"/> (jsonb).</summary>
    public required string State { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>PostgreSQL's <c>xmin</c> of the row: changes with every write (read back after each save), the stamp of
    /// the session's hot copy in Redis. Not a concurrency token: turns lock the row.</summary>
    public uint RowVersion { get; set; }
}

public sealed class FlowIncident
{
    public long Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid? FlowId { get; set; }
    public Guid? SessionId { get; set; }
    public string? NodeId { get; set; }
    public required string Kind { get; set; }
    public required string Message { get; set; }
    public DateTimeOffset At { get; set; }
}

public sealed class CallSettings
{
    public Guid TenantId { get; set; }
    public string[] TransferTargets { get; set; } = [];
    public string? HandoffTarget { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The tenant's system prompt (with placeholders), the base of the conversation model's instructions.</summary>
public sealed class TenantPrompt
{
    public Guid TenantId { get; set; }
    public required string Text { get; set; }
    public string? TemplateKey { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}
