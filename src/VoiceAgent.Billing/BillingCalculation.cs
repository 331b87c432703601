using Microsoft.EntityFrameworkCore;
using NodaTime;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Billing;

/// <summary>One tenant's invoice for a period as the calculator computes it, with the rows it was computed from.</summary>
public sealed record TenantBill(
    Tenant Tenant,
    TenantPlan Assignment,
    PricePlan Plan,
    PricePlanVersion Version,
    UsageAggregator.TenantUsage Usage,
    IReadOnlyList<PackagePurchase> Packages,
    InvoicePreview Preview)
{
    /// <summary>Seconds each package gives to this invoice (only packages that gave some).</summary>
    public IEnumerable<(PackagePurchase Purchase, long Seconds)> Consumption =>
        Preview.Packages.Where(p => p.ConsumedSeconds > 0).Select(p => (Packages[p.Index], (long)p.ConsumedSeconds));
}

/// <summary>A tenant that has a plan for the period but cannot be billed (e.g. no price version valid for it).</summary>
public sealed record BillingProblem(Guid TenantId, string Company, string Message);

public sealed record BillingComputation(BillingPeriod Period, IReadOnlyList<TenantBill> Bills, IReadOnlyList<BillingProblem> Problems);

/// <summary>
/// Gathers what the calculator needs for every tenant with a plan in the period, from the database (platform scope):
/// the assignment that applies, the price version valid on the period's first day, usage summed in SQL and the package
/// balances <b>recomputed</b> from the purchases minus what other (not cancelled) invoices consumed — so re-running a
/// period never deducts twice. Rules: docs/billing.md.
/// </summary>
public static class BillingCalculation
{
    public static async Task<BillingComputation> ComputeAsync(VoiceAgentDb db, BillingPeriod period, Guid? onlyTenant = null, CancellationToken ct = default)
    {
        var first = period.ToColumn();
        var last = period.LastDay.ToDateOnly();

        var assignments = await db.TenantPlans.AsNoTracking()
            .Where(a => a.StartDate <= last && (a.EndDate == null || a.EndDate >= first))
            .Where(a => onlyTenant == null || a.TenantId == onlyTenant)
            .ToListAsync(ct);
        // The plan valid on the period's first day applies; without one, the first that starts inside the period.
        var applicable = assignments.GroupBy(a => a.TenantId)
            .Select(g => g.FirstOrDefault(a => a.IsActiveOn(first)) ?? g.OrderBy(a => a.StartDate).First())
            .ToDictionary(a => a.TenantId);
        if (applicable.Count == 0)
        {
            return new BillingComputation(period, [], []);
        }

        var tenantIds = applicable.Keys.ToList();
        var planIds = applicable.Values.Select(a => a.PlanId).Distinct().ToList();
        var tenants = await db.Tenants.AsNoTracking().Where(t => tenantIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, ct);
        var plans = await db.PricePlans.AsNoTracking().Where(p => planIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        var versions = await db.PricePlanVersions.AsNoTracking().Where(v => planIds.Contains(v.PlanId)).ToListAsync(ct);

        var usage = onlyTenant is { } single
            ? new Dictionary<Guid, UsageAggregator.TenantUsage> { [single] = await UsageAggregator.ForTenantAsync(db, single, period, ct: ct) }
            : await UsageAggregator.ForAllTenantsAsync(db, period, ct);

        // Packages bought before the period ended and still valid on its first day; their balance without this period's
        // own (draft) invoice, which is being recomputed.
        var purchasedBefore = period.End.ToDateTimeOffset();
        var purchases = await db.PackagePurchases.AsNoTracking()
            .Where(p => tenantIds.Contains(p.TenantId) && p.ValidUntil >= first && p.PurchasedAt < purchasedBefore)
            .ToListAsync(ct);
        var purchaseIds = purchases.Select(p => p.Id).ToList();
        var consumedElsewhere = await (
                from c in db.PackageConsumptions
                join i in db.Invoices on c.InvoiceId equals i.Id
                where purchaseIds.Contains(c.PurchaseId) && i.Status != InvoiceStatuses.Cancelled
                      && !(i.Kind == InvoiceKinds.Monthly && i.Period == first)
                group c by c.PurchaseId into g
                select new { PurchaseId = g.Key, Seconds = g.Sum(c => c.Seconds) })
            .ToDictionaryAsync(x => x.PurchaseId, x => x.Seconds, ct);

        var bills = new List<TenantBill>();
        var problems = new List<BillingProblem>();
        foreach (var (tenantId, assignment) in applicable)
        {
            var tenant = tenants[tenantId];
            var priceDay = assignment.StartDate > first ? assignment.StartDate : first;
            var version = versions.Where(v => v.PlanId == assignment.PlanId && v.IsValidOn(priceDay)).MaxBy(v => v.Version);
            if (version is null)
            {
                problems.Add(new BillingProblem(tenantId, tenant.CompanyName,
                    $"Tarif „{plans[assignment.PlanId].Name}“ hat am {GermanFormat.Date(priceDay)} keinen gültigen Preis."));
                continue;
            }

            var packages = purchases.Where(p => p.TenantId == tenantId)
                .Select(p => (Purchase: p, Remaining: p.Minutes * 60L - consumedElsewhere.GetValueOrDefault(p.Id)))
                .Where(x => x.Remaining > 0)
                .OrderBy(x => x.Purchase.ValidUntil).ThenBy(x => x.Purchase.PurchasedAt).ThenBy(x => x.Purchase.Id)
                .ToList();
            var tenantUsage = usage.GetValueOrDefault(tenantId, UsageAggregator.TenantUsage.None);
            var preview = InvoiceCalculator.Calculate(
                version.ToCalculation(),
                new BillingTenant(tenant.Country, tenant.VatId, LocalDate.FromDateOnly(assignment.StartDate)),
                packages.Select(x => MinutePackage.FromSeconds(x.Purchase.Minutes, x.Remaining, LocalDate.FromDateOnly(x.Purchase.ValidUntil))).ToList(),
                tenantUsage.Bot,
                tenantUsage.Forward,
                period);
            bills.Add(new TenantBill(tenant, assignment, plans[assignment.PlanId], version, tenantUsage,
                packages.Select(x => x.Purchase).ToList(), preview));
        }

        return new BillingComputation(period,
            bills.OrderBy(b => b.Tenant.CompanyName, StringComparer.CurrentCulture).ToList(),
            problems.OrderBy(p => p.Company, StringComparer.CurrentCulture).ToList());
    }
}
