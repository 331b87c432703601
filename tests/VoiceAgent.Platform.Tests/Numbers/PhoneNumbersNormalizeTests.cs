using System.Globalization;
using System.Text.RegularExpressions;
using VoiceAgent.Platform.Numbers;
using static VoiceAgent.Platform.Numbers.NumberRegion;

namespace VoiceAgent.Platform.Tests.Numbers;

public sealed class PhoneNumbersNormalizeTests
{
    public PhoneNumbersNormalizeTests() => CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");

    public static TheoryData<string, NumberRegion?, string> Accepted => new()
    {
        // Germany: the forms from the issue, and libphonenumber's example numbers (fixed 30123456, mobile 15123456789).
        { "030 1234567", DE, "+49301234567" },
        { "+49 (0)30 1234567", null, "+49301234567" },
        { "+49 (0) 30 1234567", null, "+49301234567" },
        { "+49(0)30-1234567", AT, "+49301234567" },
        { "0049 30 1234567", null, "+49301234567" },
        { "0049 (0)30 1234567", CH, "+49301234567" },
        { "+49 030 1234567", null, "+49301234567" },
        { "030123456", DE, "+4930123456" },
        { "+4930123456", null, "+4930123456" },
        { "0151 23456789", DE, "+4915123456789" },
        { "+49 151 2345 6789", AT, "+4915123456789" },
        { "0049 (0) 151-23456789", null, "+4915123456789" },
        { "0170 1234567", DE, "+491701234567" },
        { "(030) 123 45 67", DE, "+49301234567" },
        { "030/1234567", DE, "+49301234567" },
        { "030-123 45 67", DE, "+49301234567" },
        { "030.123.45.67", DE, "+49301234567" },
        { "030 \u2013 123 45 67", DE, "+49301234567" },
        { " \u00A0030\u00A01234567\u00A0 ", DE, "+49301234567" },
        { "\u202A+49 30 1234567\u202C", null, "+49301234567" },
        { "tel:+49-30-1234567", null, "+49301234567" },
        { "TEL:030 1234567", DE, "+49301234567" },
        { "0221 1234567", DE, "+492211234567" },
        { "06221 123456", DE, "+496221123456" },
        { "033203 12345", DE, "+493320312345" },
        { "0800 1234567", DE, "+498001234567" },
        { "030 1234567-89", DE, "+4930123456789" },
        { "0221 4819222", DE, "+492214819222" },

        // Austria: Wien 01, libphonenumber's examples (fixed 1234567890, mobile 664123456).
        { "01 5812345", AT, "+4315812345" },
        { "+43 (0)1 5812345", null, "+4315812345" },
        { "+43 01 5812345", null, "+4315812345" },
        { "0043 664 1234567", null, "+436641234567" },
        { "+43 1 234567890", null, "+431234567890" },
        { "0664 123456", AT, "+43664123456" },
        { "0316 123456", AT, "+43316123456" },
        { "01 4000", AT, "+4314000" },

        // Switzerland: Zürich, libphonenumber's examples (fixed 212345678, mobile 781234567).
        { "044 668 18 00", CH, "+41446681800" },
        { "+41 44 668 18 00", null, "+41446681800" },
        { "+41 (0)44 668 18 00", null, "+41446681800" },
        { "+41 044 668 18 00", null, "+41446681800" },
        { "0041 21 234 56 78", DE, "+41212345678" },
        { "078 123 45 67", CH, "+41781234567" },

        // Other countries pass through with the E.164 length check; their trunk 0 is not ours to strip.
        { "+33 1 23 45 67 89", DE, "+33123456789" },
        { "+39 06 1234 5678", null, "+390612345678" },
        { "+1 (212) 555-0123", null, "+12125550123" },
        { "0044 20 7946 0958", DE, "+442079460958" },
        { "+44 (0)20 7946 0958", null, "+442079460958" },
        { "+423 234 56 78", CH, "+4232345678" },
    };

    public static TheoryData<string?, NumberRegion?, string> Rejected => new()
    {
        { null, DE, NumberErrorCodes.Empty },
        { "", DE, NumberErrorCodes.Empty },
        { "   ", null, NumberErrorCodes.Empty },
        { "\u00A0", DE, NumberErrorCodes.Empty },
        { " - / ", DE, NumberErrorCodes.Empty },
        { "()", DE, NumberErrorCodes.Empty },

        { "030 CALL NOW", DE, NumberErrorCodes.Letters },
        { "0800-FLOWERS", DE, NumberErrorCodes.Letters },
        { "+49 30 12345x7", null, NumberErrorCodes.Letters },
        { "Tel. 030 1234567", DE, NumberErrorCodes.Letters },
        { "anonymous", DE, NumberErrorCodes.Letters },
        { "O30 1234567", DE, NumberErrorCodes.Letters },

        { "030 123", DE, NumberErrorCodes.TooShort },
        { "+49 30 12", null, NumberErrorCodes.TooShort },
        { "0151 234567", DE, NumberErrorCodes.TooShort },
        { "01 23", AT, NumberErrorCodes.TooShort },
        { "044 668 18 0", CH, NumberErrorCodes.TooShort },
        { "+41 44 668 18", null, NumberErrorCodes.TooShort },
        { "+33 1234", null, NumberErrorCodes.TooShort },
        { "+49", null, NumberErrorCodes.TooShort },
        { "0049", null, NumberErrorCodes.TooShort },
        { "0", DE, NumberErrorCodes.TooShort },

        { "030 12345678901234", DE, NumberErrorCodes.TooLong },
        { "0151 234567890", DE, NumberErrorCodes.TooLong },
        { "+43 1 2345678901234", null, NumberErrorCodes.TooLong },
        { "044 668 18 00 1", CH, NumberErrorCodes.TooLong },
        { "+1 212 555 0123 45678", null, NumberErrorCodes.TooLong },

        { "030 1234567", null, NumberErrorCodes.RegionRequired },
        { "01 5812345", null, NumberErrorCodes.RegionRequired },
        { "044 668 18 00", null, NumberErrorCodes.RegionRequired },

        // No 0 and no +: a local number, or digits we could only guess at (libphonenumber would read "301/23456"
        // with region DE as Berlin; we ask instead).
        { "1234567", DE, NumberErrorCodes.AreaCodeRequired },
        { "1234567", null, NumberErrorCodes.AreaCodeRequired },
        { "301/23456", DE, NumberErrorCodes.AreaCodeRequired },
        { "4930123456", DE, NumberErrorCodes.AreaCodeRequired },

        { "110", DE, NumberErrorCodes.Emergency },
        { "112", null, NumberErrorCodes.Emergency },
        { "115", DE, NumberErrorCodes.Emergency },
        { "116 117", DE, NumberErrorCodes.Emergency },
        { "116000", AT, NumberErrorCodes.Emergency },
        { "19222", DE, NumberErrorCodes.Emergency },
        { "030 19222", DE, NumberErrorCodes.Emergency },
        { "+49 6221 19222", null, NumberErrorCodes.Emergency },
        { "033203 19222", DE, NumberErrorCodes.Emergency },
        { "0112", DE, NumberErrorCodes.Emergency },
        { "+49 112", null, NumberErrorCodes.Emergency },
        { "0049 110", null, NumberErrorCodes.Emergency },
        { "+49 116 117", null, NumberErrorCodes.Emergency },
        { "122", AT, NumberErrorCodes.Emergency },
        { "133", AT, NumberErrorCodes.Emergency },
        { "+43 144", null, NumberErrorCodes.Emergency },
        { "117", CH, NumberErrorCodes.Emergency },
        { "118", CH, NumberErrorCodes.Emergency },
        { "147", CH, NumberErrorCodes.Emergency },
        { "+41 117", null, NumberErrorCodes.Emergency },

        { "0900 1234567", DE, NumberErrorCodes.Premium },
        { "0190 123456", DE, NumberErrorCodes.Premium },
        { "0137 1234567", DE, NumberErrorCodes.Premium },
        { "11880", DE, NumberErrorCodes.Premium },
        { "+49 118 33", null, NumberErrorCodes.Premium },
        { "+49 900 1234567", null, NumberErrorCodes.Premium },
        { "0900 123456", AT, NumberErrorCodes.Premium },
        { "0901 123456", AT, NumberErrorCodes.Premium },
        { "0930 123456", AT, NumberErrorCodes.Premium },
        { "0931 123456", AT, NumberErrorCodes.Premium },
        { "0939 123456", AT, NumberErrorCodes.Premium },
        { "0900 123 456", CH, NumberErrorCodes.Premium },
        { "0906 123 456", CH, NumberErrorCodes.Premium },
        { "+41 901 123 456", null, NumberErrorCodes.Premium },
        { "+979 123456789", null, NumberErrorCodes.Premium },

        { "+", null, NumberErrorCodes.InvalidCountry },
        { "00", DE, NumberErrorCodes.InvalidCountry },
        { "+0 30 1234567", null, NumberErrorCodes.InvalidCountry },
        { "000 49 30 1234567", DE, NumberErrorCodes.InvalidCountry },
        { "+28 1234 5678", null, NumberErrorCodes.InvalidCountry },
        { "+80 1234 5678", null, NumberErrorCodes.InvalidCountry },

        { "+266696687", null, NumberErrorCodes.Anonymous },

        { "030#1234567", DE, NumberErrorCodes.Invalid },
        { "*31#030 1234567", DE, NumberErrorCodes.Invalid },
        { "030 1234567 +1", DE, NumberErrorCodes.Invalid },
        { "+49+30 1234567", null, NumberErrorCodes.Invalid },
        { "+49 00 30 1234567", null, NumberErrorCodes.Invalid },
        { "01013 030 1234567", DE, NumberErrorCodes.Invalid },
        { "\u0660\u0663\u0660 1234567", DE, NumberErrorCodes.Invalid },
        { "\uFF10\uFF13\uFF10 1234567", DE, NumberErrorCodes.Invalid },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Accepted_forms_are_stored_as_strict_e164(string input, NumberRegion? region, string expected)
    {
        var result = PhoneNumbers.Normalize(input, region);

        Assert.Equal(expected, result.E164);
        Assert.True(result.IsValid);
        Assert.Null(result.ErrorCode);
        Assert.Null(result.Error);
    }

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Numbers_that_cannot_be_a_tenant_line_are_rejected_with_a_code_and_a_message(string? input, NumberRegion? region, string code)
    {
        var result = PhoneNumbers.Normalize(input, region);

        Assert.Equal(code, result.ErrorCode);
        Assert.False(result.IsValid);
        Assert.Null(result.E164);
        Assert.Equal(NumberTexts.Get(code), result.Error);
    }

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Normalizing_twice_changes_nothing(string input, NumberRegion? region, string expected)
    {
        _ = input;
        Assert.Equal(expected, PhoneNumbers.Normalize(expected, region).E164);
        Assert.Equal(expected, PhoneNumbers.Normalize(expected).E164);
    }

    [Fact]
    public void The_region_decides_how_a_national_number_is_read()
    {
        Assert.Equal(NumberErrorCodes.RegionRequired, PhoneNumbers.Normalize("01 5812345").ErrorCode);
        Assert.Equal("+4315812345", PhoneNumbers.Normalize("01 5812345", AT).E164);
        Assert.Equal(NumberErrorCodes.TooShort, PhoneNumbers.Normalize("01 5812345", DE).ErrorCode);
        Assert.Equal(NumberErrorCodes.TooShort, PhoneNumbers.Normalize("01 5812345", CH).ErrorCode);
        Assert.Equal("+49446681800", PhoneNumbers.Normalize("044 668 18 00", DE).E164);
        Assert.Equal("+41446681800", PhoneNumbers.Normalize("044 668 18 00", CH).E164);
    }

    [Fact]
    public void Random_input_never_throws_and_every_accepted_number_is_e164()
    {
        var random = new Random(4930);
        const string alphabet = "0123456789+()-/. \u00A0#*aX0049";
        for (var i = 0; i < 20_000; i++)
        {
            var chars = new char[random.Next(0, 22)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            var input = new string(chars);
            NumberRegion? region = random.Next(4) switch { 0 => null, 1 => DE, 2 => AT, _ => CH };
            foreach (var result in new[] { PhoneNumbers.Normalize(input, region), PhoneNumbers.FromProvider(input) })
            {
                if (result.IsValid)
                {
                    Assert.Matches(E164Pattern, result.E164!);
                    Assert.Null(result.ErrorCode);
                }
                else
                {
                    Assert.Contains(result.ErrorCode, NumberErrorCodes.All);
                    Assert.False(string.IsNullOrWhiteSpace(result.Error));
                }
            }
        }
    }

    private static readonly Regex E164Pattern = new(@"^\+[1-9][0-9]{5,14}$");
}
