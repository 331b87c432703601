using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace VoiceAgent.Platform.Identity;

/// <summary>Adds the role and tenant to the principal, so requests resolve their tenant without a database round trip.</summary>
public sealed class AppClaimsPrincipalFactory(UserManager<AppUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AppUser>(users, options)
{
    public const string TenantIdClaim = "tenant_id";

    /// <summary>
    /// A super-admin without two-factor authentication gets this claim instead of the SuperAdmin role: every check of the
    /// role (policies, the jobs dashboard, the platform database scope) fails closed, and the portal sends the user to the
    /// enrolment page, the one page such a session can use.
    /// </summary>
    public const string TwoFactorEnrolmentClaim = "2fa_enrolment_required";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.Role == UserRole.SuperAdmin && !user.TwoFactorEnabled)
        {
            identity.AddClaim(new Claim(TwoFactorEnrolmentClaim, "true"));
        }
        else
        {
            identity.AddClaim(new Claim(ClaimTypes.Role, user.Role.ToString()));
        }

        identity.AddClaim(new Claim(ClaimTypes.GivenName, user.DisplayName));
        if (user.TenantId is { } tenantId)
        {
            identity.AddClaim(new Claim(TenantIdClaim, tenantId.ToString()));
        }

        return identity;
    }
}
