using System.Collections;
using System.Globalization;
using System.Resources;
using VoiceAgent.Platform.Numbers;

namespace VoiceAgent.Platform.Tests.Numbers;

public sealed class NumberTextsAndRegionTests
{
    public NumberTextsAndRegionTests() => CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");

    public static TheoryData<string, NumberRegion?, string, string, string> Messages => new()
    {
        { "", NumberRegion.DE, NumberErrorCodes.Empty, "Bitte geben Sie eine Telefonnummer ein.", "Please enter a phone number." },
        { "030 ABC", NumberRegion.DE, NumberErrorCodes.Letters, "keine Buchstaben", "must not contain letters" },
        { "030 123", NumberRegion.DE, NumberErrorCodes.TooShort, "Die Nummer ist zu kurz.", "The number is too short." },
        { "030 12345678901234", NumberRegion.DE, NumberErrorCodes.TooLong, "Die Nummer ist zu lang.", "The number is too long." },
        { "030 1234567", null, NumberErrorCodes.RegionRequired, "Bitte wählen Sie das Land aus", "Please choose the country" },
        { "1234567", NumberRegion.DE, NumberErrorCodes.AreaCodeRequired, "Bitte geben Sie die Nummer mit Vorwahl an (z. B. 030 1234567", "Please enter the number with its area code" },
        { "112", NumberRegion.DE, NumberErrorCodes.Emergency, "Notruf- und Servicenummern wie 110 oder 112 können nicht verbunden werden.", "Emergency and service numbers such as 110 or 112 cannot be connected." },
        { "0900 1234567", NumberRegion.DE, NumberErrorCodes.Premium, "Mehrwertnummern (0900, 0190) sind nicht erlaubt.", "Premium-rate numbers (0900, 0190) are not allowed." },
        { "+28 1234 5678", null, NumberErrorCodes.InvalidCountry, "Die Ländervorwahl ist ungültig.", "The country code is invalid." },
        { "+266696687", null, NumberErrorCodes.Anonymous, "Die Rufnummer wurde unterdrückt", "The caller's number was withheld" },
        { "030#1234567", NumberRegion.DE, NumberErrorCodes.Invalid, "Das ist keine gültige Telefonnummer.", "This is not a valid phone number." },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_rejection_explains_itself_in_german(string input, NumberRegion? region, string code, string german, string english)
    {
        _ = english;
        var result = PhoneNumbers.Normalize(input, region);

        Assert.Equal(code, result.ErrorCode);
        Assert.Contains(german, result.Error);
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Messages_are_english_in_an_english_ui(string input, NumberRegion? region, string code, string german, string english)
    {
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en-GB");

        var result = PhoneNumbers.Normalize(input, region);

        Assert.Equal(code, result.ErrorCode);
        Assert.Contains(english, result.Error);
        Assert.DoesNotContain(german, result.Error);
    }

    [Fact]
    public void Every_error_code_has_a_german_and_an_english_text_and_nothing_else()
    {
        var codes = NumberErrorCodes.All.Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(codes, Keys(CultureInfo.InvariantCulture));
        Assert.Equal(codes, Keys(CultureInfo.GetCultureInfo("en")));
        Assert.All(codes, code => Assert.True(NumberTexts.Has(code), code));
    }

    [Theory]
    [InlineData("DE", NumberRegion.DE)]
    [InlineData("de", NumberRegion.DE)]
    [InlineData(" At ", NumberRegion.AT)]
    [InlineData("ch", NumberRegion.CH)]
    public void Known_region_names_parse(string value, NumberRegion expected)
    {
        Assert.True(PhoneNumbers.TryParseRegion(value, out var region));
        Assert.Equal(expected, region);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("2")]
    [InlineData("D")]
    [InlineData("Germany")]
    [InlineData("DE,AT")]
    [InlineData("LI")]
    public void Unknown_region_names_do_not_parse(string? value) =>
        Assert.False(PhoneNumbers.TryParseRegion(value, out _));

    // Read from the compiled resources, neutral (German) and the English satellite, without falling back.
    private static string[] Keys(CultureInfo culture)
    {
        var resources = new ResourceManager("VoiceAgent.Platform.Numbers.NumberTexts", typeof(NumberTexts).Assembly);
        var set = resources.GetResourceSet(culture, createIfNotExists: true, tryParents: false);
        Assert.NotNull(set);
        return set.Cast<DictionaryEntry>().Select(e => (string)e.Key).Order(StringComparer.Ordinal).ToArray();
    }
}
