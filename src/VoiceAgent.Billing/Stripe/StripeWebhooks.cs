using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Email;
using VoiceAgent.Platform.Security;
using Sdk = global::Stripe;

namespace VoiceAgent.Billing.Stripe;

public enum WebhookResult
{
    /// <summary>Processed (or deliberately ignored): 200.</summary>
    Accepted,

    /// <summary>Already processed earlier (same event id): 200, nothing done.</summary>
    Duplicate,

    /// <summary>Signature missing, wrong or stale, or not JSON: 400, nothing stored.</summary>
    Rejected,

    /// <summary>No webhook secret configured: 503.</summary>
    NotConfigured,

    /// <summary>Processing failed in a way a retry may fix (recorded): 500, Stripe retries.</summary>
    Failed,
}

/// <summary>
/// The Stripe webhook: verifies the signature on the raw body with Stripe.net (standard 300 s tolerance), dedupes by event id
/// (stripe_events), credits the package on <c>checkout.session.completed</c> when paid (or on
/// <c>checkout.session.async_payment_succeeded</c>), and records failures — a failed event is processed again when Stripe
/// re-delivers it; a processed one never again.
/// </summary>
public sealed class StripeWebhooks(IServiceScopeFactory scopes, PackageCredits credits, IOptionsMonitor<StripeOptions> options, TimeProvider time,
    ILogger<StripeWebhooks> logger)
{
    public async Task<WebhookResult> HandleAsync(byte[] body, string? signatureHeader, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var secret = await scope.ServiceProvider.GetRequiredService<SettingsStore>().GetAsync(StripeKeys.WebhookSecretSetting, ct);
        if (string.IsNullOrEmpty(secret))
        {
            return WebhookResult.NotConfigured;
        }

        if (Verify(body, signatureHeader, secret, time.GetUtcNow(), options.CurrentValue.WebhookTolerance) is { } refusal)
        {
            logger.LogWarning("Stripe webhook refused: {Reason}", refusal);
            return WebhookResult.Rejected;
        }

        StripeEvent evt;
        try
        {
            evt = StripeEvent.Parse(body);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            logger.LogWarning("Stripe webhook refused: not an event ({Message})", ex.Message);
            return WebhookResult.Rejected;
        }

        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        db.Scope.UsePlatform();
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            // Concurrent deliveries of one event: the second waits here for the first to commit, then sees it processed.
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO stripe_events (id, type, status, attempts, received_at) VALUES ({evt.Id}, {evt.Type}, 'failed', 0, {time.GetUtcNow()})
                ON CONFLICT (id) DO NOTHING
                """, ct);
            var record = (await db.StripeEvents.FromSql($"SELECT * FROM stripe_events WHERE id = {evt.Id} FOR UPDATE").ToListAsync(ct)).Single();
            if (record.Status != StripeEventStatuses.Failed)
            {
                return WebhookResult.Duplicate;
            }

            record.Attempts++;
            var handled = await ProcessAsync(db, scope.ServiceProvider.GetRequiredService<MailOutbox>(), evt, ct);
            record.Status = handled ? StripeEventStatuses.Processed : StripeEventStatuses.Ignored;
            record.ProcessedAt = time.GetUtcNow();
            record.Error = null;
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return WebhookResult.Accepted;
        }
        catch (Exception ex) when (ex is StripeEventException or DbUpdateException or NpgsqlException or InvalidOperationException)
        {
            logger.LogError(ex, "Stripe event {EventId} ({Type}) failed", evt.Id, evt.Type);
            await RecordFailureAsync(evt, ex is StripeEventException ? ex.Message : "Verarbeitung fehlgeschlagen (siehe Log).", CancellationToken.None);
            // A permanent problem (the event does not fit our records) is acknowledged so Stripe stops re-sending; it stays recorded.
            return ex is StripeEventException { Permanent: true } ? WebhookResult.Accepted : WebhookResult.Failed;
        }
    }

    /// <summary>
    /// Stripe.net's <see cref="Sdk.EventUtility.ConstructEvent(string, string, string, long, long, bool)"/> on the raw body:
    /// any v1 signature may match, v0 is ignored, the signed timestamp must be within <paramref name="tolerance"/> of
    /// <paramref name="now"/>. The event's api_version may differ from the SDK's (we read the envelope ourselves).
    /// </summary>
    /// <returns>Null when genuine, else why not (for the log; never Stripe's or the sender's text in a reply).</returns>
    public static string? Verify(byte[] body, string? signatureHeader, string secret, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            return "signature missing";
        }

        string json;
        try
        {
            // The signature covers the bytes; a strict decoder guarantees the string encodes back to exactly them.
            json = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return "body is not UTF-8";
        }

        try
        {
            Sdk.EventUtility.ConstructEvent(json, signatureHeader, secret, (long)tolerance.TotalSeconds, now.ToUnixTimeSeconds(),
                throwOnApiVersionMismatch: false);
            return null;
        }
        catch (Exception ex) when (ex is Sdk.StripeException or FormatException or OverflowException or ArgumentException
                                       or JsonException or InvalidOperationException)
        {
            return ex.GetType().Name + ": " + ex.Message;
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private async Task<bool> ProcessAsync(VoiceAgentDb db, MailOutbox mails, StripeEvent evt, CancellationToken ct)
    {
        switch (evt.Type)
        {
            case "checkout.session.completed" when evt.Object.GetProperty("payment_status").GetString() == "paid":
            case "checkout.session.async_payment_succeeded":
                await credits.CreditFromCheckoutAsync(db, mails, evt.Object, ct);
                return true;
            case "checkout.session.completed":
                // Delayed payment methods (SEPA): credited on async_payment_succeeded.
                return false;
            case "checkout.session.async_payment_failed":
            case "checkout.session.expired":
                await credits.RecordCheckoutFailureAsync(db, CheckoutId(evt.Object), evt.Type == "checkout.session.expired"
                    ? "Checkout abgelaufen." : "Zahlung fehlgeschlagen.", ct);
                return true;
            case "payment_intent.payment_failed":
                var reason = evt.Object.TryGetProperty("last_payment_error", out var error) && error.ValueKind == JsonValueKind.Object
                                                                                              && error.TryGetProperty("code", out var code)
                    ? $"Zahlung fehlgeschlagen ({code.GetString()})."
                    : "Zahlung fehlgeschlagen.";
                await credits.RecordCheckoutFailureAsync(db, CheckoutId(evt.Object), reason, ct);
                return true;
            default:
                return false;
        }
    }

    private static Guid? CheckoutId(JsonElement obj) =>
        obj.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
        && metadata.TryGetProperty("checkout_id", out var id) && Guid.TryParse(id.GetString(), out var guid)
            ? guid
            : null;

    private async Task RecordFailureAsync(StripeEvent evt, string error, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        db.Scope.UsePlatform();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO stripe_events (id, type, status, attempts, received_at, error) VALUES ({evt.Id}, {evt.Type}, 'failed', 1, {time.GetUtcNow()}, {error})
            ON CONFLICT (id) DO UPDATE SET attempts = stripe_events.attempts + 1, error = EXCLUDED.error
            WHERE stripe_events.status = 'failed'
            """, ct);
        await tx.CommitAsync(ct);
    }
}

/// <summary>The parts of a Stripe event envelope we use.</summary>
public sealed record StripeEvent(string Id, string Type, JsonElement Object)
{
    public static StripeEvent Parse(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var id = root.GetProperty("id").GetString() ?? throw new InvalidOperationException("event id missing");
        var type = root.GetProperty("type").GetString() ?? throw new InvalidOperationException("event type missing");
        if (!id.StartsWith("evt_", StringComparison.Ordinal) || id.Length > 255 || type.Length > 100)
        {
            throw new InvalidOperationException("not a Stripe event id");
        }

        return new StripeEvent(id, type, root.GetProperty("data").GetProperty("object").Clone());
    }
}

/// <summary>An event that does not fit our records. <see cref="Permanent"/>: re-delivery cannot fix it.</summary>
public sealed class StripeEventException(string message, bool permanent) : Exception(message)
{
    public bool Permanent { get; } = permanent;
}
