using System.Globalization;
using System.Resources;

namespace VoiceAgent.Telephony;

/// <summary>The telephony pages' texts, from TelephonyTexts.resx (German, the neutral language) and TelephonyTexts.en.resx (English).</summary>
public sealed class TelephonyTexts
{
    // Not static: the type names the resource set for IStringLocalizer<TelephonyTexts> in pages.
    private TelephonyTexts()
    {
    }

    private static readonly ResourceManager Resources = new("VoiceAgent.Telephony.TelephonyTexts", typeof(TelephonyTexts).Assembly);

    public static string Get(string key) => Resources.GetString(key, CultureInfo.CurrentUICulture) ?? key;

    public static string Format(string key, params object?[] args) => string.Format(CultureInfo.CurrentCulture, Get(key), args);
}
