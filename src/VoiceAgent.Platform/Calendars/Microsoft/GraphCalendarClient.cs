using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using NodaTime;

namespace VoiceAgent.Platform.Calendars;

/// <summary>
/// Microsoft Graph calendar over HTTP (API-CONTRACTS.md §6). Availability comes from calendarView of the chosen calendar
/// (works for work/school and personal accounts, unlike getSchedule); times are read in UTC
/// (<c>Prefer: outlook.timezone="UTC"</c>) and written as wall-clock time with the tenant's zone. Creation is idempotent
/// through <c>transactionId</c>.
/// </summary>
public sealed class GraphCalendarClient(HttpClient http, IOptions<CalendarOptions> options) : ICalendarProvider
{
    private const string Select = "$select=id,subject,bodyPreview,start,end,showAs,isCancelled,transactionId";

    public string Provider => CalendarProviders.Microsoft;

    private Uri Api => options.Value.Microsoft.GraphBaseUrl;

    public async Task<IReadOnlyList<CalendarInfo>> CalendarsAsync(CalendarSession session, CancellationToken ct)
    {
        var result = new List<CalendarInfo>();
        Uri? url = new(Api, "me/calendars?$select=id,name,isDefaultCalendar,canEdit&$top=100");
        while (url is not null && result.Count < 1000)
        {
            var current = url;
            using var response = await ProviderJson.SendAsync(http, session, () => new HttpRequestMessage(HttpMethod.Get, current), ct);
            var page = await ProviderJson.ReadAsync<GraphPage<GraphCalendar>>(response, ct);
            result.AddRange((page.Value ?? []).Where(c => c.CanEdit != false).Select(c => new CalendarInfo(c.Id, c.Name ?? c.Id, c.IsDefaultCalendar == true)));
            url = page.NextLink is { } next ? new Uri(next) : null;
        }

        return result.OrderByDescending(c => c.Primary).ThenBy(c => c.Name, StringComparer.CurrentCultureIgnoreCase).ToList();
    }

    public async Task<IReadOnlyList<(Instant Start, Instant End)>> BusyAsync(CalendarSession session, Instant from, Instant to, CancellationToken ct) =>
        (await ViewAsync(session, from, to, ct))
        .Where(e => e.IsCancelled != true && !string.Equals(e.ShowAs, "free", StringComparison.OrdinalIgnoreCase))
        .Select(e => ToEvent(e, session.Zone)).OfType<ProviderEvent>()
        .Select(e => (e.Start, e.End)).ToList();

    public async Task<ProviderEvent> CreateAsync(CalendarSession session, NewCalendarEvent e, CancellationToken ct)
    {
        var zone = WindowsZone(e.Zone);
        var body = new GraphNewEvent(
            e.Title,
            new GraphBody("text", e.Description),
            new GraphDateTime(ProviderJson.Local(e.Start, e.Zone), zone),
            new GraphDateTime(ProviderJson.Local(e.End, e.Zone), zone),
            e.CallerEmail is { } email ? [new GraphAttendee(new GraphEmailAddress(email, e.CallerName), "required")] : null,
            TransactionId(e.ExternalId));
        var url = new Uri(Api, $"me/calendars/{Escape(session.CalendarId)}/events");
        using var response = await ProviderJson.SendAsync(http, session, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body, options: ProviderJson.Options) };
            request.Headers.Add("Prefer", "outlook.timezone=\"UTC\"");
            return request;
        }, ct);
        return ToEvent(await ProviderJson.ReadAsync<GraphEvent>(response, ct), session.Zone)
               ?? throw new CalendarProviderException(response.StatusCode, "Graph returned an event without start or end.");
    }

    public async Task<IReadOnlyList<ProviderEvent>> EventsAsync(CalendarSession session, Instant from, Instant to, string? search, CancellationToken ct) =>
        (await ViewAsync(session, from, to, ct))
        .Where(e => e.IsCancelled != true)
        .Select(e => ToEvent(e, session.Zone)).OfType<ProviderEvent>()
        .Where(e => string.IsNullOrEmpty(search) || e.Text.Contains(search, StringComparison.OrdinalIgnoreCase))
        .OrderBy(e => e.Start).ToList();

    public async Task<ProviderEvent?> GetAsync(CalendarSession session, string eventId, CancellationToken ct)
    {
        var url = new Uri(Api, $"me/events/{Escape(eventId)}?{Select}");
        using var response = await ProviderJson.SendAsync(http, session, () => Utc(new HttpRequestMessage(HttpMethod.Get, url)), ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var item = await ProviderJson.ReadAsync<GraphEvent>(response, ct);
        return item.IsCancelled == true ? null : ToEvent(item, session.Zone);
    }

    public async Task<bool> DeleteAsync(CalendarSession session, string eventId, CancellationToken ct)
    {
        var url = new Uri(Api, $"me/events/{Escape(eventId)}");
        using var response = await ProviderJson.SendAsync(http, session, () => new HttpRequestMessage(HttpMethod.Delete, url), ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await ProviderJson.EnsureSuccessAsync(response, ct);
        return true;
    }

    /// <summary>A GUID derived from the booking's external id, so every retry sends the same transactionId.</summary>
    public static string TransactionId(string externalId) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(externalId)).AsSpan(0, 16)).ToString();

    /// <summary>Graph takes Windows zone names everywhere (IANA names only in some places); UTC when there is none.</summary>
    public static string WindowsZone(DateTimeZone zone) =>
        TimeZoneInfo.TryConvertIanaIdToWindowsId(zone.Id, out var windows) ? windows : "UTC";

    private async Task<List<GraphEvent>> ViewAsync(CalendarSession session, Instant from, Instant to, CancellationToken ct)
    {
        var result = new List<GraphEvent>();
        Uri? url = new(Api, $"me/calendars/{Escape(session.CalendarId)}/calendarView?startDateTime={Uri.EscapeDataString(ProviderJson.Utc(from))}"
                            + $"&endDateTime={Uri.EscapeDataString(ProviderJson.Utc(to))}&{Select}&$top=200&$orderby=start/dateTime");
        while (url is not null && result.Count < 2500)
        {
            var current = url;
            using var response = await ProviderJson.SendAsync(http, session, () => Utc(new HttpRequestMessage(HttpMethod.Get, current)), ct);
            var page = await ProviderJson.ReadAsync<GraphPage<GraphEvent>>(response, ct);
            result.AddRange(page.Value ?? []);
            url = page.NextLink is { } next ? new Uri(next) : null;
        }

        return result;
    }

    private static HttpRequestMessage Utc(HttpRequestMessage request)
    {
        request.Headers.Add("Prefer", "outlook.timezone=\"UTC\"");
        return request;
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);

    private static ProviderEvent? ToEvent(GraphEvent item, DateTimeZone fallback)
    {
        if (item.Id is null || item.Start?.DateTime is not { } start || item.End?.DateTime is not { } end)
        {
            return null;
        }

        var text = string.Join('\n', new[] { item.Subject, item.BodyPreview }.Where(s => !string.IsNullOrEmpty(s)));
        return new ProviderEvent(item.Id, ProviderJson.ParseLocal(start, item.Start.TimeZone, fallback),
            ProviderJson.ParseLocal(end, item.End.TimeZone, fallback), item.Subject ?? "", text, item.TransactionId);
    }
}

internal sealed record GraphPage<T>(List<T>? Value, [property: System.Text.Json.Serialization.JsonPropertyName("@odata.nextLink")] string? NextLink);

internal sealed record GraphCalendar(string Id, string? Name, bool? IsDefaultCalendar, bool? CanEdit);

internal sealed record GraphDateTime(string DateTime, string TimeZone);

internal sealed record GraphBody(string ContentType, string Content);

internal sealed record GraphEmailAddress(string Address, string? Name);

internal sealed record GraphAttendee(GraphEmailAddress EmailAddress, string Type);

internal sealed record GraphNewEvent(string Subject, GraphBody Body, GraphDateTime Start, GraphDateTime End, List<GraphAttendee>? Attendees,
    string TransactionId);

internal sealed record GraphEvent(string? Id, string? Subject, string? BodyPreview, GraphDateTime? Start, GraphDateTime? End, string? ShowAs,
    bool? IsCancelled, string? TransactionId);
