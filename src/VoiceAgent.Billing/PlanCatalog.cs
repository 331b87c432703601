using Microsoft.EntityFrameworkCore;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Cluster;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Http;

namespace VoiceAgent.Billing;

public sealed record PlanPrices(long BaseFeeCents, int IncludedBotMinutes, int IncludedForwardMinutes, decimal BotRateCents, decimal ForwardRateCents,
    string Increment);

/// <summary>
/// The super-admin's plans, their prices and the tenants' assignments (packages on sale: <see cref="PackageCatalog"/>). Prices are versioned: a change is a new version from the 1st of a
/// later month, so the current period and every past invoice keep their prices (the database refuses edits of a version).
/// A tenant's plan changes on the 1st of a month; only its first plan may start mid-month (prorated).
/// </summary>
public sealed class PlanCatalog(VoiceAgentDb db, TimeProvider time, IClusterEvents events)
{
    public async Task<PricePlan> CreatePlanAsync(string name, string? description, PlanPrices prices, Actor actor, CancellationToken ct = default)
    {
        Validate(prices);
        name = name?.Trim() ?? "";
        if (name.Length is 0 or > 100)
        {
            throw new BillingException(BillingErrorCodes.PlanNameInvalid);
        }

        if (await db.PricePlans.AnyAsync(p => p.Name == name, ct))
        {
            throw new BillingException(BillingErrorCodes.PlanNameTaken, name);
        }

        var plan = new PricePlan { Id = Guid.NewGuid(), Name = name, Description = string.IsNullOrWhiteSpace(description) ? null : description.Trim(), CreatedAt = time.GetUtcNow() };
        db.PricePlans.Add(plan);
        db.PricePlanVersions.Add(Version(plan.Id, 1, prices, CurrentPeriod().ToColumn(), actor));
        db.Record(time, actor, BillingAuditActions.PlanCreated, null, $"{name}: {Describe(prices)}");
        await db.SaveChangesAsync(ct);
        return plan;
    }

    /// <summary>New prices from period <paramref name="from"/> (after the current one) on; the previous version ends the day before.</summary>
    public async Task<PricePlanVersion> ChangePricesAsync(Guid planId, PlanPrices prices, BillingPeriod from, Actor actor, CancellationToken ct = default)
    {
        Validate(prices);
        if (from <= CurrentPeriod())
        {
            throw new BillingException(BillingErrorCodes.PricesFromNextMonth, CurrentPeriod().Next.ToColumn());
        }

        var validFrom = from.ToColumn();

        var plan = await db.PricePlans.SingleOrDefaultAsync(p => p.Id == planId, ct) ?? throw new BillingException(BillingErrorCodes.PlanNotFound);
        var versions = await db.PricePlanVersions.Where(v => v.PlanId == planId).OrderBy(v => v.Version).ToListAsync(ct);
        var latest = versions[^1];
        if (latest.ValidFrom >= validFrom)
        {
            throw new BillingException(BillingErrorCodes.PricesAfterLatestVersion, latest.Version, latest.ValidFrom);
        }

        if (latest.ValidUntil is null || latest.ValidUntil >= validFrom)
        {
            latest.ValidUntil = validFrom.AddDays(-1);
        }

        var version = Version(planId, latest.Version + 1, prices, validFrom, actor);
        db.PricePlanVersions.Add(version);
        db.Record(time, actor, BillingAuditActions.PlanVersionAdded, null, $"{plan.Name} v{version.Version} ab {GermanFormat.Date(validFrom)}: {Describe(prices)}");
        await db.SaveChangesAsync(ct);
        return version;
    }

    /// <summary>
    /// Puts a tenant on a plan from <paramref name="startDate"/>. With a plan already running, the change starts on the 1st
    /// of a month and the running plan ends the day before; the first plan may start on any day.
    /// </summary>
    public async Task<TenantPlan> AssignAsync(Guid tenantId, Guid planId, DateOnly startDate, Actor actor, CancellationToken ct = default)
    {
        if (!await db.Tenants.AnyAsync(t => t.Id == tenantId, ct))
        {
            throw new BillingException(BillingErrorCodes.TenantNotFound);
        }

        var plan = await db.PricePlans.SingleOrDefaultAsync(p => p.Id == planId, ct) ?? throw new BillingException(BillingErrorCodes.PlanNotFound);
        var lastInvoiced = await db.Invoices
            .Where(i => i.TenantId == tenantId && i.Kind == InvoiceKinds.Monthly && i.Status != InvoiceStatuses.Draft && i.Status != InvoiceStatuses.Cancelled)
            .MaxAsync(i => (DateOnly?)i.Period, ct);
        if (lastInvoiced is { } column && BillingPeriod.Of(column) is var invoiced && startDate <= invoiced.LastDay.ToDateOnly())
        {
            throw new BillingException(BillingErrorCodes.PlanAlreadyInvoiced, invoiced.FirstDay.ToDateOnly(), invoiced.Next.FirstDay.ToDateOnly());
        }

        var assignments = await db.TenantPlans.Where(a => a.TenantId == tenantId).OrderBy(a => a.StartDate).ToListAsync(ct);
        if (assignments.Any(a => a.StartDate >= startDate))
        {
            throw new BillingException(BillingErrorCodes.PlanAssignmentExists);
        }

        var running = assignments.LastOrDefault(a => a.EndDate is null || a.EndDate >= startDate);
        if (running is not null)
        {
            if (startDate.Day != 1)
            {
                throw new BillingException(BillingErrorCodes.PlanChangeFirstOfMonth);
            }

            running.EndDate = startDate.AddDays(-1);
        }

        var assignment = new TenantPlan
        {
            Id = Guid.NewGuid(),
            TenantId = tenantId,
            PlanId = planId,
            StartDate = startDate,
            CreatedAt = time.GetUtcNow(),
            CreatedBy = actor.Email,
        };
        db.TenantPlans.Add(assignment);
        db.Record(time, actor, BillingAuditActions.PlanAssigned, tenantId, $"{plan.Name} ab {GermanFormat.Date(startDate)}");
        await db.SaveChangesAsync(ct);
        await events.PublishAsync(db, TenantPlanNames.Topic, tenantId.ToString(), ct);
        return assignment;
    }

    /// <summary>The month being used now (prices of running and past periods are fixed).</summary>
    public BillingPeriod CurrentPeriod() => BillingPeriod.Containing(time.GetUtcNow());

    private PricePlanVersion Version(Guid planId, int version, PlanPrices prices, DateOnly validFrom, Actor actor) => new()
    {
        Id = Guid.NewGuid(),
        PlanId = planId,
        Version = version,
        BaseFeeCents = prices.BaseFeeCents,
        IncludedBotMinutes = prices.IncludedBotMinutes,
        IncludedForwardMinutes = prices.IncludedForwardMinutes,
        BotRateCents = prices.BotRateCents,
        ForwardRateCents = prices.ForwardRateCents,
        Increment = prices.Increment,
        ValidFrom = validFrom,
        CreatedAt = time.GetUtcNow(),
        CreatedBy = actor.Email,
    };

    private static void Validate(PlanPrices p)
    {
        if (p.BaseFeeCents is < 0 or > 1_000_000_000 || p.IncludedBotMinutes < 0 || p.IncludedForwardMinutes < 0
            || p.BotRateCents is < 0 or > 100_000_000 || p.ForwardRateCents is < 0 or > 100_000_000
            || decimal.Round(p.BotRateCents, 4) != p.BotRateCents || decimal.Round(p.ForwardRateCents, 4) != p.ForwardRateCents
            || p.Increment is not (Increments.Second or Increments.Minute))
        {
            throw new BillingException(BillingErrorCodes.PricesInvalid);
        }
    }

    private static string Describe(PlanPrices p) =>
        $"{GermanFormat.Euro(p.BaseFeeCents)} Grundgebühr, {p.IncludedBotMinutes}/{p.IncludedForwardMinutes} min inkl., {p.BotRateCents}/{p.ForwardRateCents} ct, Takt {p.Increment}";
}
