namespace VoiceAgent.Billing;

/// <summary>From the stored billing rows (the kernel's data model) to the calculation's types.</summary>
public static class EntityMappings
{
    public static BillingPlan ToCalculation(this PricePlanVersion version) => new(
        version.BaseFeeCents, version.IncludedBotMinutes, version.IncludedForwardMinutes, version.BotRateCents, version.ForwardRateCents,
        version.Increment == Increments.Minute ? BillingIncrement.Minute : BillingIncrement.Second);

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
