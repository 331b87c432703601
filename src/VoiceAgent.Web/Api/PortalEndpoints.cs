using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using VoiceAgent.Platform.Http;

namespace VoiceAgent.Web.Api;

/// <summary>Small non-page portal endpoints: sign-out, language and colour-scheme switches.</summary>
public static class PortalEndpoints
{
    public const string ThemeCookie = "voiceagent.theme";

    public static void MapPortalEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").WithTags("Portal").WithMetadata(new NoTenantScopeAttribute()).ExcludeFromDescription();
        // As a Delegate: a method group taking only HttpContext and returning a Task would bind as a RequestDelegate, which
        // discards the returned redirect.
        group.MapPost("/logout", (Delegate)Logout).WithName("Logout").WithMetadata(new RequireAntiforgeryTokenAttribute());
        group.MapGet("/culture/{culture}", SetCulture).WithName("SetCulture").AllowAnonymous();
        group.MapGet("/theme/{mode}", SetTheme).WithName("SetTheme").AllowAnonymous();
    }

    // A form post with an antiforgery token (validated by the antiforgery middleware for form content).
    internal static async Task<RedirectHttpResult> Logout(HttpContext context)
    {
        await context.SignOutAsync(IdentityConstants.ApplicationScheme);
        return TypedResults.LocalRedirect("/login");
    }

    internal static RedirectHttpResult SetCulture(string culture, string? returnUrl, HttpContext context)
    {
        var match = Localization.Supported.FirstOrDefault(c => c.TwoLetterISOLanguageName == culture) ?? Localization.Supported[0];
        context.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(match)),
            new CookieOptions { MaxAge = TimeSpan.FromDays(365), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
        return TypedResults.LocalRedirect(SafeReturnUrl(returnUrl));
    }

    internal static RedirectHttpResult SetTheme(string mode, string? returnUrl, HttpContext context)
    {
        context.Response.Cookies.Append(ThemeCookie, mode == "dark" ? "dark" : "light",
            new CookieOptions { MaxAge = TimeSpan.FromDays(365), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
        return TypedResults.LocalRedirect(SafeReturnUrl(returnUrl));
    }

    // Only local paths: "/x" but not "//evil" or "/\evil".
    internal static string SafeReturnUrl(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : "/";
}
