using System.Globalization;
using System.Resources;

namespace VoiceAgent.Platform.Numbers;

/// <summary>
/// Messages for number errors, from NumberTexts.resx (German, the neutral language) and NumberTexts.en.resx
/// (English), looked up in the current UI culture. Keys are the codes in <see cref="NumberErrorCodes"/>.
/// </summary>
public sealed class NumberTexts
{
    // Not static: the type names the resource set for IStringLocalizer<NumberTexts> in pages.
    private NumberTexts()
    {
    }

    private static readonly ResourceManager Resources = new("VoiceAgent.Platform.Numbers.NumberTexts", typeof(NumberTexts).Assembly);

    public static string Get(string key) => Resources.GetString(key, CultureInfo.CurrentUICulture) ?? key;

    public static bool Has(string key) => Resources.GetString(key, CultureInfo.InvariantCulture) is not null;
}
