using NodaTime;

namespace VoiceAgent.Billing;

/// <summary>The computed invoice of one tenant and period, plus the intermediate figures that explain it.</summary>
public sealed record InvoicePreview(
    BillingPeriod Period,
    IReadOnlyList<InvoiceLine> Lines,
    long NetCents,
    TaxTreatment Tax,
    long TaxCents,
    long GrossCents,
    BaseFeeProration BaseFee,
    UsageSummary Bot,
    UsageSummary Forward,
    int IgnoredUsageRecords,
    IReadOnlyList<PackageUse> Packages);

/// <param name="Quantity">Minutes rounded half up to 4 decimals for display (1 for the base fee); amounts use the exact seconds.</param>
public sealed record InvoiceLine(InvoiceLineKind Kind, string Description, decimal Quantity, decimal UnitPriceCents, long AmountCents);

public enum InvoiceLineKind
{
    BaseFee,
    PackageMinutes,
    BotOverage,
    ForwardOverage,
}

/// <param name="DaysActive">0 when the plan starts after the period.</param>
public sealed record BaseFeeProration(long FullCents, int DaysActive, int DaysInMonth, long AmountCents);

/// <summary>One usage kind in the period. All figures in seconds; "billed" is after the increment rule.</summary>
public sealed record UsageSummary(int Records, long RawSeconds, long BilledSeconds, long IncludedSeconds, decimal PackageSeconds, decimal OverageSeconds);

/// <param name="Index">Position in the input list.</param>
/// <param name="Counted">False when the package expired before the period started.</param>
public sealed record PackageUse(int Index, decimal Minutes, LocalDate ValidUntil, bool Counted, decimal RemainingMinutesBefore, decimal ConsumedSeconds)
{
    public decimal RemainingMinutesAfter => RemainingMinutesBefore - ConsumedSeconds / 60m;
}
