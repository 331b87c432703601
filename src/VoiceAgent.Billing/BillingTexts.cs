using System.Globalization;
using System.Resources;

namespace VoiceAgent.Billing;

/// <summary>
/// Messages about billing input, from BillingTexts.resx (German, the neutral language) and BillingTexts.en.resx (English),
/// looked up in the current UI culture. Keys are the codes in <see cref="BillingErrorCodes"/>.
/// </summary>
public sealed class BillingTexts
{
    // Not static: the type names the resource set for IStringLocalizer<BillingTexts> in pages.
    private BillingTexts()
    {
    }

    private static readonly ResourceManager Resources = new("VoiceAgent.Billing.BillingTexts", typeof(BillingTexts).Assembly);

    public static string Get(string key) => Resources.GetString(key, CultureInfo.CurrentUICulture) ?? key;

    public static string Format(string key, params object?[] args) => string.Format(CultureInfo.CurrentCulture, Get(key), args);

    public static bool Has(string key) => Resources.GetString(key, CultureInfo.InvariantCulture) is not null;
}
