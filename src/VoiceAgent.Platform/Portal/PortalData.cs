using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Http;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Platform.Portal;

/// <summary>What one unit of portal work sees: its own services, its database (already in the user's scope), the user.</summary>
public sealed record PortalWork(IServiceProvider Services, VoiceAgentDb Db, ClaimsPrincipal User, CancellationToken Cancellation)
{
    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public Actor Actor => User.Actor();
}

/// <summary>
/// The interactive portal's edge, as <see cref="TenantScopeMiddleware"/> is the HTTP one. A Blazor circuit lives for minutes,
/// so it holds no DbContext: every load or action runs in a fresh DI scope, in one transaction whose row-level-security
/// context is the signed-in user's tenant (or the platform, for a super-admin). It commits when the work returns and rolls
/// back when it throws. A tenant that is no longer approved is sent to its status page, as the HTTP edge does.
/// </summary>
public sealed class PortalData(IServiceScopeFactory scopes, AuthenticationStateProvider authentication, NavigationManager navigation)
{
    public async Task<ClaimsPrincipal> UserAsync() => (await authentication.GetAuthenticationStateAsync()).User;

    public async Task RunAsync(Func<PortalWork, Task> work, CancellationToken ct = default) =>
        await RunAsync<bool>(async w =>
        {
            await work(w);
            return true;
        }, ct);

    public async Task<T> RunAsync<T>(Func<PortalWork, Task<T>> work, CancellationToken ct = default)
    {
        var user = await UserAsync();
        if (user.Identity?.IsAuthenticated != true)
        {
            throw new UnauthorizedAccessException("The portal's data needs a signed-in user.");
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        if (user.IsSuperAdmin())
        {
            db.Scope.UsePlatform();
        }
        else if (user.TenantId() is { } tenantId)
        {
            db.Scope.UseTenant(tenantId);
        }
        else
        {
            throw new UnauthorizedAccessException("The signed-in user belongs to no tenant.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // A circuit's user was read from the cookie when it started: every action re-checks the security stamp, so a password
        // change or 2FA reset elsewhere ends this session at its next click (cookie principals always carry a stamp).
        if (user.HasClaim(c => c.Type == SessionStamp.ClaimType) && !await SessionStamp.MatchesAsync(db, user, ct))
        {
            navigation.NavigateTo("/login", forceLoad: true);
            throw new SessionEndedException();
        }

        if (db.Scope.TenantId is { } id)
        {
            var status = await db.Tenants.Where(t => t.Id == id).Select(t => (TenantStatus?)t.Status).SingleOrDefaultAsync(ct);
            if (status != TenantStatus.Approved)
            {
                navigation.NavigateTo("/status", forceLoad: true);
                throw new TenantNotApprovedException();
            }
        }

        var result = await work(new PortalWork(scope.ServiceProvider, db, user, ct));
        await transaction.CommitAsync(ct);
        return result;
    }
}

/// <summary>The signed-in user's tenant is not (or no longer) approved; the user is on the way to the status page.</summary>
public sealed class TenantNotApprovedException() : Exception("The tenant is not approved.");

/// <summary>The user's security stamp changed (password, 2FA reset): the circuit's session is over, the user is on the way to sign-in.</summary>
public sealed class SessionEndedException() : Exception("The session has ended.");
