using VoiceAgent.Platform.Security;
using VoiceAgent.Web.Resources;

namespace VoiceAgent.Web.Admin;

/// <summary>
/// "Verbindung testen" on the settings page: the check the provider's module contributes (<see cref="IProviderConnectionCheck"/>),
/// run now and uncached, with the stored credentials.
/// </summary>
public static class ProviderConnection
{
    public static async Task<ConnectionCheckResult?> TestAsync(IServiceProvider services, string provider, CancellationToken ct)
    {
        var check = services.GetServices<IProviderConnectionCheck>().FirstOrDefault(c => c.Provider == provider);
        return check is null ? null : await ProviderConnectionChecks.RunAsync(check, ct);
    }

    /// <summary>The sentence for the result; null (no check for the provider) says so.</summary>
    public static string Text(ConnectionCheckResult? result) => result?.State switch
    {
        ConnectionState.Ok => AdminTexts.Get("Settings.TestOk"),
        ConnectionState.NotConfigured => AdminTexts.Get("Settings.TestNotConfigured"),
        ConnectionState.Rejected => AdminTexts.Get("Settings.TestRejected"),
        ConnectionState.Limited => AdminTexts.Get("Settings.TestLimited"),
        ConnectionState.Unreachable => AdminTexts.Get("Settings.TestUnreachable"),
        _ => AdminTexts.Get("Settings.TestUnavailable"),
    };
}
