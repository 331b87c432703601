using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using VoiceAgent.Platform.Security;

namespace VoiceAgent.Calendars;

/// <summary>
/// Microsoft identity platform v2 through MSAL (confidential client, authorization code with PKCE S256). MSAL's token
/// cache is kept per connection — serialized, encrypted, on the connection row — so refresh (refresh tokens rotate) is
/// MSAL's silent flow. MSAL talks to login.microsoftonline.com; <see cref="LoginRedirectHandler"/> sends those requests to
/// the configured <see cref="CalendarOptions.MicrosoftEndpoints.LoginBaseUrl"/> when it is another host (tests: a fake).
/// </summary>
public sealed class MicrosoftOAuth(IOptions<CalendarOptions> options, SettingsStore settings, IHttpClientFactory httpClients)
{
    public const string ClientIdSetting = "microsoft.client_id";
    public const string ClientSecretSetting = "microsoft.client_secret";
    public const string HttpClientName = "msal";
    public const string CalendarScope = "https://graph.microsoft.com/Calendars.ReadWrite";

    private static readonly string[] Scopes = [CalendarScope];

    public async Task<bool> IsConfiguredAsync(CancellationToken ct) => (await CredentialsAsync(ct)) is not null;

    /// <returns>The URL to send the user to and the PKCE verifier; null when not configured.</returns>
    public async Task<(Uri Url, string CodeVerifier)?> AuthorizeAsync(string redirectUri, string state, CancellationToken ct)
    {
        if (await CredentialsAsync(ct) is not { } credentials)
        {
            return null;
        }

        var verifier = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var challenge = WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var query = new Dictionary<string, string?>
        {
            ["client_id"] = credentials.ClientId,
            ["response_type"] = "code",
            ["redirect_uri"] = redirectUri,
            ["response_mode"] = "query",
            ["scope"] = "offline_access openid profile " + CalendarScope,
            ["state"] = state,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
            ["prompt"] = "select_account",
        };
        var endpoint = new Uri(options.Value.Microsoft.LoginBaseUrl, $"{options.Value.Microsoft.Tenant}/oauth2/v2.0/authorize");
        return (new Uri(QueryHelpers.AddQueryString(endpoint.ToString(), query)), verifier);
    }

    /// <summary>Redeems the code; the result carries the account and MSAL's serialized cache to store.</summary>
    /// <exception cref="MsalException">The code was refused.</exception>
    public async Task<(string HomeAccountId, string UserName, string Cache)> ExchangeAsync(string code, string codeVerifier, string redirectUri,
        CancellationToken ct)
    {
        var cache = new CacheBox(null);
        var app = await AppAsync(redirectUri, cache, ct) ?? throw new InvalidOperationException("Microsoft is not configured.");
        var result = await app.AcquireTokenByAuthorizationCode(Scopes, code).WithPkceCodeVerifier(codeVerifier).ExecuteAsync(ct);
        return (result.Account.HomeAccountId.Identifier, result.Account.Username ?? "", cache.Value ?? "");
    }

    /// <summary>An access token from the connection's cache, refreshed when it expired (or when <paramref name="force"/>).</summary>
    /// <returns>The token and the cache to store when it changed.</returns>
    /// <exception cref="MsalUiRequiredException">The grant was revoked or expired: the user must connect again.</exception>
    public async Task<(string AccessToken, string? ChangedCache)> AccessTokenAsync(string cache, string homeAccountId, bool force, CancellationToken ct)
    {
        var box = new CacheBox(cache);
        var app = await AppAsync(null, box, ct) ?? throw new CalendarAuthorizationException("Microsoft is no longer configured on the platform.");
        var account = await app.GetAccountAsync(homeAccountId)
                      ?? throw new CalendarAuthorizationException("The account is not in the stored token cache.");
        var result = await app.AcquireTokenSilent(Scopes, account).WithForceRefresh(force).ExecuteAsync(ct);
        return (result.AccessToken, box.Changed ? box.Value : null);
    }

    /// <summary>Whether Microsoft accepts the stored client id and secret (see <see cref="ClientCheck"/>).</summary>
    public async Task<ConnectionCheckResult> CheckClientAsync(CancellationToken ct)
    {
        if (await AppAsync(null, new CacheBox(null), ct) is not { } app)
        {
            return ConnectionCheckResult.NotConfigured;
        }

        try
        {
            await ((IByRefreshToken)app).AcquireTokenByRefreshToken(Scopes, ClientCheck.ProbeToken).ExecuteAsync(ct);
            return new ConnectionCheckResult(ConnectionState.Unreachable, "unexpected token");
        }
        catch (MsalServiceException ex)
        {
            return ClientCheck.FromOAuthError(ex.ErrorCode, ex.StatusCode == 0 ? null : ex.StatusCode);
        }
        catch (MsalClientException ex)
        {
            return new ConnectionCheckResult(ConnectionState.Unreachable, ex.ErrorCode);
        }
    }

    private async Task<(string ClientId, string ClientSecret)?> CredentialsAsync(CancellationToken ct)
    {
        var clientId = await settings.GetAsync(ClientIdSetting, ct);
        var clientSecret = await settings.GetAsync(ClientSecretSetting, ct);
        return string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(clientSecret) ? null : (clientId, clientSecret);
    }

    private async Task<IConfidentialClientApplication?> AppAsync(string? redirectUri, CacheBox cache, CancellationToken ct)
    {
        if (await CredentialsAsync(ct) is not { } credentials)
        {
            return null;
        }

        var builder = ConfidentialClientApplicationBuilder.Create(credentials.ClientId)
            .WithClientSecret(credentials.ClientSecret)
            .WithAuthority($"https://login.microsoftonline.com/{options.Value.Microsoft.Tenant}/")
            .WithInstanceDiscovery(false)
            .WithLegacyCacheCompatibility(false)
            .WithHttpClientFactory(new HttpFactory(httpClients));
        if (redirectUri is not null)
        {
            builder = builder.WithRedirectUri(redirectUri);
        }

        var app = builder.Build();
        app.UserTokenCache.SetBeforeAccess(args =>
        {
            if (cache.Value is { Length: > 0 } blob)
            {
                args.TokenCache.DeserializeMsalV3(Convert.FromBase64String(blob));
            }
        });
        app.UserTokenCache.SetAfterAccess(args =>
        {
            if (args.HasStateChanged)
            {
                cache.Value = Convert.ToBase64String(args.TokenCache.SerializeMsalV3());
                cache.Changed = true;
            }
        });
        return app;
    }

    private sealed class CacheBox(string? value)
    {
        public string? Value { get; set; } = value;
        public bool Changed { get; set; }
    }

    private sealed class HttpFactory(IHttpClientFactory clients) : IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient() => clients.CreateClient(HttpClientName);
    }
}

/// <summary>Sends MSAL's requests for login.microsoftonline.com to the configured login endpoint.</summary>
public sealed class LoginRedirectHandler(IOptions<CalendarOptions> options) : DelegatingHandler
{
    private const string MicrosoftLogin = "login.microsoftonline.com";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var target = options.Value.Microsoft.LoginBaseUrl;
        if (request.RequestUri is { } uri && uri.Host.Equals(MicrosoftLogin, StringComparison.OrdinalIgnoreCase)
            && !target.Host.Equals(MicrosoftLogin, StringComparison.OrdinalIgnoreCase))
        {
            request.RequestUri = new Uri(target, uri.PathAndQuery.TrimStart('/'));
        }

        return base.SendAsync(request, cancellationToken);
    }
}
