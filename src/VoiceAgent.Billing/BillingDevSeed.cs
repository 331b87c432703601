using Microsoft.EntityFrameworkCore;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Ports;

namespace VoiceAgent.Billing;

/// <summary>Development only (<c>voiceagent dev seed</c>): a plan for the demo tenant and two minute packages to buy.</summary>
public sealed class BillingDevSeed(VoiceAgentDb db, TimeProvider time) : IDemoTenantSeed
{
    public int Order => 10;

    public Task SeedAsync(Guid demoTenantId, CancellationToken ct) =>
        db.InScopeAsync(s => s.UsePlatform(), async () =>
        {
            if (await db.PricePlans.AnyAsync(ct))
            {
                return true;
            }

            var now = time.GetUtcNow();
            var first = BillingPeriod.Containing(now).Previous.ToColumn();
            var plan = new PricePlan { Id = Guid.NewGuid(), Name = "Standard", Description = "Entwicklungs-Tarif", CreatedAt = now };
            db.PricePlans.Add(plan);
            db.PricePlanVersions.Add(new PricePlanVersion
            {
                Id = Guid.NewGuid(), PlanId = plan.Id, Version = 1, BaseFeeCents = 4900, IncludedBotMinutes = 300, IncludedForwardMinutes = 60,
                BotRateCents = 12m, ForwardRateCents = 9m, Increment = Increments.Minute, ValidFrom = first, CreatedAt = now, CreatedBy = "dev-seed",
            });
            db.TenantPlans.Add(new TenantPlan { Id = Guid.NewGuid(), TenantId = demoTenantId, PlanId = plan.Id, StartDate = first, CreatedAt = now, CreatedBy = "dev-seed" });
            db.PackageOffers.Add(new PackageOffer { Id = Guid.NewGuid(), Name = "Paket 500", Minutes = 500, PriceCents = 4900, ValidityMonths = 6, CreatedAt = now });
            db.PackageOffers.Add(new PackageOffer { Id = Guid.NewGuid(), Name = "Paket 2000", Minutes = 2000, PriceCents = 17900, ValidityMonths = 12, CreatedAt = now });
            await db.SaveChangesAsync(ct);
            return true;
        }, ct);
}
