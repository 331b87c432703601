using Microsoft.EntityFrameworkCore;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Billing;

/// <summary>The minute packages on sale (the super-admin's list); buying one is <see cref="Stripe.StripeCheckouts"/>.</summary>
public sealed class PackageCatalog(VoiceAgentDb db, TimeProvider time)
{
    public async Task<PackageOffer> CreatePackageAsync(string name, int minutes, long priceCents, int validityMonths, Actor actor, CancellationToken ct = default)
    {
        name = name?.Trim() ?? "";
        if (name.Length is 0 or > 100 || minutes is < 1 or > 1_000_000 || priceCents is < 0 or > 1_000_000_000 || validityMonths is < 1 or > 60)
        {
            throw new BillingException(BillingErrorCodes.PackageInvalid);
        }

        var offer = new PackageOffer
        {
            Id = Guid.NewGuid(),
            Name = name,
            Minutes = minutes,
            PriceCents = priceCents,
            ValidityMonths = validityMonths,
            CreatedAt = time.GetUtcNow(),
        };
        db.PackageOffers.Add(offer);
        db.Record(time, actor, BillingAuditActions.PackageCreated, null, $"{name}: {minutes} min, {GermanFormat.Euro(priceCents)} netto, {validityMonths} Monate");
        await db.SaveChangesAsync(ct);
        return offer;
    }

    /// <summary>Packages are never edited (purchases refer to them); they are withdrawn from sale and replaced.</summary>
    public async Task SetPackageActiveAsync(Guid packageId, bool active, Actor actor, CancellationToken ct = default)
    {
        var offer = await db.PackageOffers.SingleOrDefaultAsync(p => p.Id == packageId, ct) ?? throw new BillingException(BillingErrorCodes.PackageNotFound);
        offer.Active = active;
        db.Record(time, actor, BillingAuditActions.PackageChanged, null, $"{offer.Name}: {(active ? "im Angebot" : "nicht mehr im Angebot")}");
        await db.SaveChangesAsync(ct);
    }
}
