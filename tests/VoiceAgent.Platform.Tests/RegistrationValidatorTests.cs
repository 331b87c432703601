using System.Globalization;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Platform.Tests;

public sealed class RegistrationValidatorTests
{
    public RegistrationValidatorTests() => CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");

    private static RegistrationRequest Valid() => new()
    {
        CompanyName = "Praxis Dr. Weber", ContactPerson = "Anna Weber", Email = "anna@praxis-weber.de", Password = "Geheim-Passwort-1",
        Street = "Lindenallee", HouseNumber = "3b", PostalCode = "50667", City = "Köln", Country = "DE", Phone = "0221 123456",
    };

    [Fact]
    public void A_complete_german_registration_is_valid() => Assert.Empty(RegistrationValidator.Validate(Valid(), out _));

    [Theory]
    [InlineData("DE", "01067", true)]
    [InlineData("DE", "99998", true)]
    [InlineData("DE", "0106", false)]
    [InlineData("DE", "010677", false)]
    [InlineData("DE", "D-01067", false)]
    [InlineData("AT", "1010", true)]
    [InlineData("AT", "6020", true)]
    [InlineData("AT", "0100", false)]
    [InlineData("AT", "10100", false)]
    [InlineData("CH", "8001", true)]
    [InlineData("CH", "800", false)]
    [InlineData("CH", "CH-8001", false)]
    public void Postal_codes_follow_the_country(string country, string postalCode, bool valid) =>
        Assert.Equal(valid, RegistrationValidator.IsPostalCode(country, postalCode));

    [Theory]
    [InlineData("DE", "DE123456789", "DE123456789")]
    [InlineData("DE", "de 123 456 789", "DE123456789")]
    [InlineData("DE", "DE12345678", null)]
    [InlineData("DE", "DE1234567890", null)]
    [InlineData("DE", "ATU12345678", null)]
    [InlineData("AT", "ATU12345678", "ATU12345678")]
    [InlineData("AT", "atu 1234 5678", "ATU12345678")]
    [InlineData("AT", "AT12345678", null)]
    [InlineData("AT", "ATU1234567", null)]
    [InlineData("CH", "CHE-123.456.789 MWST", "CHE-123.456.789 MWST")]
    [InlineData("CH", "CHE123456789", "CHE-123.456.789 MWST")]
    [InlineData("CH", "CHE-123.456.789 TVA", "CHE-123.456.789 TVA")]
    [InlineData("CH", "CHE-123.456.78 MWST", null)]
    [InlineData("CH", "CHE-123.456.789 VAT", null)]
    public void Vat_ids_are_checked_and_canonicalized_per_country(string country, string input, string? expected) =>
        Assert.Equal(expected, RegistrationValidator.CanonicalVatId(country, input));

    [Fact]
    public void Validation_of_one_step_reports_only_that_steps_fields()
    {
        var request = new RegistrationRequest { CompanyName = "Firma" };

        var step1 = RegistrationValidator.Validate(request, out _, step: 1);
        var step3 = RegistrationValidator.Validate(request, out _, step: 3);

        Assert.Equal(["contactPerson", "email", "password"], step1.Keys.Order());
        Assert.Empty(step3);
    }

    [Theory]
    [InlineData("kurz1")]
    [InlineData("nurbuchstabenlang")]
    [InlineData("1234567890123")]
    public void Weak_passwords_are_rejected(string password)
    {
        var request = Valid();
        request.Password = password;
        var errors = RegistrationValidator.Validate(request, out _);
        Assert.Equal(["password"], errors.Keys);
        Assert.Contains("mindestens 10 Zeichen", errors["password"][0]);
    }

    [Theory]
    [InlineData("+49 (0)30 123-456/7")]
    [InlineData("0043 664 1234567")]
    [InlineData("044 668 18 00")]
    public void Common_phone_notations_are_accepted(string phone)
    {
        var request = Valid();
        request.Phone = phone;
        Assert.Empty(RegistrationValidator.Validate(request, out _));
    }

    [Theory]
    [InlineData("030 CALL ME")]
    [InlineData("12345")]
    [InlineData("+49 30 1234567890123456")]
    public void Impossible_phone_numbers_are_rejected(string phone)
    {
        var request = Valid();
        request.Phone = phone;
        Assert.Equal(["phone"], RegistrationValidator.Validate(request, out _).Keys);
    }

    [Fact]
    public void Input_is_trimmed_and_normalized_but_text_is_kept_literally()
    {
        var request = Valid();
        request.CompanyName = "  <b>Müller</b>   &  Söhne ";
        request.Email = " Anna@Praxis-Weber.DE ";
        request.Website = "praxis-weber.de";

        Assert.Empty(RegistrationValidator.Validate(request, out var n));
        Assert.Equal("<b>Müller</b> & Söhne", n.CompanyName);
        Assert.Equal("anna@praxis-weber.de", n.Email);
        Assert.Equal("https://praxis-weber.de", n.Website);
    }

    [Fact]
    public void Unsupported_country_and_bad_website_are_field_errors()
    {
        var request = Valid();
        request.Country = "FR";
        request.Website = "javascript:alert(1)";

        var errors = RegistrationValidator.Validate(request, out _);
        Assert.Equal(["country", "website"], errors.Keys.Order());
    }

    [Fact]
    public void Messages_are_english_in_an_english_ui()
    {
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en-GB");
        var errors = RegistrationValidator.Validate(new RegistrationRequest(), out _);
        Assert.Equal("This field is required.", errors["companyName"][0]);
    }
}
