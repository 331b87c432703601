using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using VoiceAgent.Platform.Identity;

namespace VoiceAgent.Platform.Http;

/// <summary>Refuses accounts created by the local dev seed when running in Production.</summary>
public sealed class AppSignInManager(
    UserManager<AppUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<AppUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<AppUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<AppUser> confirmation,
    IHostEnvironment environment)
    : SignInManager<AppUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(AppUser user)
    {
        if (user.DevSeeded && environment.IsProduction())
        {
            Logger.LogWarning("Sign-in refused for dev-seeded account {UserId} in Production", user.Id);
            return false;
        }

        return await base.CanSignInAsync(user);
    }
}
