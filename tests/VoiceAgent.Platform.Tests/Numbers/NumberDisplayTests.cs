using VoiceAgent.Platform.Numbers;

namespace VoiceAgent.Platform.Tests.Numbers;

public sealed class NumberDisplayTests
{
    [Theory]
    [InlineData("+49301234567", "+49 30 1234567")]
    [InlineData("+4930123456", "+49 30 123456")]
    [InlineData("+49891234567", "+49 89 1234567")]
    [InlineData("+492211234567", "+49 221 1234567")]
    [InlineData("+492281234567", "+49 228 1234567")]
    [InlineData("+49345123456", "+49 345 123456")]
    [InlineData("+496221123456", "+49 6221 123456")]
    [InlineData("+493320312345", "+49 3320312345")]
    [InlineData("+4915123456789", "+49 1512 3456789")]
    [InlineData("+491701234567", "+49 170 1234567")]
    [InlineData("+498001234567", "+49 800 1234567")]
    [InlineData("+4315812345", "+43 1 5812345")]
    [InlineData("+43664123456", "+43 664 123456")]
    [InlineData("+43316123456", "+43 316 123456")]
    [InlineData("+4322361234", "+43 2236 1234")]
    [InlineData("+41446681800", "+41 44 668 18 00")]
    [InlineData("+41781234567", "+41 78 123 45 67")]
    [InlineData("+41800123456", "+41 800 123 456")]
    [InlineData("+12125550123", "+1 212 555 0123")]
    [InlineData("+33123456789", "+33 123456789")]
    public void Numbers_are_grouped_for_reading(string e164, string expected) =>
        Assert.Equal(expected, PhoneNumbers.Display(e164));

    [Theory]
    [InlineData("")]
    [InlineData("030 1234567")]
    [InlineData("+0123456789")]
    [InlineData("+28123456789")]
    [InlineData("+4930123456789012")]
    [InlineData("anonymous")]
    public void Anything_that_is_not_e164_is_shown_unchanged(string value) =>
        Assert.Equal(value, PhoneNumbers.Display(value));

    [Theory]
    [MemberData(nameof(PhoneNumbersNormalizeTests.Accepted), MemberType = typeof(PhoneNumbersNormalizeTests))]
    public void A_displayed_number_normalizes_back_to_itself(string input, NumberRegion? region, string e164)
    {
        _ = input;
        _ = region;
        Assert.Equal(e164, PhoneNumbers.Normalize(PhoneNumbers.Display(e164)).E164);
    }
}
