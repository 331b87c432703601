using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Http;
using VoiceAgent.Platform.Identity;

namespace VoiceAgent.Platform.Portal;

/// <summary>
/// An idle Blazor circuit re-checks its user's security stamp every few seconds (<c>SignIn:CircuitRevalidationInterval</c>):
/// when it changed, the circuit's user becomes anonymous and the router sends the browser to sign-in. Actions do not wait for
/// this: <see cref="PortalData"/> checks the stamp on every load and action.
/// </summary>
public sealed class SessionRevalidation(ILoggerFactory loggers, IServiceScopeFactory scopes, IOptions<SignInThrottleOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    protected override TimeSpan RevalidationInterval => options.Value.CircuitRevalidationInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        return await db.InScopeAsync(s => s.UsePlatform(), () => SessionStamp.MatchesAsync(db, state.User, ct), ct);
    }
}
