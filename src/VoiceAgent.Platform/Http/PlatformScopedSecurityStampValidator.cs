using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Identity;

namespace VoiceAgent.Platform.Http;

/// <summary>
/// Cookie re-validation runs during authentication, before the request's tenant scope exists; it looks the user up
/// in an explicit platform-scoped transaction of its own.
/// Every request compares the cookie's security stamp with the stored one (one primary-key read), so a password change,
/// a 2FA reset or a lockout ends all other sessions at once; Identity's interval only governs when the principal's claims
/// are rebuilt and the cookie renewed.
/// </summary>
public sealed class PlatformScopedSecurityStampValidator(
    IOptions<SecurityStampValidatorOptions> options,
    SignInManager<AppUser> signInManager,
    ILoggerFactory logger,
    VoiceAgentDb db)
    : SecurityStampValidator<AppUser>(options, signInManager, logger)
{
    public override Task ValidateAsync(CookieValidatePrincipalContext context) =>
        db.InScopeAsync(s => s.UsePlatform(), async () =>
        {
            if (!await SessionStamp.MatchesAsync(db, context.Principal, context.HttpContext.RequestAborted))
            {
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(context.Scheme.Name);
                return true;
            }

            await base.ValidateAsync(context);
            return true;
        }, context.HttpContext.RequestAborted);
}

/// <summary>The "remember this device" cookie of the second step: refused as soon as the user's stamp changes (2FA reset).</summary>
public sealed class PlatformScopedTwoFactorSecurityStampValidator(
    IOptions<SecurityStampValidatorOptions> options,
    SignInManager<AppUser> signInManager,
    ILoggerFactory logger,
    VoiceAgentDb db)
    : TwoFactorSecurityStampValidator<AppUser>(options, signInManager, logger)
{
    public override Task ValidateAsync(CookieValidatePrincipalContext context) =>
        db.InScopeAsync(s => s.UsePlatform(), async () =>
        {
            if (!await SessionStamp.MatchesAsync(db, context.Principal, context.HttpContext.RequestAborted))
            {
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(context.Scheme.Name);
                return true;
            }

            await base.ValidateAsync(context);
            return true;
        }, context.HttpContext.RequestAborted);
}

/// <summary>Compares a principal's security stamp with the stored one.</summary>
public static class SessionStamp
{
    public static readonly string ClaimType = new ClaimsIdentityOptions().SecurityStampClaimType;

    /// <summary>
    /// True when the principal's user exists and its stamp is the stored one. The caller provides the scope: the platform
    /// scope, or the user's own tenant scope (row-level security shows a tenant its own users).
    /// </summary>
    public static async Task<bool> MatchesAsync(VoiceAgentDb db, ClaimsPrincipal? principal, CancellationToken ct)
    {
        var id = principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        if (!Guid.TryParse(id, out var userId))
        {
            // The remember-device cookie names the user by its name claim.
            if (!Guid.TryParse(principal?.Identity?.Name, out userId))
            {
                return false;
            }
        }

        var claimed = principal!.FindFirstValue(ClaimType);
        var stored = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new { u.SecurityStamp }).SingleOrDefaultAsync(ct);
        return stored is not null && claimed is not null && string.Equals(stored.SecurityStamp, claimed, StringComparison.Ordinal);
    }
}
