namespace VoiceAgent.Platform.Data;

/// <summary>A tenant's connection to a calendar provider (one per provider). The secret is Data-Protection ciphertext.</summary>
public sealed class CalendarConnection
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public required string Provider { get; set; }
    public required string Status { get; set; }

    /// <summary>Who granted access (e-mail address, CalDAV user name); shown on the page.</summary>
    public required string Account { get; set; }

    /// <summary>Microsoft: MSAL's home account id, to find the account in the token cache.</summary>
    public string? AccountKey { get; set; }

    /// <summary>CalDAV: the URL the tenant entered (a calendar collection or the server root).</summary>
    public string? ServerUrl { get; set; }

    public required string ProtectedSecret { get; set; }
    public string? CalendarId { get; set; }
    public string? CalendarName { get; set; }
    public bool Active { get; set; }
    public DateTimeOffset ConnectedAt { get; set; }
    public string? ConnectedBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? LastSuccessAt { get; set; }
    public DateTimeOffset? LastErrorAt { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? BrokenAt { get; set; }
}

public static class ConnectionStatus
{
    public const string Connected = "connected";
    public const string Broken = "broken";
}

/// <summary>A running OAuth authorization (single use, short-lived); see 0008_calendar_connectors.sql.</summary>
public sealed class OAuthState
{
    public required string Nonce { get; set; }
    public Guid TenantId { get; set; }
    public Guid UserId { get; set; }
    public required string Provider { get; set; }
    public required string ProtectedCodeVerifier { get; set; }
    public required string RedirectUri { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>A booking made through a connection; pending ones are the outbox of the background job.</summary>
public sealed class CalendarBooking
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid? ConnectionId { get; set; }
    public required string Provider { get; set; }
    public required string CalendarId { get; set; }
    public required string IdempotencyKey { get; set; }
    public required string ExternalId { get; set; }
    public string? ProviderEventId { get; set; }
    public DateTimeOffset StartAt { get; set; }
    public DateTimeOffset EndAt { get; set; }
    public required string TimeZone { get; set; }
    public required string Title { get; set; }
    public string? Description { get; set; }
    public string? CallerNumber { get; set; }
    public string? CallerName { get; set; }
    public string? CallerEmail { get; set; }
    public required string Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    public string? LastError { get; set; }

    /// <summary>The caller was told the booking would be confirmed later (the tenant gets a mail when it is done).</summary>
    public bool Deferred { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}

public static class BookingStatuses
{
    public const string Pending = "pending";
    public const string Created = "created";
    public const string Conflict = "conflict";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}
