using System.Globalization;
using System.Resources;

namespace VoiceAgent.Platform.Resources;

/// <summary>
/// Everything a user reads, from Texts.resx (German, the neutral language) and Texts.en.resx (English),
/// looked up in the current UI culture.
/// </summary>
public sealed class Texts
{
    // Not static: the type names the resource set for IStringLocalizer<Texts> in pages.
    private Texts()
    {
    }

    private static readonly ResourceManager Resources = new("VoiceAgent.Platform.Resources.Texts", typeof(Texts).Assembly);

    public static string Get(string key) => Resources.GetString(key, CultureInfo.CurrentUICulture) ?? key;

    public static string Format(string key, params object?[] args) =>
        string.Format(CultureInfo.CurrentCulture, Get(key), args);

    public static bool Has(string key) => Resources.GetString(key, CultureInfo.InvariantCulture) is not null;
}
