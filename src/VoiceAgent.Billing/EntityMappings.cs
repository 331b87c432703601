namespace VoiceAgent.Billing;

/// <summary>From the stored billing rows (the kernel's data model) to the calculation's types.</summary>
public static class EntityMappings
{
    public static BillingPlan ToCalculation(this PricePlanVersion version) => new(
        version.BaseFeeCents, version.IncludedBotMinutes, version.IncludedForwardMinutes, version.BotRateCents, version.ForwardRateCents,
        version.Increment == Increments.Minute ? BillingIncrement.Minute : BillingIncrement.Second);

    // Invoices and runs keep their period in a date column holding the month's first day; these are the only conversions.
    public static BillingPeriod BillingPeriod(this Invoice invoice) => Billing.BillingPeriod.Of(invoice.Period);

    public static BillingPeriod BillingPeriod(this BillingRunRecord run) => Billing.BillingPeriod.Of(run.Period);

    /// <summary>The value of a period column (<see cref="Invoice.Period"/>, <see cref="BillingRunRecord.Period"/>).</summary>
    public static DateOnly ToColumn(this BillingPeriod period) => period.FirstDay.ToDateOnly();

    /// <summary>The stored name of a calculated line's kind (<see cref="LineKinds"/>).</summary>
    public static string ToLineKind(this InvoiceLineKind kind) => kind switch
    {
        InvoiceLineKind.BaseFee => LineKinds.BaseFee,
        InvoiceLineKind.PackageMinutes => LineKinds.PackageMinutes,
        InvoiceLineKind.BotOverage => LineKinds.BotOverage,
        InvoiceLineKind.ForwardOverage => LineKinds.ForwardOverage,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
