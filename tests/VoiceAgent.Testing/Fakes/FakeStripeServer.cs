using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VoiceAgent.Testing.Fakes;

/// <summary>
/// Stripe's API on 127.0.0.1 after API-CONTRACTS.md §4: Bearer secret key (401 with Stripe's error object otherwise; a
/// publishable key is refused; restricted keys without a permission get 403), POST /v1/checkout/sessions form-encoded with bracket notation and Idempotency-Key (the
/// same key returns the same session), GET /v1/balance. Sessions are kept so a test can build the webhook Stripe would send.
/// </summary>
public sealed class FakeStripeServer : IAsyncDisposable
{
    public sealed record Session(string Id, string Url, IReadOnlyDictionary<string, string> Form, string IdempotencyKey);

    private readonly WebApplication app;
    private readonly string secretKey;
    private readonly ConcurrentDictionary<string, Session> byIdempotencyKey = new();
    private readonly ConcurrentQueue<(int Status, int? RetryAfterSeconds)> failures = new();
    private readonly ConcurrentDictionary<string, bool> restrictedKeys = new();
    private int requests;
    private int checkoutPosts;

    private FakeStripeServer(WebApplication app, string secretKey)
    {
        this.app = app;
        this.secretKey = secretKey;
    }

    public string BaseUrl { get; private set; } = "";

    public IReadOnlyCollection<Session> Sessions => byIdempotencyKey.Values.ToList();

    public int Requests => requests;

    /// <summary>POSTs to /v1/checkout/sessions, failed ones included.</summary>
    public int CheckoutPosts => checkoutPosts;

    /// <summary>The next checkout requests fail with these statuses (429 with a Retry-After, 500 …), in order.</summary>
    public void FailCheckout(int status, int? retryAfterSeconds = null) => failures.Enqueue((status, retryAfterSeconds));

    /// <summary>Also accept a restricted key (rk_…); without balance read, GET /v1/balance answers 403 as Stripe does.</summary>
    public void AddRestrictedKey(string key, bool balanceRead) => restrictedKeys[key] = balanceRead;

    public static async Task<FakeStripeServer> StartAsync(string secretKey)
    {
        var server = new FakeStripeServer(LoopbackHost.Create(), secretKey);
        server.app.Run(server.HandleAsync);
        server.BaseUrl = await LoopbackHost.StartAsync(server.app);
        return server;
    }

    /// <summary>The data.object of checkout.session.completed for a session this fake created.</summary>
    public static JsonObject CompletedSession(Session session, string paymentStatus = "paid", long? amountTotal = null) => new()
    {
        ["id"] = session.Id,
        ["object"] = "checkout.session",
        ["mode"] = "payment",
        ["status"] = "complete",
        ["payment_status"] = paymentStatus,
        ["amount_total"] = amountTotal ?? long.Parse(session.Form["line_items[0][price_data][unit_amount]"]),
        ["currency"] = session.Form["line_items[0][price_data][currency]"],
        ["client_reference_id"] = session.Form["client_reference_id"],
        ["metadata"] = new JsonObject
        {
            ["tenant_id"] = session.Form["metadata[tenant_id]"],
            ["checkout_id"] = session.Form["metadata[checkout_id]"],
            ["minutes"] = session.Form["metadata[minutes]"],
        },
    };

    /// <summary>An event envelope as Stripe sends it.</summary>
    public static string Event(string id, string type, JsonObject dataObject) => new JsonObject
    {
        ["id"] = id,
        ["object"] = "event",
        ["api_version"] = "2024-06-20",
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["data"] = new JsonObject { ["object"] = dataObject },
        ["livemode"] = false,
        ["pending_webhooks"] = 1,
        ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
        ["type"] = type,
    }.ToJsonString();

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(stop.Token);
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        Interlocked.Increment(ref requests);
        var auth = http.Request.Headers.Authorization.ToString();
        var balanceRead = false;
        var restricted = auth.StartsWith("Bearer ", StringComparison.Ordinal) && restrictedKeys.TryGetValue(auth[7..], out balanceRead);
        if (auth != "Bearer " + secretKey && !restricted)
        {
            await ErrorAsync(http, 401, "invalid_request_error", "Invalid API Key provided: " + Mask(auth));
            return;
        }

        if (restricted && !balanceRead && http.Request.Path.Value == "/v1/balance")
        {
            await ErrorAsync(http, 403, "invalid_request_error", "The provided key '" + Mask(auth) + "' does not have the required permissions for this "
                                                                 + "endpoint on account 'acct_fake'. Having the 'rak_balance_read' permission would allow this request to continue.");
            return;
        }

        switch (http.Request.Method, http.Request.Path.Value)
        {
            case ("GET", "/v1/balance"):
                await JsonAsync(http, 200, new JsonObject
                {
                    ["object"] = "balance",
                    ["available"] = new JsonArray(new JsonObject { ["amount"] = 0, ["currency"] = "eur", ["source_types"] = new JsonObject { ["card"] = 0 } }),
                    ["pending"] = new JsonArray(),
                    ["livemode"] = false,
                });
                return;
            case ("POST", "/v1/checkout/sessions"):
                Interlocked.Increment(ref checkoutPosts);
                if (failures.TryDequeue(out var failure))
                {
                    if (failure.RetryAfterSeconds is { } seconds)
                    {
                        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }

                    await ErrorAsync(http, failure.Status, failure.Status == 429 ? "rate_limit_error" : "api_error", "Scripted failure");
                    return;
                }

                await CreateSessionAsync(http);
                return;
            default:
                await ErrorAsync(http, 404, "invalid_request_error", "Unrecognized request URL");
                return;
        }
    }

    private async Task CreateSessionAsync(HttpContext http)
    {
        if (http.Request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal) != true)
        {
            await ErrorAsync(http, 400, "invalid_request_error", "Form encoding expected");
            return;
        }

        var form = (await http.Request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString());
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        foreach (var required in new[] { "mode", "line_items[0][price_data][currency]", "line_items[0][price_data][unit_amount]",
                     "line_items[0][price_data][product_data][name]", "line_items[0][quantity]", "success_url", "cancel_url" })
        {
            if (!form.ContainsKey(required))
            {
                await ErrorAsync(http, 400, "invalid_request_error", $"Missing required param: {required}.");
                return;
            }
        }

        if (form["mode"] != "payment" || !form["success_url"].Contains("{CHECKOUT_SESSION_ID}", StringComparison.Ordinal))
        {
            await ErrorAsync(http, 400, "invalid_request_error", "Invalid mode or success_url");
            return;
        }

        var id = "cs_test_" + Guid.NewGuid().ToString("N");
        var session = byIdempotencyKey.GetOrAdd(string.IsNullOrEmpty(key) ? id : key,
            _ => new Session(id, "https://checkout.stripe.test/c/pay/" + id, form, key));
        if (!session.Form.OrderBy(f => f.Key).SequenceEqual(form.OrderBy(f => f.Key)))
        {
            await ErrorAsync(http, 400, "idempotency_error", "Keys for idempotent requests can only be used with the same parameters they were first used with.");
            return;
        }

        await JsonAsync(http, 200, new JsonObject
        {
            ["id"] = session.Id,
            ["object"] = "checkout.session",
            ["url"] = session.Url,
            ["status"] = "open",
            ["payment_status"] = "unpaid",
            ["amount_total"] = long.Parse(form["line_items[0][price_data][unit_amount]"]),
            ["currency"] = form["line_items[0][price_data][currency]"],
            ["client_reference_id"] = form.GetValueOrDefault("client_reference_id"),
            ["expires_at"] = DateTimeOffset.UtcNow.AddHours(24).ToUnixTimeSeconds(),
        });
    }

    private static string Mask(string auth) => auth.Length > 12 ? auth[7..15] + "****" + auth[^4..] : "****";

    private static Task ErrorAsync(HttpContext http, int status, string type, string message) =>
        JsonAsync(http, status, new JsonObject { ["error"] = new JsonObject { ["type"] = type, ["message"] = message } });

    private static async Task JsonAsync(HttpContext http, int status, JsonNode body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(body.ToJsonString());
    }
}
