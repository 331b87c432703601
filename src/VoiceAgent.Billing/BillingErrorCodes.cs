namespace VoiceAgent.Billing;

/// <summary>Stable codes for problems with billing input; each is the key of its message in BillingTexts.resx.</summary>
public static class BillingErrorCodes
{
    public const string InvalidJson = "invalid_json";
    public const string NotAnObject = "not_an_object";
    public const string NotAnArray = "not_an_array";
    public const string Missing = "missing";
    public const string NotAWholeNumber = "not_a_whole_number";
    public const string NotANumber = "not_a_number";
    public const string NotPositive = "not_positive";
    public const string RemainingExceedsMinutes = "remaining_exceeds_minutes";
    public const string NotAnIncrement = "not_an_increment";
    public const string NotAKind = "not_a_kind";
    public const string NotACountry = "not_a_country";
    public const string NotAString = "not_a_string";
    public const string NotADate = "not_a_date";
    public const string NotAnInstant = "not_an_instant";
    public const string InvalidPeriod = "invalid_period";

    // The CLI's own messages.
    public const string PreviewUsage = "preview_usage";
    public const string FileNotFound = "file_not_found";
    public const string InvalidCase = "invalid_case";
    public const string TooLarge = "too_large";

    public static IReadOnlyList<string> All { get; } =
    [
        InvalidJson, NotAnObject, NotAnArray, Missing, NotAWholeNumber, NotANumber, NotPositive, RemainingExceedsMinutes,
        NotAnIncrement, NotAKind, NotACountry, NotAString, NotADate, NotAnInstant, InvalidPeriod,
        PreviewUsage, FileNotFound, InvalidCase, TooLarge,
    ];
}
