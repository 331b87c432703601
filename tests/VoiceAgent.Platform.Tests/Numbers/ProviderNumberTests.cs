using System.Globalization;
using VoiceAgent.Platform.Numbers;

namespace VoiceAgent.Platform.Tests.Numbers;

public sealed class ProviderNumberTests
{
    public ProviderNumberTests() => CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");

    [Theory]
    // sipgate: digits without '+' (API-CONTRACTS §2.1).
    [InlineData("4915791234567", "+4915791234567")]
    [InlineData("492111234567", "+492111234567")]
    [InlineData("41446681800", "+41446681800")]
    [InlineData("4315812345", "+4315812345")]
    // Twilio: E.164 (§1.1).
    [InlineData("+4930123456", "+4930123456")]
    [InlineData("+4315812345", "+4315812345")]
    [InlineData("+12125550123", "+12125550123")]
    [InlineData(" +4930123456 ", "+4930123456")]
    [InlineData("tel:+4930123456", "+4930123456")]
    public void Provider_numbers_become_e164(string value, string expected) =>
        Assert.Equal(expected, PhoneNumbers.FromProvider(value).E164);

    [Theory]
    [InlineData("anonymous")]
    [InlineData("Anonymous")]
    [InlineData(" ANONYMOUS ")]
    [InlineData("restricted")]
    [InlineData("unknown")]
    [InlineData("+266696687")]
    [InlineData("266696687")]
    [InlineData("+86282452253")]
    [InlineData("+8656696")]
    [InlineData("+2562533")]
    [InlineData("+7378742833")]
    public void A_withheld_caller_id_is_anonymous_not_a_number(string value)
    {
        var result = PhoneNumbers.FromProvider(value);

        Assert.False(result.IsValid);
        Assert.Equal(NumberErrorCodes.Anonymous, result.ErrorCode);
        Assert.Equal("Die Rufnummer wurde unterdrückt oder nicht übermittelt.", result.Error);
    }

    [Theory]
    [InlineData("client:alice", NumberErrorCodes.Invalid)]
    [InlineData("sip:x@y", NumberErrorCodes.Invalid)]
    [InlineData("sip:+4930123456@example.sip.twilio.com", NumberErrorCodes.Invalid)]
    [InlineData("SIPS:alice@example.com", NumberErrorCodes.Invalid)]
    [InlineData(null, NumberErrorCodes.Empty)]
    [InlineData("", NumberErrorCodes.Empty)]
    [InlineData("0301234567", NumberErrorCodes.RegionRequired)]
    [InlineData("+49112", NumberErrorCodes.Emergency)]
    [InlineData("49900123456", NumberErrorCodes.Premium)]
    [InlineData("+", NumberErrorCodes.InvalidCountry)]
    [InlineData("0", NumberErrorCodes.RegionRequired)]
    [InlineData("Alice", NumberErrorCodes.Letters)]
    public void Provider_values_that_are_no_phone_line_are_refused_without_throwing(string? value, string code) =>
        Assert.Equal(code, PhoneNumbers.FromProvider(value).ErrorCode);

    [Fact]
    public void The_same_line_from_twilio_sipgate_and_the_portal_is_one_stored_number()
    {
        var fromTwilio = PhoneNumbers.FromProvider("+4915791234567").E164;
        var fromSipgate = PhoneNumbers.FromProvider("4915791234567").E164;
        var fromPortal = PhoneNumbers.Normalize("0157 9123 4567", NumberRegion.DE).E164;

        Assert.Equal("+4915791234567", fromTwilio);
        Assert.Equal(fromTwilio, fromSipgate);
        Assert.Equal(fromTwilio, fromPortal);
    }
}
