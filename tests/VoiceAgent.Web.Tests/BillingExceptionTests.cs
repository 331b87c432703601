using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using VoiceAgent.Billing;

namespace VoiceAgent.Web.Tests;

/// <summary>Billing refusals carry a code; each reader words it in its own language (German unless English is asked for).</summary>
public sealed class BillingExceptionTests
{
    private static IStringLocalizer<BillingTexts> Localizer()
    {
        var services = new ServiceCollection().AddLogging().AddLocalization().BuildServiceProvider();
        return services.GetRequiredService<IStringLocalizer<BillingTexts>>();
    }

    private static T InCulture<T>(string culture, Func<T> read)
    {
        var (ui, current) = (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture);
        CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            return read();
        }
        finally
        {
            (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture) = (ui, current);
        }
    }

    [Fact]
    public void A_refusal_reads_english_in_an_english_culture_and_german_by_default()
    {
        var refusal = InCulture("de-DE", () => new BillingException(BillingErrorCodes.PlanNameTaken, "Profi"));
        var texts = Localizer();

        Assert.Equal(BillingErrorCodes.PlanNameTaken, refusal.Code);
        Assert.Equal("Einen Tarif „Profi“ gibt es schon.", refusal.Message);
        Assert.Equal("A plan “Profi” already exists.", InCulture("en-US", () => refusal.Localize(texts)));
        Assert.Equal("Einen Tarif „Profi“ gibt es schon.", InCulture("de-DE", () => refusal.Localize(texts)));
    }

    [Fact]
    public void Dates_in_a_refusal_follow_the_culture()
    {
        var refusal = new BillingException(BillingErrorCodes.PricesFromNextMonth, new DateOnly(2026, 4, 1));
        var texts = Localizer();

        Assert.Contains("01.04.2026", InCulture("de-DE", () => refusal.Localize(texts)));
        Assert.Contains("4/1/2026", InCulture("en-US", () => refusal.Localize(texts)));
    }

    [Fact]
    public void Every_refusal_code_has_a_german_and_an_english_text()
    {
        var texts = Localizer();
        foreach (var code in BillingErrorCodes.All)
        {
            Assert.False(InCulture("de-DE", () => texts[code].ResourceNotFound), code);
            Assert.False(InCulture("en-US", () => texts[code].ResourceNotFound), code);
            if (code != BillingErrorCodes.LexofficeFailed)
            {
                Assert.NotEqual(InCulture("de-DE", () => texts[code].Value), InCulture("en-US", () => texts[code].Value));
            }
        }
    }
}
