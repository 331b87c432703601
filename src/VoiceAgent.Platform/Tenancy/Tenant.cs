namespace VoiceAgent.Platform.Tenancy;

public sealed class Tenant
{
    public Guid Id { get; set; }
    public required string CompanyName { get; set; }
    public required string ContactPerson { get; set; }
    public required string Email { get; set; }
    public required string Street { get; set; }
    public required string HouseNumber { get; set; }
    public required string PostalCode { get; set; }
    public required string City { get; set; }
    public required string Country { get; set; }
    public required string Phone { get; set; }
    public string? TaxNumber { get; set; }
    public string? VatId { get; set; }
    public string? Website { get; set; }
    public string? Industry { get; set; }
    public TenantStatus Status { get; set; }
    public string? StatusReason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset StatusChangedAt { get; set; }

    /// <summary>Days a call's transcript is kept (0018; the tenant admin sets 7–3650 on the privacy page).</summary>
    public int TranscriptRetentionDays { get; set; } = 90;

    /// <summary>Set by a super-admin when the contract ended; the tenant's data is deleted a configured number of days later.</summary>
    public DateTimeOffset? ContractEndedAt { get; set; }

    /// <summary>When the contract-end deletion ran (invoices and the billing case are kept).</summary>
    public DateTimeOffset? DataDeletedAt { get; set; }
}
