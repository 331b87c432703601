using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VoiceAgent.Billing.Stripe;
using VoiceAgent.Platform.Tests.Speech;
using VoiceAgent.Testing.Fakes;
using Sdk = Stripe;

namespace VoiceAgent.Platform.Tests.Billing;

/// <summary>Stripe.net against the fake through our one retry policy: what is retried, how long it waits, what is reported.</summary>
public sealed class StripeApiTests
{
    private static readonly string SecretKey = "sk_" + "test_" + "VoiceAgentFakeSecret0001";

    private static (StripeApi Api, CapturingLogger<StripeApi> Log, ServiceProvider Services) Create(FakeStripeServer stripe)
    {
        var log = new CapturingLogger<StripeApi>();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<ILogger<StripeApi>>(log);
        services.AddOptions<StripeOptions>().Configure(o => o.ApiBaseUrl = new Uri(stripe.BaseUrl));
        StripeApi.AddStripeHttp(services);
        services.AddSingleton<StripeApi>();
        var provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<StripeApi>(), log, provider);
    }

    private static Sdk.Checkout.SessionCreateOptions Session() => new()
    {
        Mode = "payment",
        LineItems =
        [
            new Sdk.Checkout.SessionLineItemOptions
            {
                PriceData = new Sdk.Checkout.SessionLineItemPriceDataOptions
                {
                    Currency = "eur", UnitAmount = 5831, ProductData = new Sdk.Checkout.SessionLineItemPriceDataProductDataOptions { Name = "Paket 500" },
                },
                Quantity = 1,
            },
        ],
        SuccessUrl = "https://portal.test/app/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}",
        CancelUrl = "https://portal.test/app/billing?checkout=cancelled",
        Metadata = new Dictionary<string, string> { ["checkout_id"] = "c1" },
    };

    [Fact]
    public async Task A_429_waits_for_retry_after_a_500_backs_off_and_the_idempotency_key_keeps_one_session()
    {
        await using var stripe = await FakeStripeServer.StartAsync(SecretKey);
        var (api, log, services) = Create(stripe);
        await using var _ = services;
        stripe.FailCheckout(429, retryAfterSeconds: 1);
        stripe.FailCheckout(500);

        var session = await api.CreateCheckoutSessionAsync(SecretKey, Session(), "checkout-1", CancellationToken.None);

        Assert.Equal(3, stripe.CheckoutPosts);
        var created = Assert.Single(stripe.Sessions);
        Assert.Equal(created.Id, session.Id);
        Assert.Equal("checkout-1", created.IdempotencyKey);
        Assert.Equal("5831", created.Form["line_items[0][price_data][unit_amount]"]);
        Assert.Equal("c1", created.Form["metadata[checkout_id]"]);
        // The waits chosen by the policy (not measured): Stripe's Retry-After after the 429, the linear back-off after the 500.
        Assert.Equal(
            ["Stripe request retried (attempt 2) in 00:00:01 after 429", "Stripe request retried (attempt 3) in 00:00:00.6000000 after 500"],
            log.Entries.Select(e => e.Message));
    }

    [Fact]
    public async Task After_three_failures_the_error_names_the_status_in_german()
    {
        await using var stripe = await FakeStripeServer.StartAsync(SecretKey);
        var (api, _, services) = Create(stripe);
        await using var __ = services;
        stripe.FailCheckout(503);
        stripe.FailCheckout(503);
        stripe.FailCheckout(503);

        var error = await Assert.ThrowsAsync<StripeApiException>(() => api.CreateCheckoutSessionAsync(SecretKey, Session(), "checkout-2", CancellationToken.None));

        Assert.Equal(StripeApi.MaxAttempts, stripe.CheckoutPosts);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.Status);
        Assert.Equal("Stripe hat die Anfrage abgelehnt (503).", error.Message);
    }

    [Fact]
    public async Task A_wrong_key_is_not_retried_and_a_missing_permission_is_recognised()
    {
        await using var stripe = await FakeStripeServer.StartAsync(SecretKey);
        var (api, _, services) = Create(stripe);
        await using var __ = services;
        var restricted = "rk_" + "test_" + "NoBalanceRead";
        stripe.AddRestrictedKey(restricted, balanceRead: false);

        Assert.False(await api.GetBalanceLivemodeAsync(SecretKey, CancellationToken.None));
        var wrong = await Assert.ThrowsAsync<StripeApiException>(() => api.GetBalanceLivemodeAsync("sk_" + "test_" + "Wrong", CancellationToken.None));
        var denied = await Assert.ThrowsAsync<StripeApiException>(() => api.GetBalanceLivemodeAsync(restricted, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.False(wrong.IsPermissionError);
        Assert.True(denied.IsPermissionError);
        Assert.Equal("Dem Stripe-Schlüssel fehlt eine Berechtigung.", denied.Message);
        Assert.Equal(3, stripe.Requests);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(30, 5)]
    public void Retry_after_is_followed_up_to_five_seconds(int sent, int waited)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(sent));

        Assert.Equal(TimeSpan.FromSeconds(waited), StripeApi.RetryAfter(response));
        Assert.Null(StripeApi.RetryAfter(new HttpResponseMessage(HttpStatusCode.InternalServerError)));
    }
}
