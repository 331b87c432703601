using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Sdk = global::Stripe;

namespace VoiceAgent.Billing.Stripe;

/// <summary>A Stripe call failed. The message is ours (German, safe to show); Stripe's own text goes to the log only.</summary>
public sealed class StripeApiException(string message, HttpStatusCode? status = null, string? stripeType = null, Exception? inner = null)
    : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;

    public string? StripeType { get; } = stripeType;

    /// <summary>403: the key is valid but lacks a permission (a restricted <c>rk_…</c> key without that resource).</summary>
    public bool IsPermissionError => Status == HttpStatusCode.Forbidden;
}

public sealed record CheckoutSession(string Id, string Url);

/// <summary>
/// The Stripe calls the platform makes, through Stripe.net's <see cref="Sdk.StripeClient"/> with the stored secret key
/// (API-CONTRACTS.md §4): creating a Checkout Session (with an Idempotency-Key, so a retried request never opens a second
/// session) and reading the balance as an authenticated health check. Retries (429 with Retry-After, 5xx, timeouts) are
/// the resilience handler's on the named <see cref="HttpClientName"/> client (see <see cref="AddStripeHttp"/>); the SDK's
/// own retries are off so there is exactly one retry policy.
/// </summary>
public sealed class StripeApi(IHttpClientFactory httpClients, IOptionsMonitor<StripeOptions> options)
{
    public const string HttpClientName = "stripe";

    /// <summary>Attempts of one request (first + retries) and the longest Retry-After we wait for.</summary>
    public const int MaxAttempts = 3;

    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(5);

    public async Task<CheckoutSession> CreateCheckoutSessionAsync(string secretKey, Sdk.Checkout.SessionCreateOptions session, string idempotencyKey,
        CancellationToken ct)
    {
        var created = await CallAsync(secretKey, client => new Sdk.Checkout.SessionService(client)
            .CreateAsync(session, new Sdk.RequestOptions { IdempotencyKey = idempotencyKey }, ct), ct);
        return new CheckoutSession(created.Id, created.Url);
    }

    /// <summary>GET /v1/balance: any secret key, and a restricted key with "Balance: read", may make it.</summary>
    /// <returns>livemode of the account the key belongs to.</returns>
    public async Task<bool> GetBalanceLivemodeAsync(string secretKey, CancellationToken ct)
    {
        var balance = await CallAsync(secretKey, client => new Sdk.BalanceService(client).GetAsync(null, null, ct), ct);
        return balance.Livemode;
    }

    /// <summary>Registers the named HttpClient with the one retry policy for Stripe.</summary>
    public static void AddStripeHttp(IServiceCollection services)
    {
        services.AddHttpClient(HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("stripe", (pipeline, context) =>
            {
                var timeout = context.ServiceProvider.GetRequiredService<IOptionsMonitor<StripeOptions>>().CurrentValue.Timeout;
                var logger = context.ServiceProvider.GetRequiredService<ILogger<StripeApi>>();
                // Every method is retried, POST included: the Idempotency-Key makes a repeated create return the first session.
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = MaxAttempts - 1,
                    BackoffType = DelayBackoffType.Linear,
                    Delay = TimeSpan.FromMilliseconds(300),
                    UseJitter = false,
                    ShouldRetryAfterHeader = false,
                    DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
                    OnRetry = args =>
                    {
                        logger.LogWarning("Stripe request retried (attempt {Attempt}) in {Delay} after {Outcome}", args.AttemptNumber + 2,
                            args.RetryDelay, args.Outcome.Result is { } r ? ((int)r.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : args.Outcome.Exception?.GetType().Name);
                        return ValueTask.CompletedTask;
                    },
                });
                pipeline.AddTimeout(timeout);
            });
    }

    /// <summary>Stripe's Retry-After, capped; null: the linear back-off.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage? response) =>
        response?.Headers.RetryAfter?.Delta is { } delta ? (delta > MaxRetryAfter ? MaxRetryAfter : delta) : null;

    private async Task<T> CallAsync<T>(string secretKey, Func<Sdk.IStripeClient, Task<T>> call, CancellationToken ct)
    {
        var http = new Sdk.SystemNetHttpClient(httpClients.CreateClient(HttpClientName), maxNetworkRetries: 0, enableTelemetry: false);
        var client = new Sdk.StripeClient(new Sdk.StripeClientOptions
        {
            ApiKey = secretKey,
            ApiBase = options.CurrentValue.ApiBaseUrl.ToString().TrimEnd('/'),
            HttpClient = http,
        });
        try
        {
            return await call(client);
        }
        catch (Sdk.StripeException ex) when (ex.HttpStatusCode != 0)
        {
            var type = ex.StripeError?.Type;
            throw ex.HttpStatusCode switch
            {
                HttpStatusCode.Unauthorized => new StripeApiException(BillingTexts.Get(BillingErrorCodes.StripeKeyRejected), ex.HttpStatusCode, type, ex),
                HttpStatusCode.Forbidden => new StripeApiException(BillingTexts.Get(BillingErrorCodes.StripeKeyForbidden), ex.HttpStatusCode, type, ex),
                HttpStatusCode.TooManyRequests => new StripeApiException(BillingTexts.Get(BillingErrorCodes.StripeBusy), ex.HttpStatusCode, type, ex),
                _ => new StripeApiException(BillingTexts.Format(BillingErrorCodes.StripeRefused, (int)ex.HttpStatusCode), ex.HttpStatusCode, type, ex),
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.Timeout.TimeoutRejectedException or Sdk.StripeException
                                   || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new StripeApiException(BillingTexts.Get(BillingErrorCodes.StripeUnreachable), inner: ex);
        }
    }
}
