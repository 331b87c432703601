using System.Text.RegularExpressions;

namespace VoiceAgent.Platform.Numbers;

/// <summary>
/// What a German, Austrian or Swiss national significant number (NSN, the digits after the country code and
/// without the trunk 0) must look like to be a tenant line. Lengths follow the numbering plans, loosely:
/// Austrian numbers have variable length and libphonenumber itself validates only the first digits, so we
/// check length and the number ranges that must never be dialled for a tenant, not every area code.
/// </summary>
internal static partial class DachNumberRules
{
    // Emergency and service short codes per country. As an NSN (+49 112, 0112) they are refused as well.
    private static readonly HashSet<string> GermanShortCodes = ["110", "112", "115", "19222"];
    private static readonly HashSet<string> AustrianShortCodes = ["112", "122", "128", "133", "140", "141", "144"];
    private static readonly HashSet<string> SwissShortCodes = ["112", "117", "118", "143", "144", "145", "147"];

    private static readonly string[] GermanPremium = ["900", "190", "137", "118"];
    private static readonly string[] AustrianPremium = ["900", "901", "930", "931", "939"];
    private static readonly string[] SwissPremium = ["900", "901", "906"];

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
        if (IsShortCode(digits, GermanShortCodes) || IsShortCode(digits, AustrianShortCodes) || IsShortCode(digits, SwissShortCodes))
        {
            return NumberErrorCodes.Emergency;
        }

        // German directory enquiries 118xy / 118xyz.
        return digits.StartsWith("118", StringComparison.Ordinal) && digits.Length is 5 or 6
            ? NumberErrorCodes.Premium
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

        return countryCode switch
        {
            CountryCodes.Germany => CheckGermany(nsn),
            CountryCodes.Austria => CheckAustria(nsn),
            CountryCodes.Switzerland => CheckSwitzerland(nsn),
            _ => throw new ArgumentOutOfRangeException(nameof(countryCode), countryCode, null),
        };
    }

    private static string? CheckGermany(string nsn)
    {
        if (IsShortCode(nsn, GermanShortCodes))
        {
            return NumberErrorCodes.Emergency;
        }

        if (StartsWithAny(nsn, GermanPremium))
        {
            return NumberErrorCodes.Premium;
        }

        if (IsLocalRescueNumber(nsn))
        {
            return NumberErrorCodes.Emergency;
        }

        // 010xx is call-by-call carrier selection and 11x are short codes: neither starts a subscriber number,
        // and "01013 030 …" would otherwise turn into a wrong number of plausible length.
        if (nsn.StartsWith("10", StringComparison.Ordinal) || nsn.StartsWith("11", StringComparison.Ordinal))
        {
            return NumberErrorCodes.Invalid;
        }

        var mobile = nsn.StartsWith("15", StringComparison.Ordinal)
            || nsn.StartsWith("16", StringComparison.Ordinal)
            || nsn.StartsWith("17", StringComparison.Ordinal);
        return mobile ? Length(nsn, 10, 11) : Length(nsn, 6, 13);
    }

    private static string? CheckAustria(string nsn)
    {
        if (IsShortCode(nsn, AustrianShortCodes))
        {
            return NumberErrorCodes.Emergency;
        }

        return StartsWithAny(nsn, AustrianPremium) ? NumberErrorCodes.Premium : Length(nsn, 4, 13);
    }

    private static string? CheckSwitzerland(string nsn)
    {
        if (IsShortCode(nsn, SwissShortCodes))
        {
            return NumberErrorCodes.Emergency;
        }

        return StartsWithAny(nsn, SwissPremium) ? NumberErrorCodes.Premium : Length(nsn, 9, 9);
    }

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

    // 19222 (Rettungsdienst/Krankentransport) is dialled with the local area code: 030 19222, 06221 19222.
    private static bool IsLocalRescueNumber(string nsn)
    {
        if (!nsn.EndsWith("19222", StringComparison.Ordinal))
        {
            return false;
        }

        var areaLength = nsn.Length - 5;
        var known = GermanAreaCodeLength(nsn);
        return known == 0 ? areaLength is 4 or 5 : areaLength == known;
    }

    // 116xxx are the harmonised European service numbers (116 117 Bereitschaftsdienst, 116 111 Kinder- und Jugendtelefon …).
    private static bool IsShortCode(string digits, HashSet<string> codes) =>
        codes.Contains(digits) || (digits.Length == 6 && digits.StartsWith("116", StringComparison.Ordinal));

    private static bool StartsWithAny(string nsn, string[] prefixes) =>
        prefixes.Any(p => nsn.StartsWith(p, StringComparison.Ordinal));

    private static string? Length(string nsn, int min, int max) =>
        nsn.Length < min ? NumberErrorCodes.TooShort
        : nsn.Length > max ? NumberErrorCodes.TooLong
        : null;

    // The three-digit German area codes: the x1 cities (221 Köln, 711 Stuttgart …) and a known list of others
    // (202 Wuppertal, 228 Bonn, 345 Halle …), after libphonenumber's DE formatting rules.
    [GeneratedRegex(@"^(?:20[1-389]|21[124]|22[18]|23[14]|3[35-9][15]|34[015]|906|(?:2[4-9]|4[2-9]|[579][1-9]|[68][1-8])1)")]
    private static partial Regex GermanThreeDigitAreaCode();
}
