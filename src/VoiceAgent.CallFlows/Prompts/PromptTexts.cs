using System.Globalization;
using System.Resources;

namespace VoiceAgent.CallFlows.Prompts;

/// <summary>The industry prompt templates, the AI disclosure and the prompt's validation messages, from PromptTexts.resx
/// (German, the neutral language) and PromptTexts.en.resx.</summary>
public sealed class PromptTexts
{
    private static readonly ResourceManager Resources = new(typeof(PromptTexts));

    // Not static: the type names the resource set for IStringLocalizer<PromptTexts> in pages.
    private PromptTexts()
    {
    }

    public static string Get(string key) => Get(key, CultureInfo.CurrentUICulture);

    public static string Get(string key, CultureInfo culture) => Resources.GetString(key, culture) ?? key;

    public static string Format(string key, params object?[] args) => string.Format(CultureInfo.CurrentCulture, Get(key), args);

    /// <summary>"en" (any English tag) is English; everything else is German, the language of the calls.</summary>
    public static CultureInfo Culture(string? language) =>
        language is not null && language.StartsWith("en", StringComparison.OrdinalIgnoreCase)
            ? CultureInfo.GetCultureInfo("en")
            : CultureInfo.GetCultureInfo("de-DE");
}
