using System.Collections.Frozen;
using System.Globalization;

namespace VoiceAgent.Platform.Numbers;

/// <summary>
/// The ITU country calling codes in service, as listed by libphonenumber (CountryCodeToRegionCodeMap) plus the
/// non-geographic 870/881/882 and Kosovo's 383. The codes are prefix-free, so the first 1–3 digits of an
/// international number name exactly one code, or none (for example +28… or +42…).
/// </summary>
internal static class CountryCodes
{
    internal const string Germany = "49";
    internal const string Austria = "43";
    internal const string Switzerland = "41";

    private static readonly FrozenSet<int> Assigned = Build().ToFrozenSet();

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

    private static IEnumerable<int> Build()
    {
        int[] single = [1, 7];
        int[] twoDigit =
        [
            20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56, 57, 58,
            60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
        ];
        int[] threeDigit =
        [
            211, 212, 213, 216, 218, 290, 291, 297, 298, 299, 383, 385, 386, 387, 389, 420, 421, 423,
            670, 800, 808, 850, 852, 853, 855, 856, 870, 880, 881, 882, 883, 886, 888, 979, 998,
        ];
        return single
            .Concat(twoDigit)
            .Concat(threeDigit)
            .Concat(Enumerable.Range(220, 39))   // 220–258
            .Concat(Enumerable.Range(260, 10))   // 260–269
            .Concat(Enumerable.Range(350, 10))   // 350–359
            .Concat(Enumerable.Range(370, 13))   // 370–382
            .Concat(Enumerable.Range(500, 10))   // 500–509
            .Concat(Enumerable.Range(590, 10))   // 590–599
            .Concat(Enumerable.Range(672, 12))   // 672–683
            .Concat(Enumerable.Range(685, 8))    // 685–692
            .Concat(Enumerable.Range(960, 9))    // 960–968
            .Concat(Enumerable.Range(970, 8))    // 970–977
            .Concat(Enumerable.Range(992, 5));   // 992–996
    }
}
