using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Identity;

namespace VoiceAgent.Platform.Http;

/// <summary>
/// Cookie re-validation runs during authentication, before the request's tenant scope exists; it looks the user up
/// in an explicit platform-scoped transaction of its own.
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
            await base.ValidateAsync(context);
            return true;
        }, context.HttpContext.RequestAborted);
}
