using System.Globalization;

namespace VoiceAgent.Platform.Http;

public static class Display
{
    private static readonly TimeZoneInfo Berlin = BusinessTime.ZoneInfo;

    /// <summary>Times are shown in the business's zone (Europe/Berlin covers DE, AT and CH) and the user's format.</summary>
    public static string Time(DateTimeOffset value) =>
        TimeZoneInfo.ConvertTime(value, Berlin).ToString("g", CultureInfo.CurrentCulture);
}
