using Google.Apis.Auth.OAuth2.Responses;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Identity.Client;
using NodaTime;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Calendars;

/// <summary>
/// Credentials and health of a connection: hands out access tokens (refreshing them transparently — Google with its
/// refresh token, Microsoft with MSAL's cache — and storing what changed, encrypted), marks the connection broken when
/// the grant no longer works (audited, the tenant gets a mail once) and records last success and last error.
/// Changes are made on the tracked connection; the caller's unit of work saves them.
/// </summary>
public sealed class ConnectionAccess(VoiceAgentDb db, ConnectionSecrets secrets, GoogleOAuth google, MicrosoftOAuth microsoft,
    ConnectorMails mails, TimeProvider time, ILogger<ConnectionAccess> logger)
{
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan HealthWriteInterval = TimeSpan.FromMinutes(1);

    public CalendarSession Session(CalendarConnection connection, string calendarId, DateTimeZone zone, CalendarBudget budget) =>
        new(connection, calendarId, zone, budget, (refresh, ct) => SecretAsync(connection, refresh, budget, ct));

    /// <summary>Runs a provider call and keeps the connection's health; a failed grant breaks the connection.</summary>
    public async Task<T> RunAsync<T>(CalendarConnection connection, Func<Task<T>> call, CancellationToken ct)
    {
        try
        {
            var result = await call();
            Succeeded(connection);
            return result;
        }
        catch (CalendarAuthorizationException ex)
        {
            await MarkBrokenAsync(connection, ex.Message, ct);
            throw;
        }
        catch (Exception ex) when (ex is CalendarUnavailableException or CalendarProviderException)
        {
            Failed(connection, ex.Message);
            throw;
        }
    }

    public void Succeeded(CalendarConnection connection)
    {
        var now = time.GetUtcNow();
        // Written at most once a minute: concurrent calls of a tenant would otherwise queue on the connection's row.
        if (connection.LastSuccessAt is null || connection.LastSuccessAt < now - HealthWriteInterval
            || (connection.LastErrorAt is { } error && error > connection.LastSuccessAt))
        {
            connection.LastSuccessAt = now;
        }
    }

    public void Failed(CalendarConnection connection, string message)
    {
        connection.LastErrorAt = time.GetUtcNow();
        connection.LastError = message.Length > 500 ? message[..500] : message;
    }

    /// <summary>The grant no longer works: broken until the tenant connects again; audited and mailed once.</summary>
    public async Task MarkBrokenAsync(CalendarConnection connection, string reason, CancellationToken ct)
    {
        Failed(connection, reason);
        if (connection.Status == ConnectionStatus.Broken)
        {
            return;
        }

        connection.Status = ConnectionStatus.Broken;
        connection.BrokenAt = time.GetUtcNow();
        connection.UpdatedAt = time.GetUtcNow();
        db.Record(time, Actor.System, ConnectorAudit.Broken, connection.TenantId, $"{connection.Provider} {connection.Account}: {connection.LastError}");
        logger.LogWarning("Calendar connection {Provider} of tenant {TenantId} is broken: {Reason}", connection.Provider, connection.TenantId, reason);
        var tenantEmail = await db.Tenants.Where(t => t.Id == connection.TenantId).Select(t => t.Email).SingleOrDefaultAsync(ct);
        if (tenantEmail is not null)
        {
            mails.ConnectionBroken(tenantEmail, connection);
        }
    }

    private async Task<string> SecretAsync(CalendarConnection connection, bool refresh, CalendarBudget budget, CancellationToken ct)
    {
        if (connection.Status == ConnectionStatus.Broken)
        {
            throw new CalendarAuthorizationException("The connection is broken; the tenant has to connect again.");
        }

        var secret = secrets.Unprotect(connection.ProtectedSecret, out var migrate);
        if (migrate)
        {
            // Still under an older key of the ring: re-encrypt with the current one.
            connection.ProtectedSecret = secrets.Protect(secret);
        }

        switch (connection.Provider)
        {
            case CalendarProviders.CalDav:
                return secret.Password ?? throw new CalendarAuthorizationException("No password is stored for the CalDAV connection.");
            case CalendarProviders.Google:
                return await GoogleTokenAsync(connection, secret, refresh, budget, ct);
            case CalendarProviders.Microsoft:
                return await MicrosoftTokenAsync(connection, secret, refresh, budget, ct);
            default:
                throw new InvalidOperationException($"Unknown provider {connection.Provider}.");
        }
    }

    private async Task<string> GoogleTokenAsync(CalendarConnection connection, StoredSecret secret, bool refresh, CalendarBudget budget,
        CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!refresh && secret.AccessToken is { } token && secret.AccessTokenExpiresAt > now + RefreshMargin)
        {
            return token;
        }

        if (secret.RefreshToken is not { } refreshToken)
        {
            throw new CalendarAuthorizationException("Google issued no refresh token.");
        }

        using var timeout = Timeout(budget, ct);
        try
        {
            var response = await google.RefreshAsync(refreshToken, timeout.Token);
            connection.ProtectedSecret = secrets.Protect(secret with
            {
                AccessToken = response.AccessToken,
                AccessTokenExpiresAt = now.AddSeconds(response.ExpiresInSeconds ?? 3600),
                RefreshToken = string.IsNullOrEmpty(response.RefreshToken) ? refreshToken : response.RefreshToken,
            });
            return response.AccessToken;
        }
        catch (TokenResponseException ex) when (ex.Error?.Error is "invalid_grant" or "unauthorized_client" or "invalid_client")
        {
            throw new CalendarAuthorizationException($"Google refused the refresh: {ex.Error.Error} {ex.Error.ErrorDescription}".Trim(), ex);
        }
        catch (TokenResponseException ex)
        {
            throw new CalendarUnavailableException($"Google's token endpoint failed: {ex.StatusCode} {ex.Error?.Error}", false, ex);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new CalendarUnavailableException("Google's token endpoint did not answer within the time budget.", true, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new CalendarUnavailableException("Google's token endpoint is unreachable: " + ex.Message, false, ex);
        }
    }

    private async Task<string> MicrosoftTokenAsync(CalendarConnection connection, StoredSecret secret, bool refresh, CalendarBudget budget,
        CancellationToken ct)
    {
        if (secret.MsalCache is not { } cache || connection.AccountKey is not { } account)
        {
            throw new CalendarAuthorizationException("No Microsoft token cache is stored.");
        }

        using var timeout = Timeout(budget, ct);
        try
        {
            var (token, changed) = await microsoft.AccessTokenAsync(cache, account, refresh, timeout.Token);
            if (changed is not null)
            {
                // Refresh tokens rotate: keep the new one.
                connection.ProtectedSecret = secrets.Protect(secret with { MsalCache = changed });
            }

            return token;
        }
        catch (MsalUiRequiredException ex)
        {
            throw new CalendarAuthorizationException($"Microsoft refused the refresh: {ex.ErrorCode} {ex.Message}", ex);
        }
        catch (MsalServiceException ex) when (ex.StatusCode is 429 or >= 500 or 0)
        {
            throw new CalendarUnavailableException($"Microsoft's token endpoint failed: {ex.StatusCode} {ex.ErrorCode}", false, ex);
        }
        catch (MsalServiceException ex)
        {
            throw new CalendarAuthorizationException($"Microsoft refused the refresh: {ex.ErrorCode} {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new CalendarUnavailableException("Microsoft's token endpoint did not answer within the time budget.", true, ex);
        }
        catch (MsalClientException ex)
        {
            throw new CalendarUnavailableException("Microsoft's token endpoint is unreachable: " + ex.Message, false, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new CalendarUnavailableException("Microsoft's token endpoint is unreachable: " + ex.Message, false, ex);
        }
    }

    private static CancellationTokenSource Timeout(CalendarBudget budget, CancellationToken ct)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(budget.Remaining > TimeSpan.Zero ? budget.Remaining : TimeSpan.FromMilliseconds(1));
        return cts;
    }
}
