using NodaTime;

namespace VoiceAgent.Billing;

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
public sealed record MinutePackage(decimal Minutes, decimal RemainingMinutes, LocalDate ValidUntil)
{
    /// <summary>The balance the maths uses. The database keeps balances in whole seconds and sets this exactly
    /// (<see cref="RemainingMinutes"/> = seconds / 60 is then only for display).</summary>
    public decimal RemainingSeconds { get; init; } = RemainingMinutes * 60m;

    public static MinutePackage FromSeconds(int minutes, long remainingSeconds, LocalDate validUntil) =>
        new(minutes, remainingSeconds / 60m, validUntil) { RemainingSeconds = remainingSeconds };
}

public sealed record UsageEntry(UsageKind Kind, Instant Start, int Seconds);

public enum UsageKind
{
    Bot,
    Forward,
}

/// <summary>A period's usage of one kind, summed. <see cref="MinuteRoundedSeconds"/> = Σ ceil(seconds / 60) × 60 per record,
/// what the "minute" increment bills; the "second" increment bills <see cref="RawSeconds"/>.</summary>
public sealed record UsageTotals(int Records, long RawSeconds, long MinuteRoundedSeconds)
{
    public static readonly UsageTotals None = new(0, 0, 0);

    public long BilledSeconds(BillingIncrement increment) => increment == BillingIncrement.Second ? RawSeconds : MinuteRoundedSeconds;

    public static UsageTotals Of(IEnumerable<UsageEntry> usage, UsageKind kind)
    {
        var records = usage.Where(u => u.Kind == kind).ToList();
        return new(records.Count, records.Sum(u => (long)u.Seconds), records.Sum(u => (u.Seconds + 59L) / 60 * 60));
    }
}
