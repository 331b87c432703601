using Google.Apis.Auth.OAuth2.Responses;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Security;
using VoiceAgent.Telephony.Sipgate;
using VoiceAgent.Telephony.Speech.GoogleCloud;
using VoiceAgent.Telephony.Twilio;

namespace VoiceAgent.Telephony;

/// <summary>"Verbindung testen" for Twilio: GET the account with the stored platform credentials (401/403/404 = refused).</summary>
public sealed class TwilioConnectionCheck(SettingsStore settings, TwilioApi api) : IProviderConnectionCheck
{
    public string Provider => "twilio";

    public async Task<ConnectionCheckResult> CheckAsync(CancellationToken ct)
    {
        var sid = await settings.GetAsync("twilio.account_sid", ct);
        var token = await settings.GetAsync("twilio.auth_token", ct);
        if (string.IsNullOrEmpty(sid) || string.IsNullOrEmpty(token))
        {
            return ConnectionCheckResult.NotConfigured;
        }

        try
        {
            return await api.CheckCredentialsAsync(new TwilioCredentials(sid, token), ct)
                ? new ConnectionCheckResult(ConnectionState.Ok, sid)
                : new ConnectionCheckResult(ConnectionState.Rejected, sid);
        }
        catch (TwilioApiException ex)
        {
            return ProviderConnectionChecks.FromStatus(ex.Status);
        }
    }
}

/// <summary>"Verbindung testen" for sipgate: GET /authorization/userinfo with the stored personal access token.</summary>
public sealed class SipgateConnectionCheck(SettingsStore settings, SipgateRestClient api) : IProviderConnectionCheck
{
    public string Provider => "sipgate";

    public async Task<ConnectionCheckResult> CheckAsync(CancellationToken ct)
    {
        var tokenId = await settings.GetAsync("sipgate.token_id", ct);
        var token = await settings.GetAsync("sipgate.token", ct);
        if (string.IsNullOrEmpty(tokenId) || string.IsNullOrEmpty(token))
        {
            return ConnectionCheckResult.NotConfigured;
        }

        if (!SipgateCredentials.IsValidTokenId(tokenId) || string.IsNullOrWhiteSpace(token) || token.Any(char.IsControl))
        {
            // Never sent: sipgate would refuse it anyway, and the operator learns which field to fix.
            return new ConnectionCheckResult(ConnectionState.Rejected, "token-XXXXXX");
        }

        try
        {
            var user = await api.GetUserInfoAsync(SipgateCredentials.Create(tokenId, token), ct);
            return new ConnectionCheckResult(ConnectionState.Ok, $"{tokenId} · {user.Sub}");
        }
        catch (SipgateUnauthorizedException)
        {
            return new ConnectionCheckResult(ConnectionState.Rejected, "HTTP 401");
        }
        catch (SipgateApiException ex)
        {
            return ex.StatusCode is { } status
                ? ProviderConnectionChecks.FromStatus((int)status)
                : new ConnectionCheckResult(ConnectionState.Unreachable, "sipgate");
        }
    }
}

/// <summary>"Verbindung testen" for Google Cloud speech: a token for the stored service account from its token endpoint
/// (the JWT-bearer grant proves the key and that the account exists); the detail is the account's e-mail.</summary>
public sealed class GoogleCloudConnectionCheck(SettingsStore settings, TimeProvider time) : IProviderConnectionCheck
{
    public string Provider => "googlecloud";

    public async Task<ConnectionCheckResult> CheckAsync(CancellationToken ct)
    {
        var json = await settings.GetAsync(GoogleCloudOptions.ServiceAccountSetting, ct);
        if (string.IsNullOrWhiteSpace(json))
        {
            return ConnectionCheckResult.NotConfigured;
        }

        // A credential of its own, not the shared one: its cached token would prove nothing about the key as it is now.
        if (GoogleServiceAccount.Parse(json, time) is not { } account)
        {
            return new ConnectionCheckResult(ConnectionState.Rejected, "no service account key");
        }

        try
        {
            await account.AccessTokenAsync(ct);
            return new ConnectionCheckResult(ConnectionState.Ok, account.ClientEmail);
        }
        catch (PortException ex) when (ex.InnerException is TokenResponseException { StatusCode: { } status } && (int)status is >= 400 and < 500 and not 429)
        {
            return new ConnectionCheckResult(ConnectionState.Rejected, $"HTTP {(int)status}");
        }
        catch (PortException ex)
        {
            return new ConnectionCheckResult(ConnectionState.Unreachable,
                ex.InnerException is TokenResponseException { StatusCode: { } status } ? $"HTTP {(int)status}" : "network");
        }
    }
}
