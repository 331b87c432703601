using VoiceAgent.Platform.Security;

namespace VoiceAgent.Calendars;

/// <summary>
/// How the OAuth apps are checked without a user: the token endpoint is asked to refresh <see cref="ProbeToken"/>, a token
/// that cannot exist. The authorization server authenticates the client before it looks at the grant, so a wrong client
/// answers invalid_client / unauthorized_client, and a client it knows answers invalid_grant for the made-up token.
/// </summary>
public static class ClientCheck
{
    public const string ProbeToken = "voiceagent-connection-test";

    public static ConnectionCheckResult FromOAuthError(string? error, int? status) => error switch
    {
        "invalid_grant" => new ConnectionCheckResult(ConnectionState.Ok),
        "invalid_client" or "unauthorized_client" => new ConnectionCheckResult(ConnectionState.Rejected, error),
        _ when status is { } s => ProviderConnectionChecks.FromStatus(s) with { Detail = error is null ? $"HTTP {s}" : $"HTTP {s} {error}" },
        _ => new ConnectionCheckResult(ConnectionState.Unreachable, error),
    };
}

/// <summary>"Verbindung testen" for the Google OAuth app (client id and secret of the calendar connections).</summary>
public sealed class GoogleConnectionCheck(GoogleOAuth oauth) : IProviderConnectionCheck
{
    public string Provider => "google";

    public Task<ConnectionCheckResult> CheckAsync(CancellationToken ct) => oauth.CheckClientAsync(ct);
}

/// <summary>"Verbindung testen" for the Microsoft (Entra ID) app of the Microsoft 365 calendar connections.</summary>
public sealed class MicrosoftConnectionCheck(MicrosoftOAuth oauth) : IProviderConnectionCheck
{
    public string Provider => "microsoft";

    public Task<ConnectionCheckResult> CheckAsync(CancellationToken ct) => oauth.CheckClientAsync(ct);
}
