using System.Security.Claims;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Identity;

namespace VoiceAgent.Platform.Http;

public static class CurrentUser
{
    public static Guid? UserId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static Guid? TenantId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(AppClaimsPrincipalFactory.TenantIdClaim), out var id) ? id : null;

    public static bool IsSuperAdmin(this ClaimsPrincipal user) => user.IsInRole(Roles.SuperAdmin);

    public static bool IsTenantAdmin(this ClaimsPrincipal user) => user.IsInRole(Roles.TenantAdmin);

    public static Actor Actor(this ClaimsPrincipal user) => new(user.UserId(), user.FindFirstValue(ClaimTypes.Email) ?? user.Identity?.Name);

    public static string DisplayName(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.GivenName) ?? user.Identity?.Name ?? "";
}
