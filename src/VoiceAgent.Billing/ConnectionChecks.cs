using System.Net;
using VoiceAgent.Billing.Lexoffice;
using VoiceAgent.Billing.Stripe;
using VoiceAgent.Platform.Security;

namespace VoiceAgent.Billing;

/// <summary>"Verbindung testen" for Stripe: GET /v1/balance with the stored secret key, as the health check (uncached).</summary>
public sealed class StripeConnectionCheck(SettingsStore settings, StripeApi api) : IProviderConnectionCheck
{
    public string Provider => "stripe";

    public async Task<ConnectionCheckResult> CheckAsync(CancellationToken ct)
    {
        var key = await settings.GetAsync(StripeKeys.SecretKeySetting, ct);
        if (string.IsNullOrEmpty(key))
        {
            return ConnectionCheckResult.NotConfigured;
        }

        if (!StripeKeys.IsServerKey(key))
        {
            return new ConnectionCheckResult(ConnectionState.Rejected, "sk_/rk_");
        }

        try
        {
            var live = await api.GetBalanceLivemodeAsync(key, ct);
            return new ConnectionCheckResult(ConnectionState.Ok, live ? "Live" : "Test");
        }
        catch (StripeApiException ex) when (ex.IsPermissionError)
        {
            // A restricted key without "Balance: read": it works, but the health check cannot use it.
            return new ConnectionCheckResult(ConnectionState.Limited, "Balance: read");
        }
        catch (StripeApiException ex)
        {
            return ex.Status is { } status
                ? ProviderConnectionChecks.FromStatus((int)status)
                : new ConnectionCheckResult(ConnectionState.Unreachable, "network");
        }
    }
}

/// <summary>"Verbindung testen" for Lexoffice: GET /v1/profile (behind the shared 2 requests/s limiter); shows the company.</summary>
public sealed class LexofficeConnectionCheck(SettingsStore settings, LexofficeClient client) : IProviderConnectionCheck
{
    public string Provider => "lexoffice";

    public async Task<ConnectionCheckResult> CheckAsync(CancellationToken ct)
    {
        var key = await settings.GetAsync(LexofficeSender.ApiKeySetting, ct);
        if (string.IsNullOrEmpty(key))
        {
            return ConnectionCheckResult.NotConfigured;
        }

        try
        {
            var profile = await client.GetProfileAsync(key, ct);
            return new ConnectionCheckResult(ConnectionState.Ok, profile["companyName"]?.ToString());
        }
        catch (LexofficeException ex)
        {
            return ex.Status switch
            {
                HttpStatusCode.PaymentRequired => new ConnectionCheckResult(ConnectionState.Limited, "HTTP 402"),
                { } status => ProviderConnectionChecks.FromStatus((int)status),
                null => new ConnectionCheckResult(ConnectionState.Unreachable, "network"),
            };
        }
    }
}
