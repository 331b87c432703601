namespace VoiceAgent.Platform.Data;

/// <summary>A package checkout a tenant started: the offer as it was (net, VAT, gross) and the session Stripe returned.</summary>
public sealed class StripeCheckout
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid PackageId { get; set; }
    public required string Name { get; set; }
    public int Minutes { get; set; }
    public int ValidityMonths { get; set; }
    public long NetCents { get; set; }
    public decimal TaxRatePercent { get; set; }
    public long TaxCents { get; set; }
    public long GrossCents { get; set; }
    public string? SessionId { get; set; }
    public required string Status { get; set; }
    public string? Failure { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}

public static class CheckoutStatuses
{
    public const string Created = "created";
    public const string Open = "open";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

/// <summary>A webhook event by Stripe's id (deduplication and the record of failures).</summary>
public sealed class StripeEventRecord
{
    public required string Id { get; set; }
    public required string Type { get; set; }
    public required string Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public DateTimeOffset? ProcessedAt { get; set; }
    public string? Error { get; set; }
}

public static class StripeEventStatuses
{
    public const string Processed = "processed";
    public const string Ignored = "ignored";
    public const string Failed = "failed";
}
