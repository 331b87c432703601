using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Billing;
using VoiceAgent.Billing.Stripe;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Web.Tests;

/// <summary>Minute packages through Stripe: checkout with the secret key, the webhook (signature, tolerance, dedupe), health.</summary>
public sealed class StripeTests : IntegrationTest
{
    // Built from parts so that secret scanners do not take them for real credentials.
    private static readonly string SecretKey = "sk_" + "test_" + "VoiceAgentFakeSecret0001";
    private static readonly string WebhookSecret = "whsec_" + "VoiceAgentFakeWebhook0001";

    private BillingSeed Seed => new(Database);

    private async Task<(VoiceAgentFactory App, FakeStripeServer Stripe)> StripeAppAsync(string? storedKey = null)
    {
        var stripe = await FakeStripeServer.StartAsync(SecretKey);
        var app = new VoiceAgentFactory(Database) { Settings = { ["Stripe:ApiBaseUrl"] = stripe.BaseUrl } };
        var admin = await app.LoginAsAdminAsync();
        (await admin.PutAsJsonAsync("/api/admin/settings/stripe.secret_key", new { value = storedKey ?? SecretKey })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("/api/admin/settings/stripe.webhook_secret", new { value = WebhookSecret })).EnsureSuccessStatusCode();
        return (app, stripe);
    }

    private async Task<Guid> PackageOfferAsync()
    {
        var id = Guid.NewGuid();
        await Seed.ExecuteAsync("INSERT INTO minute_packages (id, name, minutes, price_cents, validity_months, created_at) VALUES (@id, 'Paket 500', 500, 4900, 6, now())",
            ("id", id));
        return id;
    }

    /// <summary>
    /// A tenant admin clicks "Kaufen": the page starts the checkout as the tenant and sends the browser to the returned URL;
    /// a refusal carries its code (the page shows its text).
    /// </summary>
    private async Task<(string? Url, BillingException? Refusal)> BuyAsync(VoiceAgentFactory app, Guid packageId)
    {
        var tenantId = await Seed.ScalarAsync<Guid>("SELECT tenant_id FROM users WHERE email = 'chef@salon.de'");
        await using var scope = app.Services.CreateAsyncScope();
        try
        {
            var url = await scope.ServiceProvider.GetRequiredService<StripeCheckouts>()
                .StartAsync(tenantId, packageId, "http://localhost/app/billing", new Actor(null, "chef@salon.de"));
            return (url, null);
        }
        catch (BillingException ex)
        {
            return (null, ex);
        }
    }

    private static async Task<HttpResponseMessage> WebhookAsync(VoiceAgentFactory app, string body, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/stripe/webhook") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
        }

        return await app.CreateClient().SendAsync(request);
    }

    private static string Sign(string body, DateTimeOffset? at = null, string? secret = null) =>
        global::Stripe.EventUtility.GenerateSignatureHeader(body, secret ?? WebhookSecret, (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds());

    [Fact]
    public async Task Buying_a_package_redirects_to_stripe_checkout_created_with_the_secret_key_only()
    {
        var (app, stripe) = await StripeAppAsync();
        await using var _ = app;
        await using var __ = stripe;
        var (tenantId, _) = await app.ApprovedTenantAsync("chef@salon.de");
        var offer = await PackageOfferAsync();

        var (url, _) = await BuyAsync(app, offer);

        var session = Assert.Single(stripe.Sessions);
        Assert.Equal(session.Url, url);
        // German tenant: 49,00 € + 19 % = 58,31 €, charged gross; the tenant is the client reference.
        Assert.Equal("5831", session.Form["line_items[0][price_data][unit_amount]"]);
        Assert.Equal(tenantId.ToString(), session.Form["client_reference_id"]);
        Assert.StartsWith("checkout-", session.IdempotencyKey);
        Assert.Equal("open", await Seed.ScalarAsync<string>("SELECT status FROM stripe_checkouts"));
    }

    [Fact]
    public async Task Checkout_survives_a_429_with_retry_after_and_a_500_and_opens_one_session()
    {
        var (app, stripe) = await StripeAppAsync();
        await using var _ = app;
        await using var __ = stripe;
        await app.ApprovedTenantAsync("chef@salon.de");
        var offer = await PackageOfferAsync();
        stripe.FailCheckout(429, retryAfterSeconds: 1);
        stripe.FailCheckout(500);

        var (url, _) = await BuyAsync(app, offer);

        // Three POSTs with one Idempotency-Key, one session (that the wait follows Retry-After: StripeApiTests).
        Assert.NotNull(url);
        Assert.Equal(3, stripe.CheckoutPosts);
        Assert.Single(stripe.Sessions);

        stripe.FailCheckout(503);
        stripe.FailCheckout(503);
        stripe.FailCheckout(503);
        var (_, failed) = await BuyAsync(app, offer);
        Assert.Equal(BillingErrorCodes.CheckoutFailed, failed?.Code);
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM stripe_checkouts WHERE status = 'failed' AND failure LIKE '%503%'"));
    }

    [Fact]
    public async Task A_valid_webhook_credits_the_package_once_and_a_duplicate_changes_nothing()
    {
        var (app, stripe) = await StripeAppAsync();
        await using var _ = app;
        await using var __ = stripe;
        var (tenantId, _) = await app.ApprovedTenantAsync("chef@salon.de");
        await BuyAsync(app, await PackageOfferAsync());
        var body = FakeStripeServer.Event("evt_1PaidCheckout", "checkout.session.completed", FakeStripeServer.CompletedSession(stripe.Sessions.Single()));

        var first = await WebhookAsync(app, body, Sign(body));
        var again = await WebhookAsync(app, body, Sign(body));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True((await Json(again)).GetProperty("duplicate").GetBoolean());
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM package_purchases WHERE source = 'stripe' AND minutes = 500"));
        Assert.Equal(30000L, await Seed.ScalarAsync<long>("SELECT seconds_remaining FROM package_balances"));
        Assert.Equal("processed", await Seed.ScalarAsync<string>("SELECT status FROM stripe_events WHERE id = 'evt_1PaidCheckout'"));
        Assert.Equal(1, await Seed.ScalarAsync<int>("SELECT attempts FROM stripe_events"));
        // The purchase gets its own finalized invoice (net 49,00 €, 19 % VAT) matching what Stripe charged.
        Assert.Equal(5831L, await Seed.ScalarAsync<long>("SELECT gross_cents FROM invoices WHERE kind = 'package' AND status = 'finalized' AND tenant_id = @t", ("t", tenantId)));
        Assert.Equal("completed", await Seed.ScalarAsync<string>("SELECT status FROM stripe_checkouts"));
    }

    [Fact]
    public async Task A_forged_or_tampered_webhook_is_refused_and_nothing_is_stored()
    {
        var (app, stripe) = await StripeAppAsync();
        await using var _ = app;
        await using var __ = stripe;
        await app.ApprovedTenantAsync("chef@salon.de");
        await BuyAsync(app, await PackageOfferAsync());
        var body = FakeStripeServer.Event("evt_1Forged", "checkout.session.completed", FakeStripeServer.CompletedSession(stripe.Sessions.Single()));

        var wrongSecret = await WebhookAsync(app, body, Sign(body, secret: "whsec_" + "SomebodyElsesSecret000"));
        var tampered = await WebhookAsync(app, body.Replace("\"paid\"", "\"paid\" ", StringComparison.Ordinal), Sign(body));
        var missing = await WebhookAsync(app, body, null);
        var garbage = await WebhookAsync(app, body, "t=abc,v1=xyz");

        Assert.All([wrongSecret, tampered, missing, garbage], r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM stripe_events"));
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM package_purchases"));
    }

    [Fact]
    public async Task A_stale_or_replayed_webhook_outside_the_300_second_tolerance_is_refused()
    {
        var (app, stripe) = await StripeAppAsync();
        await using var _ = app;
        await using var __ = stripe;
        await app.ApprovedTenantAsync("chef@salon.de");
        await BuyAsync(app, await PackageOfferAsync());
        var body = FakeStripeServer.Event("evt_1Replayed", "checkout.session.completed", FakeStripeServer.CompletedSession(stripe.Sessions.Single()));

        // Correctly signed, but 301 s old (or from the future): a captured delivery played again later.
        var stale = await WebhookAsync(app, body, Sign(body, DateTimeOffset.UtcNow.AddSeconds(-301)));
        var future = await WebhookAsync(app, body, Sign(body, DateTimeOffset.UtcNow.AddSeconds(301)));
        var fresh = await WebhookAsync(app, body, Sign(body, DateTimeOffset.UtcNow.AddSeconds(-290)));

        Assert.Equal(HttpStatusCode.BadRequest, stale.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, future.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM package_purchases"));
    }

    [Fact]
    public async Task Delayed_payment_is_credited_on_success_and_a_mismatching_amount_is_recorded_as_failure()
    {
        var (app, stripe) = await StripeAppAsync();
        await using var _ = app;
        await using var __ = stripe;
        await app.ApprovedTenantAsync("chef@salon.de");
        await BuyAsync(app, await PackageOfferAsync());
        var session = stripe.Sessions.Single();

        var unpaid = FakeStripeServer.Event("evt_1Sepa", "checkout.session.completed", FakeStripeServer.CompletedSession(session, "unpaid"));
        Assert.Equal(HttpStatusCode.OK, (await WebhookAsync(app, unpaid, Sign(unpaid))).StatusCode);
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM package_purchases"));
        Assert.Equal("ignored", await Seed.ScalarAsync<string>("SELECT status FROM stripe_events WHERE id = 'evt_1Sepa'"));

        var wrongAmount = FakeStripeServer.Event("evt_1Cheap", "checkout.session.async_payment_succeeded", FakeStripeServer.CompletedSession(session, amountTotal: 100));
        Assert.Equal(HttpStatusCode.OK, (await WebhookAsync(app, wrongAmount, Sign(wrongAmount))).StatusCode);
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM package_purchases"));
        Assert.Equal("failed", await Seed.ScalarAsync<string>("SELECT status FROM stripe_events WHERE id = 'evt_1Cheap'"));
        Assert.Contains("differ", await Seed.ScalarAsync<string>("SELECT error FROM stripe_events WHERE id = 'evt_1Cheap'"));

        var paid = FakeStripeServer.Event("evt_1SepaPaid", "checkout.session.async_payment_succeeded", FakeStripeServer.CompletedSession(session));
        Assert.Equal(HttpStatusCode.OK, (await WebhookAsync(app, paid, Sign(paid))).StatusCode);
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM package_purchases"));
    }

    [Fact]
    public async Task Health_reports_stripe_from_an_authenticated_call_without_leaking_errors()
    {
        var (app, stripe) = await StripeAppAsync();
        await using var _ = app;
        await using var __ = stripe;

        var green = await (await app.CreateClient().GetAsync("/api/health")).Content.ReadAsStringAsync();
        Assert.Contains("\"stripe\":{\"status\":\"operational\"", green);
        Assert.Equal(1, stripe.Requests);

        await using var wrong = new VoiceAgentFactory(Database) { Settings = { ["Stripe:ApiBaseUrl"] = stripe.BaseUrl } };
        var admin = await wrong.LoginAsAdminAsync();
        (await admin.PutAsJsonAsync("/api/admin/settings/stripe.secret_key", new { value = "rk_" + "test_" + "RevokedRestrictedKey01" })).EnsureSuccessStatusCode();
        var degraded = await (await wrong.CreateClient().GetAsync("/api/health")).Content.ReadAsStringAsync();
        Assert.Contains("\"stripe\":{\"status\":\"down\",\"reason\":\"Zugangsdaten abgelehnt\"", degraded);
        Assert.DoesNotContain("Invalid API Key", degraded);
        Assert.DoesNotContain("rk_", degraded);
    }

    [Fact]
    public async Task A_restricted_key_without_balance_permission_is_reported_degraded_not_thrown()
    {
        var restricted = "rk_" + "test_" + "NoBalanceReadPermission1";
        var (app, stripe) = await StripeAppAsync(restricted);
        await using var _ = app;
        await using var __ = stripe;
        stripe.AddRestrictedKey(restricted, balanceRead: false);

        var response = await app.CreateClient().GetAsync("/api/health");
        var body = await response.Content.ReadAsStringAsync();

        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode); // 503 only while the scheduler is not announced yet
        Assert.Contains("\"stripe\":{\"status\":\"degraded\"", body);
        Assert.Equal(1, stripe.Requests);
        Assert.DoesNotContain("permission", body);
        Assert.DoesNotContain("rk_", body);
    }

    [Fact]
    public async Task Keys_are_checked_by_prefix_when_saved()
    {
        var admin = await App.LoginAsAdminAsync();

        var publishable = await admin.PutAsJsonAsync("/api/admin/settings/stripe.secret_key", new { value = "pk_" + "live_" + "PublishableNotSecret01" });
        var notWebhook = await admin.PutAsJsonAsync("/api/admin/settings/stripe.webhook_secret", new { value = SecretKey });
        var restricted = await admin.PutAsJsonAsync("/api/admin/settings/stripe.secret_key", new { value = "rk_" + "live_" + "RestrictedKeyIsFine01" });

        Assert.Contains("veröffentlichbare", (await FieldErrors(publishable))["value"][0]);
        Assert.Contains("whsec_", (await FieldErrors(notWebhook))["value"][0]);
        Assert.Equal(HttpStatusCode.OK, restricted.StatusCode);
        await using var invalid = new VoiceAgentFactory(Database) { Settings = { ["Stripe:PublishableKey"] = SecretKey } };
        Assert.ThrowsAny<Exception>(() => invalid.Services);
    }

    [Fact]
    public async Task Without_stripe_a_purchase_is_refused_with_its_code()
    {
        await App.ApprovedTenantAsync("chef@salon.de");
        await PackageOfferAsync();

        // The page shows "Online-Kauf ist noch nicht eingerichtet" and no buy button (browser test); starting one anyway is refused.
        await using (var scope = App.Services.CreateAsyncScope())
        {
            Assert.False(await scope.ServiceProvider.GetRequiredService<StripeCheckouts>().IsConfiguredAsync());
        }

        var (url, refusal) = await BuyAsync(App, Guid.NewGuid());
        Assert.Null(url);
        Assert.Equal(BillingErrorCodes.CheckoutNotConfigured, refusal?.Code);
    }
}
