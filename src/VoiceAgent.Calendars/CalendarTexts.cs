using NodaTime;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Expressions;

namespace VoiceAgent.Calendars;

internal sealed class CalendarTexts
{
    // Not static: the type names the resource set for IStringLocalizer<CalendarTexts> in pages.
    private CalendarTexts()
    {
    }

    public static CalendarEvent ToEvent(string id, Instant start, Instant end, string title, DateTimeZone zone)
    {
        var s = start.InZone(zone).ToDateTimeOffset();
        return new CalendarEvent(id, s, end.InZone(zone).ToDateTimeOffset(), title, Filters.SpokenDateTime(s));
    }
}
