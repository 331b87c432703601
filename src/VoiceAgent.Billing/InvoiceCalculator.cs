using NodaTime;

namespace VoiceAgent.Billing;

/// <summary>
/// The billing maths, pure: one tenant, one calendar month, no database and no clock. The monthly run and
/// <c>voiceagent billing preview</c> both call it, so an operator can always reproduce an invoice. Rules: docs/billing.md.
/// </summary>
public static class InvoiceCalculator
{
    public static InvoicePreview Calculate(BillingCase billingCase, BillingPeriod period)
    {
        var (start, end) = (period.Start, period.End);
        var inPeriod = billingCase.Usage.Where(u => u.Start >= start && u.Start < end).ToList();
        return Calculate(billingCase.Plan, billingCase.Tenant, billingCase.Packages,
            UsageTotals.Of(inPeriod, UsageKind.Bot), UsageTotals.Of(inPeriod, UsageKind.Forward), period,
            billingCase.Usage.Count - inPeriod.Count);
    }

    /// <summary>
    /// The same maths from usage already summed per kind (the monthly run aggregates in SQL instead of loading records).
    /// <paramref name="bot"/> and <paramref name="forward"/> must hold only records that start inside the period.
    /// </summary>
    public static InvoicePreview Calculate(
        BillingPlan plan, BillingTenant tenant, IReadOnlyList<MinutePackage> packageList, UsageTotals botUsage, UsageTotals forwardUsage,
        BillingPeriod period, int ignoredRecords = 0)
    {
        var bot = (botUsage.Records, Raw: botUsage.RawSeconds, Billed: botUsage.BilledSeconds(plan.Increment));
        var forward = (forwardUsage.Records, Raw: forwardUsage.RawSeconds, Billed: forwardUsage.BilledSeconds(plan.Increment));

        var botIncluded = plan.IncludedBotMinutes * 60L;
        var forwardIncluded = plan.IncludedForwardMinutes * 60L;
        decimal botNeed = Math.Max(0, bot.Billed - botIncluded);
        var packages = ConsumePackages(packageList, period.FirstDay, ref botNeed);
        var packageSeconds = packages.Sum(p => p.ConsumedSeconds);
        var botOverage = botNeed;
        decimal forwardOverage = Math.Max(0, forward.Billed - forwardIncluded);

        var baseFee = Prorate(plan.BaseFeeCents, period, tenant.StartDate);
        var lines = new List<InvoiceLine>();
        if (plan.BaseFeeCents > 0 && baseFee.DaysActive > 0)
        {
            lines.Add(new(InvoiceLineKind.BaseFee, InvoiceTexts.BaseFee(period, baseFee, tenant.StartDate), 1m, baseFee.AmountCents, baseFee.AmountCents));
        }

        foreach (var package in packages.Where(p => p.ConsumedSeconds > 0).OrderBy(p => p.ValidUntil).ThenBy(p => p.Index))
        {
            lines.Add(new(InvoiceLineKind.PackageMinutes, InvoiceTexts.PackageMinutes(package.ValidUntil), Money.Minutes(package.ConsumedSeconds), 0m, 0));
        }

        if (botOverage > 0)
        {
            lines.Add(Overage(InvoiceLineKind.BotOverage, InvoiceTexts.BotOverage, botOverage, plan.BotRateCents));
        }

        if (forwardOverage > 0)
        {
            lines.Add(Overage(InvoiceLineKind.ForwardOverage, InvoiceTexts.ForwardOverage, forwardOverage, plan.ForwardRateCents));
        }

        var net = lines.Sum(l => l.AmountCents);
        var tax = VatRules.For(tenant.Country, tenant.VatId);
        var taxCents = Money.RoundToCents(net * tax.RatePercent / 100m);
        return new InvoicePreview(
            period, lines, net, tax, taxCents, checked(net + taxCents), baseFee,
            new UsageSummary(bot.Records, bot.Raw, bot.Billed, botIncluded, packageSeconds, botOverage),
            new UsageSummary(forward.Records, forward.Raw, forward.Billed, forwardIncluded, 0m, forwardOverage),
            ignoredRecords,
            packages);
    }

    // Oldest first = earliest validUntil (input order breaks ties). A package counts for the period when it is still valid on
    // the period's first day; it then covers the whole month's excess up to its remaining minutes.
    private static List<PackageUse> ConsumePackages(IReadOnlyList<MinutePackage> packages, LocalDate periodStart, ref decimal need)
    {
        var uses = new PackageUse[packages.Count];
        foreach (var (package, index) in packages.Select((p, i) => (p, i)).OrderBy(x => x.p.ValidUntil).ThenBy(x => x.i))
        {
            var counted = package.ValidUntil >= periodStart;
            var consumed = counted ? Math.Min(need, package.RemainingSeconds) : 0m;
            need -= consumed;
            uses[index] = new PackageUse(index, package.Minutes, package.ValidUntil, counted, package.RemainingMinutes, consumed);
        }

        return [.. uses];
    }

    private static BaseFeeProration Prorate(long baseFeeCents, BillingPeriod period, LocalDate? startDate)
    {
        var daysInMonth = period.DaysInMonth;
        var daysActive = startDate is not { } start || start <= period.FirstDay ? daysInMonth
            : start > period.LastDay ? 0
            : daysInMonth - start.Day + 1;
        var amount = daysActive == daysInMonth ? baseFeeCents : Money.RoundToCents((decimal)baseFeeCents * daysActive / daysInMonth);
        return new BaseFeeProration(baseFeeCents, daysActive, daysInMonth, amount);
    }

    private static InvoiceLine Overage(InvoiceLineKind kind, string description, decimal seconds, decimal rateCents) =>
        new(kind, description, Money.Minutes(seconds), rateCents, Money.RoundToCents(seconds * rateCents / 60m));
}
