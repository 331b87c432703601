using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VoiceAgent.Platform.Security;
using VoiceAgent.Telephony.Twilio;

namespace VoiceAgent.Telephony;

/// <summary>
/// Twilio's health for <c>/api/health</c>: a cheap authenticated REST call with the stored platform credentials,
/// cached for a minute so health checks never hammer Twilio.
/// </summary>
public sealed class TwilioHealth(IServiceScopeFactory scopes, TimeProvider time, ILogger<TwilioHealth> logger)
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
        var settings = scope.ServiceProvider.GetRequiredService<SettingsStore>();
        var sid = await settings.GetAsync("twilio.account_sid", ct);
        var token = await settings.GetAsync("twilio.auth_token", ct);
        if (string.IsNullOrEmpty(sid) || string.IsNullOrEmpty(token))
        {
            return NotConfigured;
        }

        var fingerprint = sid + ":" + SecretHint.For(token);
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
                var ok = await scope.ServiceProvider.GetRequiredService<TwilioApi>()
                    .CheckCredentialsAsync(new TwilioCredentials(sid, token), timeout.Token);
                status = ok ? Operational : Degraded;
            }
            catch (Exception ex) when (ex is TwilioApiException or HttpRequestException or OperationCanceledException)
            {
                logger.LogWarning("Twilio health check failed: {Message}", ex.Message);
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
