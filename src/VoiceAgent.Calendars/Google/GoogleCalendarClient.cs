using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Text;

namespace VoiceAgent.Calendars;

/// <summary>
/// Google Calendar API v3 over HTTP (API-CONTRACTS.md §5): calendar list, freeBusy, events insert/list/get/delete.
/// Creation is idempotent through the client-supplied event id (a repeat answers 409 duplicate: the first event counts).
/// </summary>
public sealed class GoogleCalendarClient(HttpClient http, IOptions<CalendarOptions> options) : ICalendarProvider
{
    public const string CallerProperty = "voiceagentCaller";
    public const string BookingProperty = "voiceagentBooking";

    public string Provider => CalendarProviders.Google;

    private Uri Api => options.Value.Google.ApiBaseUrl;

    public async Task<IReadOnlyList<CalendarInfo>> CalendarsAsync(CalendarSession session, CancellationToken ct)
    {
        var result = new List<CalendarInfo>();
        string? page = null;
        do
        {
            var url = new Uri(Api, "users/me/calendarList?minAccessRole=writer&maxResults=250" + (page is null ? "" : "&pageToken=" + Uri.EscapeDataString(page)));
            using var response = await ProviderJson.SendAsync(http, session, () => new HttpRequestMessage(HttpMethod.Get, url), ct);
            var list = await ProviderJson.ReadAsync<GoogleCalendarList>(response, ct);
            result.AddRange((list.Items ?? []).Select(c => new CalendarInfo(c.Id, c.SummaryOverride ?? c.Summary ?? c.Id, c.Primary == true)));
            page = list.NextPageToken;
        }
        while (page is not null && result.Count < 1000);

        return result.OrderByDescending(c => c.Primary).ThenBy(c => c.Name, StringComparer.CurrentCultureIgnoreCase).ToList();
    }

    public async Task<IReadOnlyList<(Instant Start, Instant End)>> BusyAsync(CalendarSession session, Instant from, Instant to, CancellationToken ct)
    {
        var request = new FreeBusyRequest(ProviderJson.Utc(from), ProviderJson.Utc(to), "UTC", [new FreeBusyItem(session.CalendarId)]);
        using var response = await ProviderJson.SendAsync(http, session,
            () => new HttpRequestMessage(HttpMethod.Post, new Uri(Api, "freeBusy")) { Content = JsonContent.Create(request, options: ProviderJson.Options) }, ct);
        var answer = await ProviderJson.ReadAsync<FreeBusyResponse>(response, ct);
        if (answer.Calendars?.GetValueOrDefault(session.CalendarId) is not { } calendar)
        {
            throw new CalendarProviderException(HttpStatusCode.NotFound, "freeBusy did not answer for the calendar.");
        }

        if (calendar.Errors is { Count: > 0 } errors)
        {
            throw new CalendarProviderException(HttpStatusCode.NotFound, "freeBusy: " + string.Join(", ", errors.Select(e => e.Reason)));
        }

        return (calendar.Busy ?? []).Select(b => (ProviderJson.ParseOffset(b.Start), ProviderJson.ParseOffset(b.End))).ToList();
    }

    public async Task<ProviderEvent> CreateAsync(CalendarSession session, NewCalendarEvent e, CancellationToken ct)
    {
        var zone = e.Zone.Id;
        var body = new GoogleEvent
        {
            Id = e.ExternalId,
            Summary = e.Title,
            Description = e.Description,
            Start = new GoogleEventTime(ProviderJson.WithOffset(e.Start, e.Zone), null, zone),
            End = new GoogleEventTime(ProviderJson.WithOffset(e.End, e.Zone), null, zone),
            Attendees = e.CallerEmail is { } email ? [new GoogleAttendee(email, e.CallerName)] : null,
            ExtendedProperties = new GoogleExtendedProperties(new Dictionary<string, string>
            {
                [BookingProperty] = e.ExternalId,
                [CallerProperty] = e.CallerNumber ?? "",
            }),
            Reminders = new GoogleReminders(true),
        };
        var sendUpdates = e.CallerEmail is null ? "none" : "all";
        var url = new Uri(Api, $"calendars/{Escape(session.CalendarId)}/events?sendUpdates={sendUpdates}");
        using var response = await ProviderJson.SendAsync(http, session,
            () => new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body, options: ProviderJson.Options) }, ct);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            // 409 duplicate: an earlier attempt (whose answer was lost) created it already.
            return await GetAsync(session, e.ExternalId, ct)
                   ?? throw new CalendarProviderException(HttpStatusCode.Conflict, "Google reports the event id as taken but does not return the event.");
        }

        return ToEvent(await ProviderJson.ReadAsync<GoogleEvent>(response, ct), session.Zone)
               ?? throw new CalendarProviderException(response.StatusCode, "Google returned an event without start or end.");
    }

    public async Task<IReadOnlyList<ProviderEvent>> EventsAsync(CalendarSession session, Instant from, Instant to, string? search, CancellationToken ct)
    {
        var result = new List<ProviderEvent>();
        string? page = null;
        do
        {
            var query = $"calendars/{Escape(session.CalendarId)}/events?singleEvents=true&orderBy=startTime&maxResults=250"
                        + $"&timeMin={Uri.EscapeDataString(ProviderJson.Utc(from))}&timeMax={Uri.EscapeDataString(ProviderJson.Utc(to))}"
                        + (string.IsNullOrEmpty(search) ? "" : "&q=" + Uri.EscapeDataString(search))
                        + (page is null ? "" : "&pageToken=" + Uri.EscapeDataString(page));
            using var response = await ProviderJson.SendAsync(http, session, () => new HttpRequestMessage(HttpMethod.Get, new Uri(Api, query)), ct);
            var list = await ProviderJson.ReadAsync<GoogleEventList>(response, ct);
            result.AddRange((list.Items ?? []).Where(i => i.Status != "cancelled").Select(i => ToEvent(i, session.Zone)).OfType<ProviderEvent>());
            page = list.NextPageToken;
        }
        while (page is not null && result.Count < 2500);

        return result.OrderBy(e => e.Start).ToList();
    }

    public async Task<ProviderEvent?> GetAsync(CalendarSession session, string eventId, CancellationToken ct)
    {
        var url = new Uri(Api, $"calendars/{Escape(session.CalendarId)}/events/{Escape(eventId)}");
        using var response = await ProviderJson.SendAsync(http, session, () => new HttpRequestMessage(HttpMethod.Get, url), ct);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            return null;
        }

        var item = await ProviderJson.ReadAsync<GoogleEvent>(response, ct);
        return item.Status == "cancelled" ? null : ToEvent(item, session.Zone);
    }

    public async Task<bool> DeleteAsync(CalendarSession session, string eventId, CancellationToken ct)
    {
        var url = new Uri(Api, $"calendars/{Escape(session.CalendarId)}/events/{Escape(eventId)}?sendUpdates=all");
        using var response = await ProviderJson.SendAsync(http, session, () => new HttpRequestMessage(HttpMethod.Delete, url), ct);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            return false;
        }

        await ProviderJson.EnsureSuccessAsync(response, ct);
        return true;
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);

    private static ProviderEvent? ToEvent(GoogleEvent item, DateTimeZone zone)
    {
        if (item.Id is null || Time(item.Start, zone) is not { } start || Time(item.End, zone) is not { } end)
        {
            return null;
        }

        var caller = item.ExtendedProperties?.Private?.GetValueOrDefault(CallerProperty);
        var text = string.Join('\n', new[] { item.Summary, item.Description, caller }.Where(s => !string.IsNullOrEmpty(s)));
        return new ProviderEvent(item.Id, start, end, item.Summary ?? "", text, item.ExtendedProperties?.Private?.GetValueOrDefault(BookingProperty) ?? item.Id);
    }

    private static Instant? Time(GoogleEventTime? time, DateTimeZone zone)
    {
        if (time?.DateTime is { } dateTime)
        {
            return ProviderJson.ParseOffset(dateTime);
        }

        // All-day events: midnight in the tenant's zone.
        return time?.Date is { } date && LocalDatePattern.Iso.Parse(date).TryGetValue(default, out var day)
            ? zone.AtStartOfDay(day).ToInstant()
            : null;
    }
}

internal sealed record GoogleEventTime(string? DateTime, string? Date, string? TimeZone);

internal sealed record GoogleAttendee(string Email, string? DisplayName);

internal sealed record GoogleExtendedProperties(Dictionary<string, string>? Private);

internal sealed record GoogleReminders(bool UseDefault);

internal sealed class GoogleEvent
{
    public string? Id { get; set; }
    public string? Status { get; set; }
    public string? Summary { get; set; }
    public string? Description { get; set; }
    public GoogleEventTime? Start { get; set; }
    public GoogleEventTime? End { get; set; }
    public List<GoogleAttendee>? Attendees { get; set; }
    public GoogleExtendedProperties? ExtendedProperties { get; set; }
    public GoogleReminders? Reminders { get; set; }
}

internal sealed record GoogleEventList(List<GoogleEvent>? Items, string? NextPageToken);

internal sealed record GoogleCalendarListEntry(string Id, string? Summary, string? SummaryOverride, bool? Primary, string? AccessRole);

internal sealed record GoogleCalendarList(List<GoogleCalendarListEntry>? Items, string? NextPageToken);

internal sealed record FreeBusyItem(string Id);

internal sealed record FreeBusyRequest(string TimeMin, string TimeMax, string TimeZone, List<FreeBusyItem> Items);

internal sealed record GoogleBusy(string Start, string End);

internal sealed record GoogleCalendarError(string? Domain, string? Reason);

internal sealed record FreeBusyCalendar(List<GoogleBusy>? Busy, List<GoogleCalendarError>? Errors);

internal sealed record FreeBusyResponse(Dictionary<string, FreeBusyCalendar>? Calendars);
