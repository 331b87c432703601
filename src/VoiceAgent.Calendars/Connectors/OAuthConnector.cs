using System.Security.Cryptography;
using System.Text.Json;
using Google.Apis.Auth.OAuth2.Responses;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Calendars;

/// <summary>
/// Connecting Google and Microsoft 365 with OAuth 2.0 authorization code + PKCE (S256). The <c>state</c> sent to the
/// provider is a Data-Protection token (tamper-proof) naming tenant, user, provider and a random nonce; the nonce's row
/// in oauth_states makes it single use and valid for <see cref="CalendarOptions.StateLifetime"/>, and keeps the PKCE
/// verifier (encrypted) and the exact redirect URI. A callback whose state is forged, replayed, expired, from another
/// tenant or user, or lacks its verifier stores nothing.
/// </summary>
public sealed class OAuthConnector(
    VoiceAgentDb db,
    IDataProtectionProvider protection,
    GoogleOAuth google,
    MicrosoftOAuth microsoft,
    ConnectionSecrets secrets,
    ConnectionAccess access,
    GoogleCalendarClient googleCalendar,
    IOptions<CalendarOptions> options,
    TimeProvider time,
    ILogger<OAuthConnector> logger)
{
    private readonly IDataProtector stateProtector = protection.CreateProtector("VoiceAgent.OAuthState.v1");
    private readonly IDataProtector verifierProtector = protection.CreateProtector("VoiceAgent.OAuthState.Verifier.v1");

    public async Task<bool> IsConfiguredAsync(string provider, CancellationToken ct) => provider switch
    {
        CalendarProviders.Google => await google.IsConfiguredAsync(ct),
        CalendarProviders.Microsoft => await microsoft.IsConfiguredAsync(ct),
        _ => false,
    };

    /// <summary>Starts an authorization: the provider URL to redirect to (with state, code_challenge, S256).</summary>
    public async Task<Outcome<Uri>> StartAsync(Guid tenantId, Guid userId, string provider, string redirectUri, CancellationToken ct)
    {
        if (!CalendarProviders.OAuth.Contains(provider))
        {
            return Outcome<Uri>.NotFound();
        }

        var nonce = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var state = stateProtector.Protect(JsonSerializer.Serialize(new StatePayload(tenantId, userId, provider, nonce)));
        var start = provider == CalendarProviders.Google
            ? await google.AuthorizeAsync(redirectUri, state, ct)
            : await microsoft.AuthorizeAsync(redirectUri, state, ct);
        if (start is not { } authorize)
        {
            return Outcome<Uri>.Conflict(ConnectorTexts.Format("OAuth.NotConfigured", ConnectorTexts.Get("Provider." + provider)));
        }

        var now = time.GetUtcNow();
        db.OAuthStates.Add(new OAuthState
        {
            Nonce = nonce,
            TenantId = tenantId,
            UserId = userId,
            Provider = provider,
            ProtectedCodeVerifier = verifierProtector.Protect(authorize.CodeVerifier),
            RedirectUri = redirectUri,
            CreatedAt = now,
            ExpiresAt = now + options.Value.StateLifetime,
        });
        await db.SaveChangesAsync(ct);
        return Outcome<Uri>.Ok(authorize.Url);
    }

    /// <summary>The provider's redirect back: checks and consumes the state, redeems the code, stores the connection.</summary>
    public async Task<Outcome<CalendarConnection>> CompleteAsync(Guid tenantId, Guid userId, Actor actor, string provider, string? code, string? state,
        string? error, CancellationToken ct)
    {
        if (!CalendarProviders.OAuth.Contains(provider))
        {
            return Outcome<CalendarConnection>.NotFound();
        }

        if (Read(state) is not { } payload || payload.Provider != provider || payload.TenantId != tenantId || payload.UserId != userId)
        {
            logger.LogWarning("OAuth callback for {Provider} with an invalid state (tenant {TenantId})", provider, tenantId);
            return Invalid("OAuth.StateInvalid");
        }

        // Single use and not expired, atomically: of two callbacks with the same state only one passes.
        var now = time.GetUtcNow();
        var consumed = await db.Database.SqlQuery<ConsumedState>($"""
            UPDATE oauth_states SET used_at = {now}
            WHERE nonce = {payload.Nonce} AND tenant_id = {tenantId} AND user_id = {userId} AND provider = {provider}
              AND used_at IS NULL AND expires_at > {now}
            RETURNING protected_code_verifier AS "ProtectedCodeVerifier", redirect_uri AS "RedirectUri"
            """).ToListAsync(ct);
        if (consumed.SingleOrDefault() is not { } row)
        {
            logger.LogWarning("OAuth callback for {Provider} with a used or expired state (tenant {TenantId})", provider, tenantId);
            return Invalid("OAuth.StateUsed");
        }

        if (!string.IsNullOrEmpty(error))
        {
            return Invalid(error == "access_denied" ? "OAuth.Denied" : "OAuth.ProviderError");
        }

        if (string.IsNullOrEmpty(code))
        {
            return Invalid("OAuth.CodeMissing");
        }

        string verifier;
        try
        {
            verifier = verifierProtector.Unprotect(row.ProtectedCodeVerifier);
        }
        catch (CryptographicException)
        {
            verifier = "";
        }

        if (verifier.Length < 43)
        {
            return Invalid("OAuth.VerifierMissing");
        }

        return provider == CalendarProviders.Google
            ? await CompleteGoogleAsync(tenantId, actor, code, verifier, row.RedirectUri, ct)
            : await CompleteMicrosoftAsync(tenantId, actor, code, verifier, row.RedirectUri, ct);
    }

    /// <summary>Deletes OAuth states that ended more than a day ago (platform-wide, by the background job).</summary>
    public Task<int> RemoveStaleStatesAsync(CancellationToken ct)
    {
        var before = time.GetUtcNow().AddDays(-1);
        return db.InScopeAsync(s => s.UsePlatform(), () => db.OAuthStates.Where(s => s.ExpiresAt < before).ExecuteDeleteAsync(ct), ct);
    }

    private async Task<Outcome<CalendarConnection>> CompleteGoogleAsync(Guid tenantId, Actor actor, string code, string verifier, string redirectUri,
        CancellationToken ct)
    {
        TokenResponse token;
        try
        {
            token = await google.ExchangeAsync(code, verifier, redirectUri, ct);
        }
        catch (TokenResponseException ex)
        {
            logger.LogWarning("Google refused the authorization code: {Error} {Description}", ex.Error?.Error, ex.Error?.ErrorDescription);
            return Invalid("OAuth.CodeRefused");
        }
        catch (HttpRequestException ex)
        {
            logger.LogWarning(ex, "Google's token endpoint is unreachable");
            return Outcome<CalendarConnection>.Conflict(ConnectorTexts.Get("OAuth.Unreachable"));
        }

        if (string.IsNullOrEmpty(token.RefreshToken))
        {
            return Invalid("OAuth.NoRefreshToken");
        }

        var secret = new StoredSecret(token.AccessToken, time.GetUtcNow().AddSeconds(token.ExpiresInSeconds ?? 3600), token.RefreshToken);
        var connection = await UpsertAsync(tenantId, CalendarProviders.Google, "", null, secret, actor, ct);

        // The primary calendar's id is the account's address.
        try
        {
            var session = access.Session(connection, "primary", NodaTime.DateTimeZone.Utc, new CalendarBudget(time, TimeSpan.FromSeconds(10)));
            var calendars = await googleCalendar.CalendarsAsync(session, ct);
            connection.Account = calendars.FirstOrDefault(c => c.Primary)?.Id ?? calendars.FirstOrDefault()?.Id ?? "Google";
            access.Succeeded(connection);
        }
        catch (Exception ex) when (ex is CalendarUnavailableException or CalendarProviderException or CalendarAuthorizationException)
        {
            connection.Account = "Google";
            access.Failed(connection, ex.Message);
        }

        return await FinishAsync(connection, actor, ct);
    }

    private async Task<Outcome<CalendarConnection>> CompleteMicrosoftAsync(Guid tenantId, Actor actor, string code, string verifier, string redirectUri,
        CancellationToken ct)
    {
        (string HomeAccountId, string UserName, string Cache) result;
        try
        {
            result = await microsoft.ExchangeAsync(code, verifier, redirectUri, ct);
        }
        catch (MsalServiceException ex) when (ex.StatusCode is >= 400 and < 500)
        {
            logger.LogWarning("Microsoft refused the authorization code: {Error} {Message}", ex.ErrorCode, ex.Message);
            return Invalid("OAuth.CodeRefused");
        }
        catch (Exception ex) when (ex is MsalException or HttpRequestException)
        {
            logger.LogWarning(ex, "Microsoft's token endpoint failed");
            return Outcome<CalendarConnection>.Conflict(ConnectorTexts.Get("OAuth.Unreachable"));
        }

        var connection = await UpsertAsync(tenantId, CalendarProviders.Microsoft, string.IsNullOrEmpty(result.UserName) ? "Microsoft 365" : result.UserName,
            result.HomeAccountId, new StoredSecret(MsalCache: result.Cache), actor, ct);
        access.Succeeded(connection);
        return await FinishAsync(connection, actor, ct);
    }

    private async Task<CalendarConnection> UpsertAsync(Guid tenantId, string provider, string account, string? accountKey, StoredSecret secret, Actor actor,
        CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var connection = await db.CalendarConnections.SingleOrDefaultAsync(c => c.TenantId == tenantId && c.Provider == provider, ct);
        if (connection is null)
        {
            connection = new CalendarConnection
            {
                Id = Guid.CreateVersion7(now),
                TenantId = tenantId,
                Provider = provider,
                Status = ConnectionStatus.Connected,
                Account = account,
                ProtectedSecret = "",
            };
            db.CalendarConnections.Add(connection);
        }

        // Reconnecting repairs a broken connection and keeps the chosen calendar.
        connection.Status = ConnectionStatus.Connected;
        connection.Account = account;
        connection.AccountKey = accountKey;
        connection.ProtectedSecret = secrets.Protect(secret);
        connection.ConnectedAt = now;
        connection.ConnectedBy = actor.Email;
        connection.UpdatedAt = now;
        connection.BrokenAt = null;
        return connection;
    }

    private async Task<Outcome<CalendarConnection>> FinishAsync(CalendarConnection connection, Actor actor, CancellationToken ct)
    {
        if (connection.Account.Length > 320)
        {
            connection.Account = connection.Account[..320];
        }

        db.Record(time, actor, ConnectorAudit.Connected, connection.TenantId, $"{connection.Provider} {connection.Account}");
        await db.SaveChangesAsync(ct);
        return Outcome<CalendarConnection>.Ok(connection);
    }

    private StatePayload? Read(string? state)
    {
        if (string.IsNullOrEmpty(state) || state.Length > 2000)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<StatePayload>(stateProtector.Unprotect(state));
        }
        catch (Exception ex) when (ex is CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }

    private static Outcome<CalendarConnection> Invalid(string key) => Outcome<CalendarConnection>.Invalid("state", ConnectorTexts.Get(key));

    private sealed record StatePayload(Guid TenantId, Guid UserId, string Provider, string Nonce);

    private sealed record ConsumedState(string ProtectedCodeVerifier, string RedirectUri);
}
