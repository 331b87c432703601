using System.Globalization;
using System.Resources;

namespace VoiceAgent.Calendars;

/// <summary>
/// What a user reads about calendar connectors (page, API problems, mails), from ConnectorTexts.resx (German, the neutral
/// language) and ConnectorTexts.en.resx (English), in the current UI culture. Mails to tenants are German.
/// </summary>
public sealed class ConnectorTexts
{
    // Not static: the type names the resource set for IStringLocalizer<ConnectorTexts> in pages.
    private ConnectorTexts()
    {
    }

    private static readonly ResourceManager Resources = new("VoiceAgent.Calendars.ConnectorTexts", typeof(ConnectorTexts).Assembly);

    private static readonly CultureInfo GermanCulture = CultureInfo.GetCultureInfo("de-DE");

    public static string Get(string key) => Resources.GetString(key, CultureInfo.CurrentUICulture) ?? key;

    public static string Format(string key, params object?[] args) => string.Format(CultureInfo.CurrentCulture, Get(key), args);

    public static string German(string key, params object?[] args) =>
        string.Format(GermanCulture, Resources.GetString(key, GermanCulture) ?? key, args);
}
