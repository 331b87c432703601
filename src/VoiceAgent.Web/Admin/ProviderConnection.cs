using VoiceAgent.Billing.Stripe;
using VoiceAgent.Platform.Security;
using VoiceAgent.Telephony;
using VoiceAgent.Web.Resources;

namespace VoiceAgent.Web.Admin;

public enum ConnectionResult
{
    Ok,
    NotConfigured,
    Failed,

    /// <summary>The credentials are stored, but the provider has no check of its own (yet).</summary>
    NoTest,
}

/// <summary>
/// "Verbindung testen" on the settings page: the same authenticated calls as <c>/api/health</c> (through the modules'
/// public health services), for one provider on demand.
/// </summary>
public static class ProviderConnection
{
    public static async Task<ConnectionResult> TestAsync(IServiceProvider services, string provider, CancellationToken ct)
    {
        var status = provider switch
        {
            "twilio" => await services.GetRequiredService<TwilioHealth>().StatusAsync(ct),
            "stripe" => await services.GetRequiredService<StripeHealth>().StatusAsync(ct),
            _ => null,
        };
        if (status is not null)
        {
            return status switch
            {
                TwilioHealth.Operational => ConnectionResult.Ok,
                TwilioHealth.NotConfigured => ConnectionResult.NotConfigured,
                _ => ConnectionResult.Failed,
            };
        }

        var hints = await services.GetRequiredService<SettingsStore>().HintsAsync(ct);
        return ProviderKeys.All.Where(d => d.Provider == provider).All(d => hints.ContainsKey(d.Key))
            ? ConnectionResult.NoTest
            : ConnectionResult.NotConfigured;
    }

    public static string Text(ConnectionResult result) => result switch
    {
        ConnectionResult.Ok => AdminTexts.Get("Settings.TestOk"),
        ConnectionResult.NotConfigured => AdminTexts.Get("Settings.TestNotConfigured"),
        ConnectionResult.NoTest => AdminTexts.Get("Settings.TestUnavailable"),
        _ => AdminTexts.Get("Settings.TestFailed"),
    };
}
