extern alias libphonenumber;

using System.Text.RegularExpressions;
using libphonenumber::PhoneNumbers;

namespace VoiceAgent.Platform.Numbers;

/// <summary>
/// Our policy for German, Austrian and Swiss national significant numbers (NSN, the digits after the country code and
/// without the trunk 0) as tenant lines. Which kind of number it is comes from libphonenumber: short codes (emergency and
/// service numbers, <see cref="ShortNumberInfo"/>) and premium-rate numbers (<see cref="PhoneNumberType.PREMIUM_RATE"/>)
/// are refused; fixed, mobile and toll-free numbers are allowed. On top: ranges libphonenumber does not list as premium
/// but which must never be dialled for a tenant, the local rescue number 19222, and lengths after the numbering plans,
/// loosely (libphonenumber accepts e.g. a five-digit Berlin number; Austrian numbers have variable length, so only the
/// length is checked there, not every area code).
/// </summary>
internal static partial class DachNumberRules
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();
    private static readonly ShortNumberInfo ShortNumbers = ShortNumberInfo.GetInstance();
    private static readonly string[] Regions = ["DE", "AT", "CH"];

    /// <summary>Longest DACH short code (116xxx, 118xyz); anything longer is a subscriber number.</summary>
    private const int MaxShortCodeLength = 6;

    /// <summary>
    /// German ranges refused as premium beyond libphonenumber's premium type (which needs a valid length): the whole
    /// 0900 range, 0190 (closed, still dialled from old material), 0137 mass-calling (libphonenumber: shared cost) and
    /// the 118xy directory enquiries (short codes).
    /// </summary>
    private static readonly string[] GermanPremium = ["900", "190", "137", "118"];

    /// <summary>Rettungsdienst/Krankentransport: dialled alone or after the local area code (030 19222, 06221 19222).</summary>
    private const string RescueNumber = "19222";

    internal static bool IsDach(string countryCode) =>
        countryCode is CountryCodes.Germany or CountryCodes.Austria or CountryCodes.Switzerland;

    internal static string CountryCode(NumberRegion region) => region switch
    {
        NumberRegion.DE => CountryCodes.Germany,
        NumberRegion.AT => CountryCodes.Austria,
        NumberRegion.CH => CountryCodes.Switzerland,
        _ => throw new ArgumentOutOfRangeException(nameof(region), region, null),
    };

    /// <summary>A number dialled without 0 or +: only a short code or a local number, never a whole tenant line.</summary>
    internal static string ClassifyLocal(string digits)
    {
        // German directory enquiries 118xy / 118xyz (a short code to libphonenumber, an expensive one to the caller).
        if (digits.StartsWith("118", StringComparison.Ordinal) && digits.Length is 5 or 6)
        {
            return NumberErrorCodes.Premium;
        }

        return digits == RescueNumber || Regions.Any(r => IsShortCode(digits, r, anyService: true))
            ? NumberErrorCodes.Emergency
            : NumberErrorCodes.AreaCodeRequired;
    }

    /// <summary>Returns null when the NSN is acceptable, otherwise an error code.</summary>
    internal static string? Check(string countryCode, string nsn)
    {
        if (nsn.Length == 0)
        {
            return NumberErrorCodes.TooShort;
        }

        if (nsn[0] == '0')
        {
            return NumberErrorCodes.Invalid;
        }

        var region = countryCode switch
        {
            CountryCodes.Germany => "DE",
            CountryCodes.Austria => "AT",
            CountryCodes.Switzerland => "CH",
            _ => throw new ArgumentOutOfRangeException(nameof(countryCode), countryCode, null),
        };
        if (region == "DE" && GermanPremium.Any(p => nsn.StartsWith(p, StringComparison.Ordinal)))
        {
            return NumberErrorCodes.Premium;
        }

        // Written with the trunk 0 or the country code, only emergency numbers and the European 116xxx services count
        // as short codes: other short digits ("01 23") are more likely a number with digits missing.
        if (nsn == RescueNumber || IsShortCode(nsn, region, anyService: false))
        {
            return NumberErrorCodes.Emergency;
        }

        var number = Parse("+" + countryCode + nsn);
        if (number is not null && Util.GetNumberType(number) == PhoneNumberType.PREMIUM_RATE)
        {
            return NumberErrorCodes.Premium;
        }

        return region switch
        {
            "DE" => CheckGermany(nsn, number),
            "AT" => Length(nsn, 4, 13),
            _ => Length(nsn, 9, 9),
        };
    }

    /// <summary>Whether a number of a foreign country is premium-rate (e.g. +979, the international premium service).</summary>
    internal static bool IsPremium(PhoneNumber number) => Util.GetNumberType(number) == PhoneNumberType.PREMIUM_RATE;

    private static string? CheckGermany(string nsn, PhoneNumber? number)
    {
        // 030 19222: the area code (its length from libphonenumber) followed by the rescue number.
        if (nsn.EndsWith(RescueNumber, StringComparison.Ordinal) && number is not null
            && Util.GetLengthOfGeographicalAreaCode(number) == nsn.Length - RescueNumber.Length)
        {
            return NumberErrorCodes.Emergency;
        }

        // 010xx is call-by-call carrier selection and 11x are short codes: neither starts a subscriber number,
        // and "01013 030 …" would otherwise turn into a wrong number of plausible length.
        if (nsn.StartsWith("10", StringComparison.Ordinal) || nsn.StartsWith("11", StringComparison.Ordinal))
        {
            return NumberErrorCodes.Invalid;
        }

        var mobile = number is not null && Util.GetNumberType(number) == PhoneNumberType.MOBILE
            || nsn.StartsWith("15", StringComparison.Ordinal)
            || nsn.StartsWith("16", StringComparison.Ordinal)
            || nsn.StartsWith("17", StringComparison.Ordinal);
        return mobile ? Length(nsn, 10, 11) : Length(nsn, 6, 13);
    }

    /// <summary>
    /// An emergency number of the region (110, 112, 144 …) or, from libphonenumber's short-number data, a 116xxx
    /// service or (<paramref name="anyService"/>) any other service short code (115, 118 in CH, 128 in AT …).
    /// </summary>
    private static bool IsShortCode(string digits, string region, bool anyService)
    {
        if (digits.Length > MaxShortCodeLength)
        {
            return false;
        }

        if (ShortNumbers.IsEmergencyNumber(digits, region))
        {
            return true;
        }

        try
        {
            var number = Util.Parse(digits, region);
            return (anyService || digits.StartsWith("116", StringComparison.Ordinal)) && ShortNumbers.IsValidShortNumberForRegion(number, region);
        }
        catch (NumberParseException)
        {
            return false;
        }
    }

    private static PhoneNumber? Parse(string international)
    {
        try
        {
            return Util.Parse(international, "ZZ");
        }
        catch (NumberParseException)
        {
            // Too long or too short for libphonenumber: our length rules say which.
            return null;
        }
    }

    private static string? Length(string nsn, int min, int max) =>
        nsn.Length < min ? NumberErrorCodes.TooShort
        : nsn.Length > max ? NumberErrorCodes.TooLong
        : null;

    /// <summary>
    /// Best-effort length of the German area code (or mobile block) at the start of an NSN; 0 when only the full
    /// area-code list could tell (the four- and five-digit codes starting with 3).
    /// </summary>
    internal static int GermanAreaCodeLength(string nsn)
    {
        if (nsn.Length < 2)
        {
            return 0;
        }

        // Mobile: for 0151, 0152, 0157 and 0159 the block has four digits (01512 3456789), for the other 015x
        // five; 016x and 017x have three.
        if (nsn[0] == '1')
        {
            return nsn[1] switch
            {
                '5' when nsn.Length > 2 && nsn[2] is '1' or '2' or '7' or '9' => 4,
                '5' => 5,
                '6' or '7' or '8' => 3,
                _ => 0,
            };
        }

        if (nsn[..2] is "30" or "32" or "40" or "69" or "89")
        {
            return 2;
        }

        // Three digits: the x1 cities and the other known three-digit codes, 700 personal, 800 free-phone and
        // 900 premium numbers.
        if (nsn.Length >= 3 && (GermanThreeDigitAreaCode().IsMatch(nsn) || nsn[..3] is "700" or "800" or "900"))
        {
            return 3;
        }

        // Other codes starting with 3 (the former GDR) have four or five digits, which only the full area-code
        // list could tell apart; everywhere else they have four.
        return nsn[0] == '3' ? 0 : 4;
    }

    // The three-digit German area codes: the x1 cities (221 Köln, 711 Stuttgart …) and a known list of others
    // (202 Wuppertal, 228 Bonn, 345 Halle …), after libphonenumber's DE formatting rules.
    [GeneratedRegex(@"^(?:20[1-389]|21[124]|22[18]|23[14]|3[35-9][15]|34[015]|906|(?:2[4-9]|4[2-9]|[579][1-9]|[68][1-8])1)")]
    private static partial Regex GermanThreeDigitAreaCode();
}
