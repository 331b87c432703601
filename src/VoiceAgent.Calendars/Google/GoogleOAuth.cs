using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Flows;
using Google.Apis.Auth.OAuth2.Requests;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Apis.Http;
using Google.Apis.Util.Store;
using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Security;

namespace VoiceAgent.Calendars;

/// <summary>
/// Google's OAuth 2.0 through Google.Apis.Auth (authorization code with PKCE S256, offline access, consent prompt so a
/// refresh token is always issued). Endpoints come from <see cref="CalendarOptions.Google"/>; the client id and secret
/// from the super-admin's settings. The library's own token store is not used: tokens live encrypted on the connection.
/// </summary>
public sealed class GoogleOAuth(IOptions<CalendarOptions> options, SettingsStore settings)
{
    public const string ClientIdSetting = "google.client_id";
    public const string ClientSecretSetting = "google.client_secret";

    public static readonly IReadOnlyList<string> Scopes =
    [
        "https://www.googleapis.com/auth/calendar.events",
        "https://www.googleapis.com/auth/calendar.readonly",
    ];

    public async Task<bool> IsConfiguredAsync(CancellationToken ct) => await FlowAsync(ct) is not null;

    /// <returns>The URL to send the user to and the PKCE verifier to keep for the token exchange; null when not configured.</returns>
    public async Task<(Uri Url, string CodeVerifier)?> AuthorizeAsync(string redirectUri, string state, CancellationToken ct)
    {
        if (await FlowAsync(ct) is not { } flow)
        {
            return null;
        }

        var request = (GoogleAuthorizationCodeRequestUrl)flow.CreateAuthorizationCodeRequest(redirectUri, out var verifier);
        request.State = state;
        return (request.Build(), verifier);
    }

    /// <exception cref="TokenResponseException">Google refused the code (reused, wrong verifier, wrong redirect URI …).</exception>
    public async Task<TokenResponse> ExchangeAsync(string code, string codeVerifier, string redirectUri, CancellationToken ct)
    {
        var flow = await FlowAsync(ct) ?? throw new InvalidOperationException("Google is not configured.");
        return await flow.ExchangeCodeForTokenAsync("connection", code, codeVerifier, redirectUri, ct);
    }

    /// <exception cref="TokenResponseException">invalid_grant: the grant was revoked or expired.</exception>
    public async Task<TokenResponse> RefreshAsync(string refreshToken, CancellationToken ct)
    {
        var flow = await FlowAsync(ct) ?? throw new CalendarAuthorizationException("Google is no longer configured on the platform.");
        return await flow.RefreshTokenAsync("connection", refreshToken, ct);
    }

    public async Task RevokeAsync(string token, CancellationToken ct)
    {
        if (await FlowAsync(ct) is { } flow)
        {
            await flow.RevokeTokenAsync("connection", token, ct);
        }
    }

    /// <summary>
    /// Whether Google accepts the stored client id and secret, without a user: a refresh with a token that cannot exist.
    /// Google authenticates the client first — a wrong client answers invalid_client (or unauthorized_client), a known
    /// client invalid_grant for the made-up token.
    /// </summary>
    public async Task<ConnectionCheckResult> CheckClientAsync(CancellationToken ct)
    {
        if (await FlowAsync(ct) is not { } flow)
        {
            return ConnectionCheckResult.NotConfigured;
        }

        try
        {
            await flow.RefreshTokenAsync("connection-test", ClientCheck.ProbeToken, ct);
            return new ConnectionCheckResult(ConnectionState.Unreachable, "unexpected token");
        }
        catch (TokenResponseException ex)
        {
            return ClientCheck.FromOAuthError(ex.Error?.Error, (int?)ex.StatusCode);
        }
    }

    private async Task<PkceGoogleAuthorizationCodeFlow?> FlowAsync(CancellationToken ct)
    {
        var clientId = await settings.GetAsync(ClientIdSetting, ct);
        var clientSecret = await settings.GetAsync(ClientSecretSetting, ct);
        if (string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(clientSecret))
        {
            return null;
        }

        var endpoints = options.Value.Google;
        return new PkceGoogleAuthorizationCodeFlow(new Endpoints(endpoints.AuthorizeUrl.ToString(), endpoints.TokenUrl.ToString(),
            endpoints.RevokeUrl.ToString())
        {
            ClientSecrets = new ClientSecrets { ClientId = clientId, ClientSecret = clientSecret },
            Scopes = Scopes,
            Prompt = "consent",
            IncludeGrantedScopes = true,
            DataStore = NoStore.Instance,
            // Retries are ours (within the call's time budget), not the library's.
            DefaultExponentialBackOffPolicy = ExponentialBackOffPolicy.None,
        });
    }

    // The library's constructor taking the three endpoints is protected: configurable endpoints are meant for subclasses.
    private sealed class Endpoints(string authorize, string token, string revoke) : GoogleAuthorizationCodeFlow.Initializer(authorize, token, revoke);

    private sealed class NoStore : IDataStore
    {
        public static readonly NoStore Instance = new();

        public Task StoreAsync<T>(string key, T value) => Task.CompletedTask;

        public Task DeleteAsync<T>(string key) => Task.CompletedTask;

        public Task<T> GetAsync<T>(string key) => Task.FromResult(default(T)!);

        public Task ClearAsync() => Task.CompletedTask;
    }
}
