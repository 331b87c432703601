namespace VoiceAgent.Calendars;

/// <summary>The provider client for a connection's provider name.</summary>
public sealed class CalendarProviderRegistry(GoogleCalendarClient google, GraphCalendarClient microsoft, CalDavClient caldav)
{
    public ICalendarProvider For(string provider) => provider switch
    {
        CalendarProviders.Google => google,
        CalendarProviders.Microsoft => microsoft,
        CalendarProviders.CalDav => caldav,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown calendar provider."),
    };
}
