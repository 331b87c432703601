using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VoiceAgent.Platform.Security;

namespace VoiceAgent.Billing.Stripe;

/// <summary>
/// Stripe's state for <c>/api/health</c>: an authenticated GET /v1/balance with the stored secret key (a call a
/// restricted key with "Balance: read" may make; without that permission Stripe answers 403, reported as degraded), cached for a minute.
/// The report is one word; why it failed goes to the log (by kind, never Stripe's message or the key).
/// </summary>
public sealed class StripeHealth(IServiceScopeFactory scopes, TimeProvider time, ILogger<StripeHealth> logger)
{
    public const string Operational = "operational";
    public const string Degraded = "degraded";
    public const string NotConfigured = "not_configured";

    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim gate = new(1, 1);
    private (string Status, DateTimeOffset At, string Fingerprint)? cached;

    public async Task<string> StatusAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var key = await scope.ServiceProvider.GetRequiredService<SettingsStore>().GetAsync(StripeKeys.SecretKeySetting, ct);
        if (string.IsNullOrEmpty(key))
        {
            return NotConfigured;
        }

        if (!StripeKeys.IsServerKey(key))
        {
            logger.LogError("The stored Stripe secret key is not a secret or restricted key (sk_/rk_); Stripe is reported degraded.");
            return Degraded;
        }

        var fingerprint = SecretHint.For(key);
        await gate.WaitAsync(ct);
        try
        {
            if (cached is { } c && c.Fingerprint == fingerprint && time.GetUtcNow() - c.At < CacheFor)
            {
                return c.Status;
            }

            string status;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(3));
                await scope.ServiceProvider.GetRequiredService<StripeApi>().GetBalanceLivemodeAsync(key, timeout.Token);
                status = Operational;
            }
            catch (StripeApiException ex) when (ex.IsPermissionError)
            {
                // A restricted key (rk_…) without "Balance: read": the key works, but not for this call. Reported, never thrown.
                logger.LogWarning("Stripe health check: the key {Hint} lacks a permission (403 {Type}); grant the restricted key \"Balance: read\"",
                    fingerprint, ex.StripeType);
                status = Degraded;
            }
            catch (Exception ex) when (ex is StripeApiException or OperationCanceledException)
            {
                logger.LogWarning("Stripe health check failed: {Status} {Type}", (ex as StripeApiException)?.Status, (ex as StripeApiException)?.StripeType ?? ex.GetType().Name);
                status = Degraded;
            }

            cached = (status, time.GetUtcNow(), fingerprint);
            return status;
        }
        finally
        {
            gate.Release();
        }
    }
}
