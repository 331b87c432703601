using Microsoft.AspNetCore.Authentication.BearerToken;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Platform.Http;

/// <summary>
/// Identity's bearer tokens carry the security stamp of their sign-in but are never checked against it. This check does,
/// on every request that brings a token: a token issued before a password change or a 2FA reset fails authentication from
/// then on (401), as a cookie of that session does.
/// </summary>
public static class BearerStampCheck
{
    public static async Task OnMessageReceived(MessageReceivedContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        // An unreadable or expired token is the handler's to refuse; only a valid one needs the stamp check.
        var ticket = context.Options.BearerTokenProtector.Unprotect(header["Bearer ".Length..].Trim());
        if (ticket?.Principal is not { } principal)
        {
            return;
        }

        var db = context.HttpContext.RequestServices.GetRequiredService<VoiceAgentDb>();
        var ct = context.HttpContext.RequestAborted;
        if (!await db.InScopeAsync(s => s.UsePlatform(), () => SessionStamp.MatchesAsync(db, principal, ct), ct))
        {
            context.Fail("The session has ended.");
        }
    }
}
