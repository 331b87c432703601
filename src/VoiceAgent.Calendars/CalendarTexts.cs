using System.Globalization;
using System.Resources;
using NodaTime;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Expressions;

namespace VoiceAgent.Calendars;

/// <summary>What a user reads about appointments (the Termine page), from CalendarTexts.resx (German) and CalendarTexts.en.resx.</summary>
public sealed class CalendarTexts
{
    private static readonly ResourceManager Resources = new("VoiceAgent.Calendars.CalendarTexts", typeof(CalendarTexts).Assembly);

    public static string Get(string key) => Resources.GetString(key, CultureInfo.CurrentUICulture) ?? key;

    public static string Format(string key, params object?[] args) => string.Format(CultureInfo.CurrentCulture, Get(key), args);

    // Not static: the type names the resource set for IStringLocalizer<CalendarTexts> in pages.
    private CalendarTexts()
    {
    }

    internal static CalendarEvent ToEvent(string id, Instant start, Instant end, string title, DateTimeZone zone)
    {
        var s = start.InZone(zone).ToDateTimeOffset();
        return new CalendarEvent(id, s, end.InZone(zone).ToDateTimeOffset(), title, Filters.SpokenDateTime(s));
    }
}
