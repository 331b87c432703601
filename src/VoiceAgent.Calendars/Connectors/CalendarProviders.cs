namespace VoiceAgent.Calendars;

/// <summary>The provider names used in the API, the database and the designer.</summary>
public static class CalendarProviders
{
    public const string Google = "google";
    public const string Microsoft = "microsoft";
    public const string CalDav = "caldav";

    public static readonly IReadOnlyList<string> OAuth = [Google, Microsoft];
    public static readonly IReadOnlyList<string> All = [Google, Microsoft, CalDav];

    /// <summary>CRM connectors listed as "demnächst verfügbar"; nothing is behind them yet.</summary>
    public static readonly IReadOnlyList<string> ComingSoon = ["hubspot", "salesforce", "pipedrive"];
}
