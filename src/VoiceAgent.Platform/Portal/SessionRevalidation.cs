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
/// this: <see cref="PortalData"/> checks the stamp on every load and action. While the host shuts down there is nothing
/// to re-check (the circuit ends with the host, and no action can run any more): the state is left as it is, instead of
/// re-rendering the page as anonymous on a disposed service provider.
/// </summary>
public sealed class SessionRevalidation(ILoggerFactory loggers, IServiceScopeFactory scopes, IOptions<SignInThrottleOptions> options,
    IHostApplicationLifetime lifetime) : RevalidatingServerAuthenticationStateProvider(loggers)
{
    protected override TimeSpan RevalidationInterval => options.Value.CircuitRevalidationInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return true;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
            return await db.InScopeAsync(s => s.UsePlatform(), () => SessionStamp.MatchesAsync(db, state.User, ct), ct);
        }
        catch (ObjectDisposedException)
        {
            // The host was disposed between the check above and the scope (test hosts stop that fast).
            return true;
        }
    }
}
