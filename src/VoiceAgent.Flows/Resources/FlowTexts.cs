using System.Globalization;
using System.Resources;

namespace VoiceAgent.Flows.Resources;

/// <summary>Engine texts (validation messages, the runner's fallback lines) in German with English as second language.</summary>
public sealed class FlowTexts
{
    // Not static: the type names the resource set for IStringLocalizer<FlowTexts> in pages.
    private FlowTexts()
    {
    }

    private static readonly ResourceManager Resources = new("VoiceAgent.Flows.Resources.FlowTexts", typeof(FlowTexts).Assembly);

    public static string Language => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en" ? "en" : "de";

    public static string Get(string key) => Resources.GetString(key, CultureInfo.CurrentUICulture) ?? key;

    public static string Format(string key, params object?[] args) => string.Format(CultureInfo.CurrentCulture, Get(key), args);
}
