namespace VoiceAgent.Platform.Data;

// Rows of the billing tables (Data/Migrations/0007_billing.sql). Money is cents; dates are the operator's calendar days.

/// <summary>A plan is the product a tenant is on; its prices are <see cref="PricePlanVersion"/>s.</summary>
public sealed class PricePlan
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Prices valid from the 1st of a month; immutable once stored (a database trigger refuses changes except the end).</summary>
public sealed class PricePlanVersion
{
    public Guid Id { get; set; }
    public Guid PlanId { get; set; }
    public int Version { get; set; }
    public long BaseFeeCents { get; set; }
    public int IncludedBotMinutes { get; set; }
    public int IncludedForwardMinutes { get; set; }
    public decimal BotRateCents { get; set; }
    public decimal ForwardRateCents { get; set; }
    public required string Increment { get; set; }
    public DateOnly ValidFrom { get; set; }
    public DateOnly? ValidUntil { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedBy { get; set; }

    public bool IsValidOn(DateOnly day) => ValidFrom <= day && (ValidUntil is null || day <= ValidUntil);
}

public static class Increments
{
    public const string Second = "second";
    public const string Minute = "minute";
}

public sealed class TenantPlan
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid PlanId { get; set; }
    public DateOnly StartDate { get; set; }
    public DateOnly? EndDate { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedBy { get; set; }

    public bool IsActiveOn(DateOnly day) => StartDate <= day && (EndDate is null || day <= EndDate);
}

/// <summary>A minute package of the catalog (table minute_packages); the price is net.</summary>
public sealed class PackageOffer
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public int Minutes { get; set; }
    public long PriceCents { get; set; }
    public int ValidityMonths { get; set; }
    public bool Active { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class PackagePurchase
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid? PackageId { get; set; }
    public required string Name { get; set; }
    public int Minutes { get; set; }
    public long PriceCents { get; set; }
    public DateOnly ValidUntil { get; set; }
    public required string Source { get; set; }
    public string? StripeSessionId { get; set; }
    public DateTimeOffset PurchasedAt { get; set; }
    public string? CreatedBy { get; set; }
    public string? Note { get; set; }
}

public static class PurchaseSources
{
    public const string Stripe = "stripe";
    public const string Admin = "admin";
}

/// <summary>View package_balances: the purchase's seconds minus what invoices that are not cancelled consumed.</summary>
public sealed class PackageBalance
{
    public Guid PurchaseId { get; set; }
    public Guid TenantId { get; set; }
    public long SecondsRemaining { get; set; }
}

public sealed class PackageConsumption
{
    public Guid InvoiceId { get; set; }
    public Guid PurchaseId { get; set; }
    public Guid TenantId { get; set; }
    public long Seconds { get; set; }
}

public sealed class Invoice
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public required string Kind { get; set; }
    public required string Status { get; set; }
    public DateOnly Period { get; set; }
    public DateOnly ServiceFrom { get; set; }
    public DateOnly ServiceUntil { get; set; }
    public string? Number { get; set; }
    public int? NumberYear { get; set; }
    public int? NumberSeq { get; set; }
    public DateOnly? InvoiceDate { get; set; }
    public DateOnly? DueDate { get; set; }
    public DateTimeOffset? FinalizedAt { get; set; }
    public Guid? PlanVersionId { get; set; }
    public Guid? TenantPlanId { get; set; }
    public Guid? PurchaseId { get; set; }
    public Guid? CancelsInvoiceId { get; set; }
    public Guid? CancelledByInvoiceId { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }

    /// <summary>JSON of <see cref="InvoiceParty"/>: the operator as configured when the invoice was created/finalized.</summary>
    public required string Issuer { get; set; }

    /// <summary>JSON of <see cref="InvoiceParty"/>: the tenant's company data at that time.</summary>
    public required string Recipient { get; set; }

    public string Currency { get; set; } = "EUR";
    public long NetCents { get; set; }
    public decimal TaxRatePercent { get; set; }
    public long TaxCents { get; set; }
    public long GrossCents { get; set; }
    public required string TaxRule { get; set; }
    public string? TaxNote { get; set; }

    /// <summary>The calculator's explanation (usage, packages, base fee) as the preview JSON.</summary>
    public string? Calculation { get; set; }

    /// <summary>SHA-256 of the inputs; a re-run with the same inputs leaves a draft untouched.</summary>
    public string? InputHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? CreatedBy { get; set; }

    public List<InvoiceItem> Lines { get; set; } = [];

    public bool IsDraft => Status == InvoiceStatuses.Draft;
}

public static class InvoiceKinds
{
    public const string Monthly = "monthly";
    public const string Package = "package";
    public const string Cancellation = "cancellation";
}

public static class InvoiceStatuses
{
    public const string Draft = "draft";
    public const string Finalized = "finalized";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Draft, Finalized, Cancelled];
}

/// <summary>A row of invoice_lines (named so it does not clash with the calculator's <see cref="InvoiceLine"/>).</summary>
public sealed class InvoiceItem
{
    public Guid InvoiceId { get; set; }
    public int Position { get; set; }
    public Guid TenantId { get; set; }
    public required string Kind { get; set; }
    public required string Description { get; set; }
    public decimal Quantity { get; set; }
    public required string Unit { get; set; }
    public decimal UnitPriceCents { get; set; }
    public long AmountCents { get; set; }
}

public static class LineKinds
{
    public const string BaseFee = "base_fee";
    public const string PackageMinutes = "package_minutes";
    public const string BotOverage = "bot_overage";
    public const string ForwardOverage = "forward_overage";
    public const string Package = "package";
}

public sealed class InvoiceDocument
{
    public Guid InvoiceId { get; set; }
    public required string Source { get; set; }
    public Guid TenantId { get; set; }
    public required byte[] Content { get; set; }
    public required string ContentType { get; set; }
    public required string Sha256 { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public static class DocumentSources
{
    public const string Local = "local";
    public const string Lexoffice = "lexoffice";
}

public sealed class BillingRunRecord
{
    public Guid Id { get; set; }
    public DateOnly Period { get; set; }
    public required string Trigger { get; set; }
    public string? Instance { get; set; }
    public string? StartedBy { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public int InvoicesCreated { get; set; }
    public int InvoicesUpdated { get; set; }
    public int InvoicesUnchanged { get; set; }
    public int InvoicesFinalized { get; set; }
    public int Failures { get; set; }
    public string? Error { get; set; }
}

public static class RunTriggers
{
    public const string Schedule = "schedule";
    public const string Manual = "manual";
}
