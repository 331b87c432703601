using System.Globalization;
using System.Resources;

namespace VoiceAgent.Web.Resources;

/// <summary>Texts of the data protection page and API (PrivacyTexts.resx German, PrivacyTexts.en.resx English).</summary>
public sealed class PrivacyTexts
{
    // Not static: the type names the resource set for IStringLocalizer<PrivacyTexts> in pages.
    private PrivacyTexts()
    {
    }

    private static readonly ResourceManager Resources = new("VoiceAgent.Web.Resources.PrivacyTexts", typeof(PrivacyTexts).Assembly);

    public static string Get(string key) => Resources.GetString(key, CultureInfo.CurrentUICulture) ?? key;

    public static string Format(string key, params object?[] args) => string.Format(CultureInfo.CurrentCulture, Get(key), args);
}
