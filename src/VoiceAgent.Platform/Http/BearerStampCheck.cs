using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Platform.Http;

/// <summary>
/// Identity's bearer tokens carry the security stamp of their sign-in but are never checked against it. This check does,
/// on every request that brings a token: a token issued before a password change or a 2FA reset is anonymous from then on
/// (the endpoint answers 401), as a cookie of that session is.
/// </summary>
public sealed class BearerStampCheck(IHttpContextAccessor accessor) : IClaimsTransformation
{
    private const string CheckedKey = "voiceagent.bearer-stamp-checked";

    public async Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        var context = accessor.HttpContext;
        if (context is null || principal.Identity?.IsAuthenticated != true
            || !context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return principal;
        }

        if (context.Items[CheckedKey] is bool known)
        {
            return known ? principal : new ClaimsPrincipal(new ClaimsIdentity());
        }

        var db = context.RequestServices.GetRequiredService<VoiceAgentDb>();
        var matches = await db.InScopeAsync(s => s.UsePlatform(), () => SessionStamp.MatchesAsync(db, principal, context.RequestAborted),
            context.RequestAborted);
        context.Items[CheckedKey] = matches;
        return matches ? principal : new ClaimsPrincipal(new ClaimsIdentity());
    }
}
