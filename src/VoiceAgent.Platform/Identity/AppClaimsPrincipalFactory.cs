using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace VoiceAgent.Platform.Identity;

/// <summary>Adds the role and tenant to the principal, so requests resolve their tenant without a database round trip.</summary>
public sealed class AppClaimsPrincipalFactory(UserManager<AppUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AppUser>(users, options)
{
    public const string TenantIdClaim = "tenant_id";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(ClaimTypes.Role, user.Role.ToString()));
        identity.AddClaim(new Claim(ClaimTypes.GivenName, user.DisplayName));
        if (user.TenantId is { } tenantId)
        {
            identity.AddClaim(new Claim(TenantIdClaim, tenantId.ToString()));
        }

        return identity;
    }
}
