using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.WebEncoders;

namespace VoiceAgent.Platform.Http;

/// <summary>German by default; English when the user picks it (a cookie). The browser's language is not consulted.</summary>
public static class Localization
{
    public static readonly CultureInfo[] Supported = [new("de-DE"), new("en-GB")];

    public static void AddPortalLocalization(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture("de-DE");
            o.SupportedCultures = Supported;
            o.SupportedUICultures = Supported;
            o.RequestCultureProviders = [new CookieRequestCultureProvider()];
        });

        // Umlauts and typographic quotes are written as characters, not numeric entities (still HTML-encoded).
        builder.Services.Configure<WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
    }

    public static void UsePortalLocalization(this WebApplication app) => app.UseRequestLocalization();

    public static bool IsGerman => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "de";
}
