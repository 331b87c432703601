using NodaTime;

namespace VoiceAgent.Calendars;

/// <summary>One calendar provider's wire protocol (Google Calendar v3, Microsoft Graph, CalDAV).</summary>
public interface ICalendarProvider
{
    string Provider { get; }

    Task<IReadOnlyList<CalendarInfo>> CalendarsAsync(CalendarSession session, CancellationToken ct);

    /// <summary>Busy time in the session's calendar between the two instants (cancelled and "free" events excluded).</summary>
    Task<IReadOnlyList<(Instant Start, Instant End)>> BusyAsync(CalendarSession session, Instant from, Instant to, CancellationToken ct);

    /// <summary>Creates the event, or returns the one created earlier with the same <see cref="NewCalendarEvent.ExternalId"/>.</summary>
    Task<ProviderEvent> CreateAsync(CalendarSession session, NewCalendarEvent calendarEvent, CancellationToken ct);

    /// <summary>Events overlapping the window, earliest first (cancelled ones excluded).</summary>
    Task<IReadOnlyList<ProviderEvent>> EventsAsync(CalendarSession session, Instant from, Instant to, string? search, CancellationToken ct);

    Task<ProviderEvent?> GetAsync(CalendarSession session, string eventId, CancellationToken ct);

    /// <returns>False when the event did not exist (any more).</returns>
    Task<bool> DeleteAsync(CalendarSession session, string eventId, CancellationToken ct);
}

public sealed record CalendarInfo(string Id, string Name, bool Primary);

/// <summary>
/// An event as read from a provider; <see cref="Text"/> holds the searchable text (title, description, caller),
/// <see cref="Marker"/> the client-chosen identity VoiceAgent gave it (Google booking property, Graph transactionId, UID).
/// </summary>
public sealed record ProviderEvent(string Id, Instant Start, Instant End, string Title, string Text, string? Marker = null);

/// <summary>An event to create: start and end are written in <see cref="Zone"/>, the tenant's time zone.</summary>
public sealed record NewCalendarEvent(string ExternalId, Instant Start, Instant End, DateTimeZone Zone, string Title, string Description,
    string? CallerNumber, string? CallerName, string? CallerEmail);

/// <summary>
/// What a provider call needs: the connection, the calendar, the time budget and the credentials (an OAuth access token
/// that can be refreshed, or the CalDAV user and password).
/// </summary>
public sealed class CalendarSession(CalendarConnection connection, string calendarId, DateTimeZone zone, CalendarBudget budget,
    Func<bool, CancellationToken, Task<string>> accessToken)
{
    public CalendarConnection Connection => connection;

    public string CalendarId => calendarId;

    /// <summary>The tenant's time zone (all-day events and floating times are read in it).</summary>
    public DateTimeZone Zone => zone;

    public CalendarBudget Budget => budget;

    /// <summary>OAuth: the access token (true = refresh first, after a 401). CalDAV: the password.</summary>
    public Task<string> SecretAsync(bool refresh, CancellationToken ct) => accessToken(refresh, ct);
}
