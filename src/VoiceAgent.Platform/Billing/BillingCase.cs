using NodaTime;

namespace VoiceAgent.Platform.Billing;

/// <summary>Everything the invoice of one tenant and period depends on; the CLI reads it from CASE.json, the monthly job from the database.</summary>
public sealed record BillingCase(
    BillingPlan Plan,
    BillingTenant Tenant,
    IReadOnlyList<MinutePackage> Packages,
    IReadOnlyList<UsageEntry> Usage);

/// <summary>Rates may have fractional cents (e.g. 1.5 ct per minute); the base fee is whole cents.</summary>
public sealed record BillingPlan(
    long BaseFeeCents,
    int IncludedBotMinutes,
    int IncludedForwardMinutes,
    decimal BotRateCents,
    decimal ForwardRateCents,
    BillingIncrement Increment);

public enum BillingIncrement
{
    /// <summary>Total seconds / 60, exact.</summary>
    Second,

    /// <summary>Each usage record rounded up to whole minutes.</summary>
    Minute,
}

/// <param name="Country">ISO 3166-1 alpha-2, upper case.</param>
/// <param name="StartDate">First active day of the plan; null = active before the period.</param>
public sealed record BillingTenant(string Country, string? VatId, LocalDate? StartDate);

/// <param name="ValidUntil">Last day (inclusive) on which the package may be used.</param>
public sealed record MinutePackage(decimal Minutes, decimal RemainingMinutes, LocalDate ValidUntil);

public sealed record UsageEntry(UsageKind Kind, Instant Start, int Seconds);

public enum UsageKind
{
    Bot,
    Forward,
}
