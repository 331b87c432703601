extern alias libphonenumber;

using System.Globalization;
using System.Text;
using libphonenumber::PhoneNumbers;

namespace VoiceAgent.Platform.Numbers;

/// <summary>
/// Turns what people type and what telephony providers send into strict E.164 (<c>+4930123456</c>), the only form
/// we store and route on. A number we are not sure about is refused with a reason rather than guessed, because a
/// wrongly normalized number connects a caller to a stranger's line.
/// </summary>
public static partial class PhoneNumbers
{
    private const int MaxE164Digits = 15;
    private const int MinInternationalDigits = 8;

    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    // What Twilio puts in From for a withheld caller ID: the words spelled on a keypad. +266696687 is ANONYMOUS,
    // +86282452253 UNAVAILABLE, +8656696 UNKNOWN, +2562533 BLOCKED and +7378742833 RESTRICTED (also seen with +1).
    private static readonly HashSet<string> WithheldSentinels =
        ["266696687", "86282452253", "8656696", "2562533", "7378742833", "17378742833"];

    private static readonly HashSet<string> WithheldWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "anonymous", "restricted", "unknown", "unavailable", "private", "blocked", "withheld", "unbekannt",
    };

    /// <summary>
    /// Normalizes user input from the portal or the CLI. National forms (<c>030 1234567</c>) need the tenant's
    /// <paramref name="region"/>; international forms (<c>+49 …</c>, <c>0049 …</c>) do not.
    /// </summary>
    public static NormalizedNumber Normalize(string? input, NumberRegion? region = null)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return NormalizedNumber.Invalid(NumberErrorCodes.Empty);
        }

        var error = Scan(input, out var plus, out var body);
        if (error is not null)
        {
            return NormalizedNumber.Invalid(error);
        }

        var digits = RemoveParentheses(body);
        if (plus)
        {
            return International(body);
        }

        if (digits.Length == 0)
        {
            return NormalizedNumber.Invalid(NumberErrorCodes.Empty);
        }

        if (digits.StartsWith("00", StringComparison.Ordinal))
        {
            // 00 is the international prefix in DE, AT and CH. (011 is NANP's and means Vienna 1 1… in Austria.)
            return International(SkipDigits(body, 2));
        }

        if (digits[0] == '0')
        {
            if (region is not { } r)
            {
                return NormalizedNumber.Invalid(NumberErrorCodes.RegionRequired);
            }

            return Dach(DachNumberRules.CountryCode(r), digits[1..]);
        }

        return NormalizedNumber.Invalid(DachNumberRules.ClassifyLocal(digits));
    }

    /// <summary>
    /// Normalizes a number from a provider payload: Twilio's <c>From</c>/<c>To</c> (E.164, <c>client:…</c>,
    /// <c>sip:…</c>, <c>anonymous</c> or a keypad placeholder such as <c>+266696687</c>) and sipgate's digits
    /// without <c>+</c> (<c>4915791234567</c>, <c>anonymous</c>). A withheld number gives the code
    /// <see cref="NumberErrorCodes.Anonymous"/>.
    /// </summary>
    public static NormalizedNumber FromProvider(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return NormalizedNumber.Invalid(NumberErrorCodes.Empty);
        }

        var v = value.Trim();
        if (WithheldWords.Contains(v))
        {
            return NormalizedNumber.Invalid(NumberErrorCodes.Anonymous);
        }

        // Twilio Client identities and SIP URIs name an endpoint, not a phone line.
        if (v.StartsWith("client:", StringComparison.OrdinalIgnoreCase)
            || v.StartsWith("sip:", StringComparison.OrdinalIgnoreCase)
            || v.StartsWith("sips:", StringComparison.OrdinalIgnoreCase))
        {
            return NormalizedNumber.Invalid(NumberErrorCodes.Invalid);
        }

        if (v.StartsWith("tel:", StringComparison.OrdinalIgnoreCase))
        {
            v = v[4..].Trim();
        }

        // sipgate: international digits without '+'. A leading 0 would be a national number, which no provider
        // we use sends; it is left to Normalize, which refuses it for want of a region.
        if (v.Length > 0 && v[0] != '0' && v.All(char.IsAsciiDigit))
        {
            v = "+" + v;
        }

        return Normalize(v, region: null);
    }

    public static bool TryParseRegion(string? value, out NumberRegion region)
    {
        switch (value?.Trim().ToUpperInvariant())
        {
            case "DE":
                region = NumberRegion.DE;
                return true;
            case "AT":
                region = NumberRegion.AT;
                return true;
            case "CH":
                region = NumberRegion.CH;
                return true;
            default:
                // Not Enum.TryParse: it would accept "0", "1" and " de,at ".
                region = default;
                return false;
        }
    }

    /// <param name="body">Digits and parentheses after the "+" or "00".</param>
    private static NormalizedNumber International(string body)
    {
        var digits = RemoveParentheses(body);
        if (digits.Length == 0 || digits[0] == '0')
        {
            return NormalizedNumber.Invalid(NumberErrorCodes.InvalidCountry);
        }

        if (WithheldSentinels.Contains(digits))
        {
            return NormalizedNumber.Invalid(NumberErrorCodes.Anonymous);
        }

        // libphonenumber splits off the country code and drops a trunk 0 after it where the country has one
        // ("+49 (0)30 …", "+43 01 …", "+44 (0)20 …"), keeping Italy's leading 0.
        PhoneNumber number;
        try
        {
            number = Util.Parse("+" + body, "ZZ");
        }
        catch (NumberParseException ex)
        {
            return NormalizedNumber.Invalid(ex.ErrorType switch
            {
                ErrorType.INVALID_COUNTRY_CODE => NumberErrorCodes.InvalidCountry,
                ErrorType.TOO_SHORT_NSN or ErrorType.TOO_SHORT_AFTER_IDD => NumberErrorCodes.TooShort,
                ErrorType.TOO_LONG => NumberErrorCodes.TooLong,
                // "+49" alone: a country code and nothing after it.
                ErrorType.NOT_A_NUMBER when digits.Length <= 3 => NumberErrorCodes.TooShort,
                _ => NumberErrorCodes.Invalid,
            });
        }

        var countryCode = number.CountryCode.ToString(CultureInfo.InvariantCulture);
        var nsn = Util.GetNationalSignificantNumber(number);
        if (DachNumberRules.IsDach(countryCode))
        {
            return Dach(countryCode, nsn);
        }

        if (DachNumberRules.IsPremium(number))
        {
            return NormalizedNumber.Invalid(NumberErrorCodes.Premium);
        }

        // Elsewhere only the E.164 length is checked.
        return (countryCode.Length + nsn.Length) switch
        {
            < MinInternationalDigits => NormalizedNumber.Invalid(NumberErrorCodes.TooShort),
            > MaxE164Digits => NormalizedNumber.Invalid(NumberErrorCodes.TooLong),
            _ => NormalizedNumber.Valid("+" + countryCode + nsn),
        };
    }

    private static NormalizedNumber Dach(string countryCode, string nsn)
    {
        var error = DachNumberRules.Check(countryCode, nsn);
        return error is null ? NormalizedNumber.Valid("+" + countryCode + nsn) : NormalizedNumber.Invalid(error);
    }

    /// <summary>
    /// Keeps digits and parentheses, drops separators, and notes a leading '+'. Returns an error code for letters,
    /// a misplaced '+', or any other character (#, *, ;, non-ASCII digits …).
    /// </summary>
    private static string? Scan(string input, out bool plus, out string body)
    {
        plus = false;
        body = string.Empty;

        var text = input.Trim();
        if (text.StartsWith("tel:", StringComparison.OrdinalIgnoreCase))
        {
            text = text[4..];
        }

        var kept = new StringBuilder(text.Length);
        var sawDigit = false;
        var letters = false;
        var other = false;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                kept.Append(c);
                sawDigit = true;
            }
            else if (c is '(' or ')')
            {
                kept.Append(c);
            }
            else if (c == '+')
            {
                other |= plus || sawDigit;
                plus = true;
            }
            else if (IsSeparator(c))
            {
                continue;
            }
            else if (char.IsLetter(c))
            {
                letters = true;
            }
            else
            {
                other = true;
            }
        }

        if (letters)
        {
            return NumberErrorCodes.Letters;
        }

        if (other)
        {
            return NumberErrorCodes.Invalid;
        }

        body = kept.ToString();
        return null;
    }

    // Spaces of every kind (NBSP, narrow NBSP …), dashes (also – and —), slashes and dots, and invisible format
    // characters such as the bidi marks phones put around a number copied from the contacts app.
    private static bool IsSeparator(char c) =>
        char.IsWhiteSpace(c)
        || c is '/' or '.' or '\u2212'
        || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.DashPunctuation or UnicodeCategory.Format;

    private static string SkipDigits(string body, int count)
    {
        var i = 0;
        while (count > 0 && i < body.Length)
        {
            if (char.IsAsciiDigit(body[i]))
            {
                count--;
            }

            i++;
        }

        return body[i..];
    }

    private static string RemoveParentheses(string body) => body.Replace("(", string.Empty).Replace(")", string.Empty);
}
