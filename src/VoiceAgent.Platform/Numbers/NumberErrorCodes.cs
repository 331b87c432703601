namespace VoiceAgent.Platform.Numbers;

/// <summary>
/// Stable error codes of <see cref="PhoneNumbers"/>. The API returns them and clients branch on them,
/// so never rename one; each is also the key of its message in NumberTexts.resx.
/// </summary>
public static class NumberErrorCodes
{
    public const string Empty = "empty";
    public const string Letters = "letters";
    public const string TooShort = "too_short";
    public const string TooLong = "too_long";
    public const string RegionRequired = "region_required";
    public const string AreaCodeRequired = "area_code_required";
    public const string Emergency = "emergency";
    public const string Premium = "premium";
    public const string InvalidCountry = "invalid_country";
    public const string Anonymous = "anonymous";
    public const string Invalid = "invalid";

    public static IReadOnlyList<string> All { get; } =
    [
        Empty, Letters, TooShort, TooLong, RegionRequired, AreaCodeRequired, Emergency, Premium, InvalidCountry, Anonymous, Invalid,
    ];
}
