using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using VoiceAgent.Platform.Http;
using VoiceAgent.Platform.Identity;
using VoiceAgent.Platform.Portal;

namespace VoiceAgent.Web.Api;

/// <summary>Small non-page portal endpoints: sign-out, language and colour-scheme switches.</summary>
public static class PortalEndpoints
{
    public static void MapPortalEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").WithTags("Portal").WithMetadata(new NoTenantScopeAttribute()).ExcludeFromDescription();
        // As a Delegate: a method group taking only HttpContext and returning a Task would bind as a RequestDelegate, which
        // discards the returned redirect.
        group.MapPost("/logout", (Delegate)Logout).WithName("Logout").WithMetadata(new RequireAntiforgeryTokenAttribute());
        group.MapGet("/culture/{culture}", SetCulture).WithName("SetCulture").AllowAnonymous();
        group.MapGet("/theme/{mode}", SetTheme).WithName("SetTheme").AllowAnonymous();
        group.MapGet("/account/signin", TicketSignIn).WithName("TicketSignIn").AllowAnonymous();
    }

    // A form post with an antiforgery token (validated by the antiforgery middleware for form content). The user's stored
    // language and colour scheme stay in the browser, so the sign-in page looks as the user left the portal.
    internal static async Task<RedirectHttpResult> Logout(HttpContext context)
    {
        if (context.User.UserId() is { } id)
        {
            var db = context.RequestServices.GetRequiredService<VoiceAgentDb>();
            await context.WritePreferenceCookiesAsync(db, id, context.User.IsSuperAdmin(), context.User.TenantId());
        }

        await context.SignOutAsync(IdentityConstants.ApplicationScheme);
        return TypedResults.LocalRedirect("/login");
    }

    internal static async Task<RedirectHttpResult> SetCulture(string culture, string? returnUrl, HttpContext context)
    {
        var value = PortalPreferences.NormalizeCulture(culture);
        PortalPreferences.WriteCultureCookie(context.Response, value);
        await context.SaveForSignedInUserAsync(culture: value);
        return TypedResults.LocalRedirect(SafeReturnUrl(returnUrl));
    }

    internal static async Task<RedirectHttpResult> SetTheme(string mode, string? returnUrl, HttpContext context)
    {
        var value = mode == "dark" ? "dark" : "light";
        PortalPreferences.WriteThemeCookie(context.Response, value);
        await context.SaveForSignedInUserAsync(theme: value);
        return TypedResults.LocalRedirect(SafeReturnUrl(returnUrl));
    }

    /// <summary>Turns a sign-in ticket from an interactive page (registration) into the sign-in cookie.</summary>
    internal static async Task<RedirectHttpResult> TicketSignIn(string? ticket, string? returnUrl, HttpContext context,
        SignInTicket tickets, SignInManager<AppUser> signIn, VoiceAgentDb db)
    {
        if (tickets.Read(ticket) is not { } named)
        {
            return TypedResults.LocalRedirect("/login");
        }

        var signedIn = await db.InScopeAsync(s => s.UsePlatform(), async () =>
        {
            var user = await signIn.UserManager.FindByIdAsync(named.UserId.ToString());
            if (user is null || user.SecurityStamp != named.SecurityStamp || !await signIn.CanSignInAsync(user)
                || await signIn.UserManager.IsLockedOutAsync(user))
            {
                return false;
            }

            await signIn.SignInAsync(user, isPersistent: false);
            return true;
        }, context.RequestAborted);
        return TypedResults.LocalRedirect(signedIn ? SafeReturnUrl(returnUrl) : "/login");
    }

    // Only local paths: "/x" but not "//evil" or "/\evil".
    internal static string SafeReturnUrl(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : "/";
}
