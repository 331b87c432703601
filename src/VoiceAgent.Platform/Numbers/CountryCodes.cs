extern alias libphonenumber;

using System.Collections.Frozen;
using System.Globalization;
using libphonenumber::PhoneNumbers;

namespace VoiceAgent.Platform.Numbers;

/// <summary>
/// The country calling codes in service, from libphonenumber's metadata (geographic and non-geographic, e.g. 800, 870,
/// 979). The codes are prefix-free, so the first 1–3 digits of an international number name exactly one code, or none
/// (for example +28… or +42…).
/// </summary>
internal static class CountryCodes
{
    internal const string Germany = "49";
    internal const string Austria = "43";
    internal const string Switzerland = "41";

    private static readonly FrozenSet<int> Assigned = PhoneNumberUtil.GetInstance().GetSupportedCallingCodes().ToFrozenSet();

    internal static bool TrySplit(string digits, out string countryCode, out string nationalNumber)
    {
        for (var length = 1; length <= 3 && length <= digits.Length; length++)
        {
            var prefix = digits[..length];
            if (prefix[0] != '0' && Assigned.Contains(int.Parse(prefix, CultureInfo.InvariantCulture)))
            {
                countryCode = prefix;
                nationalNumber = digits[length..];
                return true;
            }
        }

        countryCode = string.Empty;
        nationalNumber = string.Empty;
        return false;
    }
}
