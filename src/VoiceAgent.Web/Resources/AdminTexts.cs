using System.Globalization;
using System.Resources;

namespace VoiceAgent.Web.Resources;

/// <summary>
/// Texts of the host's admin pages (tenants, audit log, settings, users), from AdminTexts.resx (German, the neutral
/// language) and AdminTexts.en.resx (English).
/// </summary>
public sealed class AdminTexts
{
    // Not static: the type names the resource set for IStringLocalizer<AdminTexts> in pages.
    private AdminTexts()
    {
    }

    private static readonly ResourceManager Resources = new("VoiceAgent.Web.Resources.AdminTexts", typeof(AdminTexts).Assembly);

    public static string Get(string key) => Resources.GetString(key, CultureInfo.CurrentUICulture) ?? key;

    public static string Format(string key, params object?[] args) => string.Format(CultureInfo.CurrentCulture, Get(key), args);
}
