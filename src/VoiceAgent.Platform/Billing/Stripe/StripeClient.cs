using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace VoiceAgent.Platform.Billing.Stripe;

/// <summary>A Stripe error. The message is ours (German, safe to show); Stripe's own text stays in <see cref="StripeType"/>-level logs only.</summary>
public sealed class StripeException(string message, HttpStatusCode? status = null, string? stripeType = null, Exception? inner = null)
    : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;

    public string? StripeType { get; } = stripeType;

    /// <summary>Stripe's Retry-After (capped), when it sent one.</summary>
    public TimeSpan? RetryAfter { get; private set; }

    internal StripeException WithRetryAfter(TimeSpan? retryAfter)
    {
        RetryAfter = retryAfter;
        return this;
    }
}

public sealed record CheckoutSession(string Id, string Url);

/// <summary>
/// The two Stripe calls the platform makes, server side with the secret key (API-CONTRACTS.md §4): creating a Checkout
/// Session for a minute package (form-encoded, with an Idempotency-Key so a retried request never opens a second
/// session) and reading the balance as an authenticated health check.
/// </summary>
public sealed class StripeClient(HttpClient http, IOptionsMonitor<StripeOptions> options)
{
    /// <summary>Retried on 429, 5xx and timeouts (waiting for Retry-After, at most 5 s): the Idempotency-Key makes a repeated
    /// request return the session of the first instead of opening another.</summary>
    public async Task<CheckoutSession> CreateCheckoutSessionAsync(string secretKey, IReadOnlyList<KeyValuePair<string, string>> form, string idempotencyKey,
        CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.CurrentValue.ApiBaseUrl, "v1/checkout/sessions"))
            {
                Content = new FormUrlEncodedContent(form),
            };
            request.Headers.Add("Idempotency-Key", idempotencyKey);
            try
            {
                var body = await SendAsync(request, secretKey, ct);
                return new CheckoutSession((string)body["id"]!, (string)body["url"]!);
            }
            catch (StripeException ex) when (attempt < MaxAttempts && (ex.Status is null || ex.Status == HttpStatusCode.TooManyRequests || (int)ex.Status >= 500))
            {
                await Task.Delay(ex.RetryAfter ?? TimeSpan.FromMilliseconds(300 * attempt), ct);
            }
        }
    }

    private const int MaxAttempts = 3;

    /// <returns>livemode of the account the key belongs to.</returns>
    public async Task<bool> GetBalanceLivemodeAsync(string secretKey, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(options.CurrentValue.ApiBaseUrl, "v1/balance"));
        var body = await SendAsync(request, secretKey, ct);
        return body["livemode"]?.GetValue<bool>() ?? false;
    }

    private async Task<JsonObject> SendAsync(HttpRequestMessage request, string secretKey, CancellationToken ct)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secretKey);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.CurrentValue.Timeout);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, timeout.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new StripeException("Stripe ist nicht erreichbar.", inner: ex);
        }

        using (response)
        {
            JsonObject? body = null;
            try
            {
                body = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
            }
            catch (System.Text.Json.JsonException)
            {
                // Not JSON (a proxy's error page): handled by the status below.
            }

            if (response.IsSuccessStatusCode && body is not null)
            {
                return body;
            }

            var type = body?["error"]?["type"]?.ToString();
            var retryAfter = response.Headers.RetryAfter?.Delta is { } delta ? TimeSpan.FromTicks(Math.Min(delta.Ticks, TimeSpan.FromSeconds(5).Ticks)) : (TimeSpan?)null;
            throw (response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => new StripeException("Stripe hat den Schlüssel abgelehnt.", response.StatusCode, type),
                HttpStatusCode.Forbidden => new StripeException("Dem Stripe-Schlüssel fehlt eine Berechtigung.", response.StatusCode, type),
                HttpStatusCode.TooManyRequests => new StripeException("Stripe ist gerade überlastet, bitte gleich noch einmal.", response.StatusCode, type),
                _ => new StripeException($"Stripe hat die Anfrage abgelehnt ({(int)response.StatusCode}).", response.StatusCode, type),
            }).WithRetryAfter(retryAfter);
        }
    }
}
