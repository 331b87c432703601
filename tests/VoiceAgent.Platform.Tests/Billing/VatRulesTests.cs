using VoiceAgent.Billing;

namespace VoiceAgent.Platform.Tests.Billing;

public sealed class VatRulesTests
{
    [Theory]
    [InlineData("AT", "ATU12345678")]
    [InlineData("AT", "atu12345678")]
    [InlineData("AT", "ATU 123 456 78")]
    [InlineData("BE", "BE0123456789")]
    [InlineData("DE", "DE123456789")]
    [InlineData("DK", "DK12345678")]
    [InlineData("ES", "ESX1234567R")]
    [InlineData("FR", "FR40303265045")]
    [InlineData("FR", "FRK7399859412")]
    [InlineData("GR", "EL123456789")]
    [InlineData("IE", "IE6388047V")]
    [InlineData("IE", "IE1234567WA")]
    [InlineData("IT", "IT12345678901")]
    [InlineData("NL", "NL123456789B01")]
    [InlineData("PL", "PL123-456-78-90")]
    [InlineData("SE", "SE123456789001")]
    public void Well_formed_eu_vat_ids(string country, string vatId) => Assert.True(VatRules.IsWellFormedVatId(country, vatId));

    [Theory]
    [InlineData("AT", "ATU1234567")]      // 7 digits
    [InlineData("AT", "ATU123456789")]    // 9 digits
    [InlineData("AT", "AT12345678")]      // U missing
    [InlineData("AT", "DE123456789")]     // another country's prefix
    [InlineData("AT", "U12345678")]       // no prefix
    [InlineData("DE", "DE12345678")]
    [InlineData("GR", "GR123456789")]     // Greece writes EL
    [InlineData("NL", "NL123456789")]     // B01 missing
    [InlineData("SE", "SE123456789012")]  // must end in 01
    [InlineData("FR", "FRIO303265045")]   // I and O are not used
    [InlineData("AT", "ATU١٢٣٤٥٦٧٨")]     // non-ASCII digits
    [InlineData("CH", "CHE-123.456.789 MWST")] // not an EU VAT ID
    [InlineData("AT", "")]
    public void Malformed_or_foreign_vat_ids(string country, string vatId) => Assert.False(VatRules.IsWellFormedVatId(country, vatId));

    [Fact]
    public void The_eu_has_27_members_without_switzerland()
    {
        Assert.Equal(27, VatRules.EuCountries.Count);
        Assert.Contains("AT", VatRules.EuCountries);
        Assert.DoesNotContain("CH", VatRules.EuCountries);
        Assert.DoesNotContain("GB", VatRules.EuCountries);
        Assert.All(VatRules.EuCountries, c => Assert.True(Iso3166.IsCountry(c), c));
    }

    [Fact]
    public void The_country_list_is_iso_3166()
    {
        Assert.Equal(249, Iso3166.Count);
        Assert.True(Iso3166.IsCountry("LI"));
        Assert.False(Iso3166.IsCountry("EL"));
        Assert.False(Iso3166.IsCountry("EU"));
        Assert.False(Iso3166.IsCountry("de"));
    }

    [Theory]
    [InlineData("DE", null, 19, TaxRule.Domestic)]
    [InlineData("AT", "ATU12345678", 0, TaxRule.ReverseCharge)]
    [InlineData("AT", " ", 19, TaxRule.EuWithoutVatId)]
    [InlineData("AT", "ATU1", 19, TaxRule.EuInvalidVatId)]
    [InlineData("CH", null, 0, TaxRule.NotTaxableInGermany)]
    [InlineData("LI", null, 0, TaxRule.NotTaxableInGermany)]
    [InlineData("GB", "GB123456789", 0, TaxRule.NotTaxableInGermany)]
    public void Tax_treatment_by_country_and_vat_id(string country, string? vatId, int rate, TaxRule rule)
    {
        var tax = VatRules.For(country, vatId);

        Assert.Equal(rate, tax.RatePercent);
        Assert.Equal(rule, tax.Rule);
    }
}
