using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using VoiceAgent.Platform;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Billing.Stripe;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Email;

namespace VoiceAgent.Billing;

/// <summary>
/// Minute packages reaching a tenant: paid through Stripe (credited from the webhook, with a package invoice) or granted
/// by the super-admin (free, no invoice). A package is valid for its months from the day it is credited.
/// </summary>
public sealed class PackageCredits(InvoiceFinalizer finalizer, IOptionsMonitor<BillingOptions> options, TimeProvider time, ILogger<PackageCredits> logger)
{
    /// <summary>Credits the checkout's package inside the caller's transaction; a second call for the same session does nothing.</summary>
    public async Task CreditFromCheckoutAsync(VoiceAgentDb db, MailOutbox mails, JsonElement session, CancellationToken ct)
    {
        var sessionId = session.GetProperty("id").GetString() ?? throw new StripeEventException("Checkout session without id.", permanent: true);
        var checkoutId = session.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                         && metadata.TryGetProperty("checkout_id", out var idValue) && Guid.TryParse(idValue.GetString(), out var parsed)
            ? parsed
            : throw new StripeEventException($"Checkout {sessionId} is not from this platform (metadata.checkout_id missing).", permanent: true);
        var tenantId = (await db.Database.SqlQuery<Guid?>($"SELECT stripe_checkout_tenant({checkoutId}) AS \"Value\"").ToListAsync(ct)).Single()
                       ?? throw new StripeEventException($"Checkout {checkoutId} is unknown.", permanent: true);
        var reference = session.TryGetProperty("client_reference_id", out var referenceValue) ? referenceValue.GetString() : null;
        if (reference != tenantId.ToString())
        {
            throw new StripeEventException($"Checkout {checkoutId}: client_reference_id does not match the tenant.", permanent: true);
        }

        db.Scope.UseTenant(tenantId);
        await db.ApplyScopeAsync(ct);
        var checkout = await db.StripeCheckouts.SingleAsync(c => c.Id == checkoutId, ct);
        if (await db.PackagePurchases.AnyAsync(p => p.StripeSessionId == sessionId, ct))
        {
            return;
        }

        var amount = session.TryGetProperty("amount_total", out var total) && total.ValueKind == JsonValueKind.Number ? total.GetInt64() : -1;
        var currency = session.TryGetProperty("currency", out var cur) ? cur.GetString() : null;
        if ((checkout.SessionId is { } expected && expected != sessionId) || amount != checkout.GrossCents || currency != "eur")
        {
            checkout.Status = CheckoutStatuses.Failed;
            checkout.Failure = "Zahlung passt nicht zum Checkout (Sitzung, Betrag oder Währung).";
            await db.SaveChangesAsync(ct);
            throw new StripeEventException($"Checkout {checkoutId}: session/amount/currency differ ({amount} {currency}).", permanent: true);
        }

        var now = time.GetUtcNow();
        var today = Instant.FromDateTimeOffset(now).InZone(BusinessTime.Zone).Date.ToDateOnly();
        var purchase = new PackagePurchase
        {
            Id = Guid.NewGuid(),
            TenantId = tenantId,
            PackageId = checkout.PackageId,
            Name = checkout.Name,
            Minutes = checkout.Minutes,
            PriceCents = checkout.NetCents,
            ValidUntil = today.AddMonths(checkout.ValidityMonths),
            Source = PurchaseSources.Stripe,
            StripeSessionId = sessionId,
            PurchasedAt = now,
            CreatedBy = "stripe",
        };
        db.PackagePurchases.Add(purchase);
        checkout.Status = CheckoutStatuses.Completed;
        checkout.SessionId = sessionId;
        checkout.CompletedAt = now;
        checkout.Failure = null;

        var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == tenantId, ct);
        var tax = VatRules.For(tenant.Country, tenant.VatId);
        var invoice = new Invoice
        {
            Id = Guid.NewGuid(),
            TenantId = tenantId,
            Kind = InvoiceKinds.Package,
            Status = InvoiceStatuses.Draft,
            Period = new DateOnly(today.Year, today.Month, 1),
            ServiceFrom = today,
            ServiceUntil = today,
            PurchaseId = purchase.Id,
            Issuer = InvoiceParty.Issuer(options.CurrentValue.Issuer).ToJson(),
            Recipient = InvoiceParty.Recipient(tenant).ToJson(),
            NetCents = checkout.NetCents,
            TaxRatePercent = checkout.TaxRatePercent,
            TaxCents = checkout.TaxCents,
            GrossCents = checkout.GrossCents,
            TaxRule = InvoicePreviewJson.TaxRuleName(tax.Rule),
            TaxNote = tax.Note,
            CreatedAt = now,
            UpdatedAt = now,
            CreatedBy = "stripe",
            Lines =
            [
                new InvoiceItem
                {
                    Position = 1,
                    TenantId = tenantId,
                    Kind = LineKinds.Package,
                    Description = $"Minutenpaket „{checkout.Name}“: {checkout.Minutes} Bot-Minuten, gültig bis {GermanFormat.Date(purchase.ValidUntil)}",
                    Quantity = 1,
                    Unit = "Stück",
                    UnitPriceCents = checkout.NetCents,
                    AmountCents = checkout.NetCents,
                },
            ],
        };
        db.Invoices.Add(invoice);
        db.Record(time, new Actor(null, "stripe"), BillingAuditActions.PackagePurchased, tenantId,
            $"{checkout.Name} ({checkout.Minutes} min) {GermanFormat.Euro(checkout.GrossCents)} {sessionId}");
        await db.SaveChangesAsync(ct);

        db.Scope.UsePlatform();
        await db.ApplyScopeAsync(ct);
        try
        {
            await finalizer.FinalizeInTransactionAsync(db, mails, invoice.Id, new Actor(null, "stripe"), ct);
        }
        catch (BillingException ex)
        {
            // The package is credited regardless; the invoice waits as a draft for the super-admin.
            logger.LogWarning("Package invoice {InvoiceId} stays a draft: {Message}", invoice.Id, ex.Message);
        }
    }

    public async Task RecordCheckoutFailureAsync(VoiceAgentDb db, Guid? checkoutId, string reason, CancellationToken ct)
    {
        if (checkoutId is not { } id)
        {
            return;
        }

        var checkout = await db.StripeCheckouts.SingleOrDefaultAsync(c => c.Id == id, ct);
        if (checkout is null || checkout.Status == CheckoutStatuses.Completed)
        {
            return;
        }

        checkout.Status = CheckoutStatuses.Failed;
        checkout.Failure = reason;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The super-admin gives a tenant minutes (goodwill, correction): no price, no invoice, audited.</summary>
    public async Task<PackagePurchase> GrantAsync(VoiceAgentDb db, Guid tenantId, string name, int minutes, DateOnly validUntil, string? note, Actor actor,
        CancellationToken ct)
    {
        if (minutes is < 1 or > 1_000_000)
        {
            throw new BillingException(BillingErrorCodes.GrantMinutes);
        }

        if (!await db.Tenants.AnyAsync(t => t.Id == tenantId, ct))
        {
            throw new BillingException(BillingErrorCodes.TenantNotFound);
        }

        var purchase = new PackagePurchase
        {
            Id = Guid.NewGuid(),
            TenantId = tenantId,
            Name = string.IsNullOrWhiteSpace(name) ? "Gutschrift" : name.Trim(),
            Minutes = minutes,
            PriceCents = 0,
            ValidUntil = validUntil,
            Source = PurchaseSources.Admin,
            PurchasedAt = time.GetUtcNow(),
            CreatedBy = actor.Email,
            Note = string.IsNullOrWhiteSpace(note) ? null : note.Trim(),
        };
        db.PackagePurchases.Add(purchase);
        db.Record(time, actor, BillingAuditActions.PackageGranted, tenantId, $"{purchase.Name}: {minutes} min bis {GermanFormat.Date(validUntil)}", note);
        await db.SaveChangesAsync(ct);
        return purchase;
    }
}
