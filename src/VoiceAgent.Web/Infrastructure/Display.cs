using System.Globalization;

namespace VoiceAgent.Web.Infrastructure;

public static class Display
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    /// <summary>Times are shown in the business's zone (Europe/Berlin covers DE, AT and CH) and the user's format.</summary>
    public static string Time(DateTimeOffset value) =>
        TimeZoneInfo.ConvertTime(value, Berlin).ToString("g", CultureInfo.CurrentCulture);
}
