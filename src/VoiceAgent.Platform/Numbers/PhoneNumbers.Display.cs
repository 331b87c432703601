using System.Text.RegularExpressions;

namespace VoiceAgent.Platform.Numbers;

public static partial class PhoneNumbers
{
    /// <summary>
    /// A readable form for pages, e.g. <c>+49 30 1234567</c> or <c>+41 44 668 18 00</c>. Best effort: the country
    /// code is always split off; the area code only where its length follows from the leading digits, otherwise
    /// the national number stays in one piece rather than being split in a misleading place. Input that is not
    /// E.164 is returned unchanged.
    /// </summary>
    public static string Display(string e164)
    {
        if (string.IsNullOrEmpty(e164) || !E164().IsMatch(e164) || !CountryCodes.TrySplit(e164[1..], out var cc, out var nsn))
        {
            return e164 ?? string.Empty;
        }

        var national = cc switch
        {
            CountryCodes.Germany => Split(nsn, DachNumberRules.GermanAreaCodeLength(nsn)),
            CountryCodes.Austria => Split(nsn, AustrianAreaLength(nsn)),
            CountryCodes.Switzerland => SwissGroups(nsn),
            "1" when nsn.Length == 10 => $"{nsn[..3]} {nsn[3..6]} {nsn[6..]}",
            _ => nsn,
        };
        return $"+{cc} {national}";
    }

    private static int AustrianAreaLength(string nsn) =>
        nsn.Length < 2 ? 0
        : nsn[0] == '1' ? 1                                   // Wien
        : AustrianThreeDigitAreaCode().IsMatch(nsn) ? 3       // Graz, Klagenfurt, Innsbruck, Linz, mobile 65x–69x, services
        : 4;

    private static string SwissGroups(string nsn)
    {
        if (nsn.Length != 9)
        {
            return nsn;
        }

        // 0800/084x/090x service numbers are grouped 3-3-3, everything else 2-3-2-2 (044 668 18 00).
        return nsn[0] is '8' or '9'
            ? $"{nsn[..3]} {nsn[3..6]} {nsn[6..]}"
            : $"{nsn[..2]} {nsn[2..5]} {nsn[5..7]} {nsn[7..]}";
    }

    private static string Split(string nsn, int areaLength) =>
        areaLength > 0 && areaLength < nsn.Length ? $"{nsn[..areaLength]} {nsn[areaLength..]}" : nsn;

    [GeneratedRegex(@"^\+[1-9][0-9]{1,14}$")]
    private static partial Regex E164();

    [GeneratedRegex(@"^(?:316|463|512|662|732|6[5-9][0-9]|720|780|800|810|820|821|828|900|901|930|931|939)")]
    private static partial Regex AustrianThreeDigitAreaCode();
}
