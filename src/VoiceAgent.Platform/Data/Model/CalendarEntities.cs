namespace VoiceAgent.Platform.Data;

public sealed class CalendarSettings
{
    public Guid TenantId { get; set; }
    public string TimeZone { get; set; } = BusinessTime.ZoneId;

    /// <summary>JSON: { "mon": ["09:00-17:00"], … } (jsonb).</summary>
    public string BusinessHours { get; set; } = Data.BusinessHours.DefaultJson;

    public int SlotMinutes { get; set; } = 30;
    public int BufferMinutes { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class SandboxEvent
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public DateTimeOffset StartAt { get; set; }
    public DateTimeOffset EndAt { get; set; }
    public required string Title { get; set; }
    public string? Description { get; set; }
    public string? CallerNumber { get; set; }
    public string? CallerName { get; set; }
    public required string Status { get; set; }
    public required string IdempotencyKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
}

/// <summary>The tenant confirmed the sandbox calendar as the calendar calls book into.</summary>
public sealed class SandboxCalendarConfirmation
{
    public Guid TenantId { get; set; }
    public DateTimeOffset ConfirmedAt { get; set; }
    public string? ConfirmedBy { get; set; }
}
