namespace VoiceAgent.Platform.Data;

/// <summary>The tenant's Lexoffice contact and the version we last saw (Lexoffice locks contacts optimistically).</summary>
public sealed class LexofficeContact
{
    public Guid TenantId { get; set; }
    public Guid ContactId { get; set; }
    public int Version { get; set; }
    public DateTimeOffset SyncedAt { get; set; }
}

/// <summary>Where an invoice stands with Lexoffice; shown on the invoice in the admin UI.</summary>
public sealed class LexofficeTransmission
{
    public Guid InvoiceId { get; set; }
    public Guid TenantId { get; set; }
    public required string State { get; set; }
    public int Attempts { get; set; }

    /// <summary>Committed right before the create request; still set after a crash = the invoice may exist at Lexoffice.</summary>
    public DateTimeOffset? PendingSince { get; set; }

    public Guid? LexofficeInvoiceId { get; set; }
    public string? VoucherNumber { get; set; }
    public string? VoucherStatus { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset? DocumentFetchedAt { get; set; }

    /// <summary>When the job gave up after its last automatic retry (state <see cref="TransmissionStates.GaveUp"/>).</summary>
    public DateTimeOffset? GaveUpAt { get; set; }
}

public static class TransmissionStates
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Failed = "failed";

    /// <summary>Every automatic retry failed; the reason is in LastError. Sending by hand starts again.</summary>
    public const string GaveUp = "gave_up";
}
