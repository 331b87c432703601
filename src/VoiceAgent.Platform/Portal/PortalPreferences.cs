using Microsoft.AspNetCore.Localization;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Http;

namespace VoiceAgent.Platform.Portal;

/// <summary>
/// Colour scheme and language follow the user: stored on the user's row, copied into the browser's cookies at sign-in
/// (so the sign-in page after a sign-out already looks as the user left it). Without a stored choice the colour scheme
/// follows the operating system and the language is German.
/// </summary>
public static class PortalPreferences
{
    public const string ThemeCookie = "voiceagent.theme";

    public static string? NormalizeTheme(string? theme) => theme is "dark" or "light" ? theme : null;

    public static string NormalizeCulture(string? culture) =>
        (Localization.Supported.FirstOrDefault(c => c.TwoLetterISOLanguageName == culture) ?? Localization.Supported[0]).TwoLetterISOLanguageName;

    public static void WriteThemeCookie(HttpResponse response, string? theme)
    {
        if (NormalizeTheme(theme) is { } value)
        {
            response.Cookies.Append(ThemeCookie, value, CookieOptions());
        }
        else
        {
            response.Cookies.Delete(ThemeCookie);
        }
    }

    public static void WriteCultureCookie(HttpResponse response, string? culture)
    {
        var match = Localization.Supported.First(c => c.TwoLetterISOLanguageName == NormalizeCulture(culture));
        response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(match)), CookieOptions());
    }

    /// <summary>Stores a choice on the user's own row (runs in the caller's transaction and scope).</summary>
    public static async Task SaveAsync(VoiceAgentDb db, Guid userId, string? theme = null, string? culture = null, CancellationToken ct = default)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null)
        {
            return;
        }

        if (NormalizeTheme(theme) is { } t)
        {
            user.UiTheme = t;
        }

        if (culture is not null)
        {
            user.UiCulture = NormalizeCulture(culture);
        }

        await db.SaveChangesAsync(ct);
    }

    private static CookieOptions CookieOptions() =>
        new() { MaxAge = TimeSpan.FromDays(365), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true };
}

public static class PortalPreferencesHttp
{
    /// <summary>
    /// From a plain HTTP endpoint (language switch, sign-out): stores the signed-in user's choice on their own row, in the
    /// user's own row-level-security scope, in a transaction of its own.
    /// </summary>
    public static async Task SaveForSignedInUserAsync(this HttpContext context, string? theme = null, string? culture = null)
    {
        var user = context.User;
        if (user.UserId() is not { } id)
        {
            return;
        }

        var db = context.RequestServices.GetRequiredService<VoiceAgentDb>();
        await db.InScopeAsync(scope => Enter(scope, user), async () =>
        {
            await PortalPreferences.SaveAsync(db, id, theme, culture, context.RequestAborted);
            return true;
        }, context.RequestAborted);
    }

    /// <summary>Reads the user's stored choices and writes them into the browser's cookies (after sign-in, before sign-out).</summary>
    public static async Task WritePreferenceCookiesAsync(this HttpContext context, VoiceAgentDb db, Guid userId, bool platform, Guid? tenantId)
    {
        var prefs = await db.InScopeAsync(scope =>
            {
                if (platform)
                {
                    scope.UsePlatform();
                }
                else if (tenantId is { } t)
                {
                    scope.UseTenant(t);
                }
            },
            () => db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new { u.UiTheme, u.UiCulture }).SingleOrDefaultAsync(context.RequestAborted),
            context.RequestAborted);
        if (prefs is not null)
        {
            PortalPreferences.WriteThemeCookie(context.Response, prefs.UiTheme);
            if (prefs.UiCulture is not null)
            {
                PortalPreferences.WriteCultureCookie(context.Response, prefs.UiCulture);
            }
        }
    }

    private static void Enter(DbScope scope, System.Security.Claims.ClaimsPrincipal user)
    {
        if (user.IsSuperAdmin())
        {
            scope.UsePlatform();
        }
        else if (user.TenantId() is { } t)
        {
            scope.UseTenant(t);
        }
    }
}
