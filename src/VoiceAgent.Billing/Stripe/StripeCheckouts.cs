using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Security;
using Sdk = global::Stripe;

namespace VoiceAgent.Billing.Stripe;

/// <summary>
/// A tenant buys a minute package: the offer is priced for the tenant (net + VAT by its tax rule), recorded and committed,
/// then a Checkout Session is created with the secret key; the browser is only redirected to Stripe's page. The package is
/// credited by the webhook (<see cref="StripeWebhooks"/>), never by the success redirect.
/// </summary>
public sealed class StripeCheckouts(IServiceScopeFactory scopes, StripeApi stripe, TimeProvider time)
{
    public async Task<bool> IsConfiguredAsync(CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var settings = scope.ServiceProvider.GetRequiredService<SettingsStore>();
        return !string.IsNullOrEmpty(await settings.GetAsync(StripeKeys.SecretKeySetting, ct))
               && !string.IsNullOrEmpty(await settings.GetAsync(StripeKeys.WebhookSecretSetting, ct));
    }

    /// <param name="returnBase">Origin + path the customer returns to, e.g. https://portal.example/app/billing.</param>
    /// <returns>The Stripe Checkout URL to redirect to.</returns>
    public async Task<string> StartAsync(Guid tenantId, Guid packageId, string returnBase, Actor actor, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var secretKey = await scope.ServiceProvider.GetRequiredService<SettingsStore>().GetAsync(StripeKeys.SecretKeySetting, ct);
        if (string.IsNullOrEmpty(secretKey) || !StripeKeys.IsServerKey(secretKey))
        {
            throw new BillingException(BillingErrorCodes.CheckoutNotConfigured);
        }

        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        db.Scope.UseTenant(tenantId);
        StripeCheckout checkout;
        string email;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            var offer = await db.PackageOffers.AsNoTracking().SingleOrDefaultAsync(p => p.Id == packageId && p.Active, ct)
                        ?? throw new BillingException(BillingErrorCodes.PackageNotOffered);
            var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == tenantId, ct);
            email = tenant.Email;
            var tax = VatRules.For(tenant.Country, tenant.VatId);
            var taxCents = Money.RoundToCents(offer.PriceCents * tax.RatePercent / 100m);
            checkout = new StripeCheckout
            {
                Id = Guid.NewGuid(),
                TenantId = tenantId,
                PackageId = offer.Id,
                Name = offer.Name,
                Minutes = offer.Minutes,
                ValidityMonths = offer.ValidityMonths,
                NetCents = offer.PriceCents,
                TaxRatePercent = tax.RatePercent,
                TaxCents = taxCents,
                GrossCents = offer.PriceCents + taxCents,
                Status = CheckoutStatuses.Created,
                CreatedAt = time.GetUtcNow(),
                CreatedBy = actor.Email,
            };
            db.StripeCheckouts.Add(checkout);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        var id = checkout.Id.ToString();
        var metadata = new Dictionary<string, string>
        {
            ["tenant_id"] = tenantId.ToString(),
            ["checkout_id"] = id,
        };
        var options = new Sdk.Checkout.SessionCreateOptions
        {
            Mode = "payment",
            LineItems =
            [
                new Sdk.Checkout.SessionLineItemOptions
                {
                    PriceData = new Sdk.Checkout.SessionLineItemPriceDataOptions
                    {
                        Currency = "eur",
                        UnitAmount = checkout.GrossCents,
                        ProductData = new Sdk.Checkout.SessionLineItemPriceDataProductDataOptions { Name = $"{checkout.Name} ({checkout.Minutes} Minuten)" },
                    },
                    Quantity = 1,
                },
            ],
            SuccessUrl = returnBase + "?checkout=success&session_id={CHECKOUT_SESSION_ID}",
            CancelUrl = returnBase + "?checkout=cancelled",
            ClientReferenceId = tenantId.ToString(),
            Metadata = new Dictionary<string, string>(metadata) { ["minutes"] = checkout.Minutes.ToString(CultureInfo.InvariantCulture) },
            PaymentIntentData = new Sdk.Checkout.SessionPaymentIntentDataOptions { Metadata = metadata },
            CustomerEmail = email,
            Locale = "de",
        };

        CheckoutSession session;
        try
        {
            session = await stripe.CreateCheckoutSessionAsync(secretKey, options, "checkout-" + id, ct);
        }
        catch (StripeApiException ex)
        {
            await UpdateAsync(db, checkout.Id, c =>
            {
                c.Status = CheckoutStatuses.Failed;
                c.Failure = ex.Message;
            }, ct);
            throw new BillingException(BillingErrorCodes.CheckoutFailed, ex.Message);
        }

        await UpdateAsync(db, checkout.Id, c =>
        {
            c.SessionId = session.Id;
            c.Status = CheckoutStatuses.Open;
        }, ct);
        return session.Url;
    }

    private static async Task UpdateAsync(VoiceAgentDb db, Guid id, Action<StripeCheckout> change, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var row = await db.StripeCheckouts.SingleAsync(c => c.Id == id, ct);
        change(row);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }
}
