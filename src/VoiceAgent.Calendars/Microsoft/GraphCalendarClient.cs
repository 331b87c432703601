using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Graph.Me.Calendar.GetSchedule;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using NodaTime;

namespace VoiceAgent.Calendars;

/// <summary>
/// Microsoft Graph calendar through the Graph SDK (API-CONTRACTS.md §6). Free/busy comes from getSchedule for the
/// connected mailbox; when the booking calendar is not the mailbox's default calendar (a mailbox publishes free/busy from
/// its default calendar only) its calendarView is read as well, and personal accounts, for which getSchedule is not
/// available, use calendarView alone.
/// Times are read in UTC (<c>Prefer: outlook.timezone="UTC"</c>) and written as wall-clock time with the tenant's zone.
/// Creation is idempotent through <c>transactionId</c>. Tokens come from MSAL (<see cref="CalendarSession.SecretAsync"/>);
/// a 401 refreshes once. The SDK sends through this client's HttpClient, whose <see cref="CalendarResilience"/>
/// pipeline is the only retry (the SDK's own retry handler is not in the chain).
/// </summary>
public sealed class GraphCalendarClient(HttpClient http, IOptions<CalendarOptions> options) : ICalendarProvider
{
    /// <summary>The granularity of the availabilityView, used only when a schedule carries no items.</summary>
    public const int ViewIntervalMinutes = 15;

    private const string PreferUtc = "outlook.timezone=\"UTC\"";
    private static readonly string[] EventFields = ["id", "subject", "bodyPreview", "start", "end", "showAs", "isCancelled", "transactionId"];

    // The default calendar's id per Graph endpoint, connection and account (it does not change): one request, once.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(Uri, Guid, string), string> DefaultCalendars = new();

    public string Provider => CalendarProviders.Microsoft;

    public async Task<IReadOnlyList<CalendarInfo>> CalendarsAsync(CalendarSession session, CancellationToken ct) =>
        await RunAsync(session, async graph =>
        {
            var result = new List<CalendarInfo>();
            var page = await graph.Me.Calendars.GetAsync(r =>
            {
                r.QueryParameters.Select = ["id", "name", "isDefaultCalendar", "canEdit"];
                r.QueryParameters.Top = 100;
                r.Options.Add(session.Budget);
            }, ct);
            while (page is not null)
            {
                result.AddRange((page.Value ?? []).Where(c => c.Id is not null && c.CanEdit != false)
                    .Select(c => new CalendarInfo(c.Id!, c.Name ?? c.Id!, c.IsDefaultCalendar == true)));
                page = page.OdataNextLink is { } next && result.Count < 1000
                    ? await graph.Me.Calendars.WithUrl(next).GetAsync(r => r.Options.Add(session.Budget), ct)
                    : null;
            }

            return result.OrderByDescending(c => c.Primary).ThenBy(c => c.Name, StringComparer.CurrentCultureIgnoreCase).ToList();
        }, ct);

    public async Task<IReadOnlyList<(Instant Start, Instant End)>> BusyAsync(CalendarSession session, Instant from, Instant to, CancellationToken ct) =>
        await RunAsync(session, async graph =>
        {
            var isDefault = await IsDefaultCalendarAsync(graph, options.Value.Microsoft.GraphBaseUrl, session, ct);
            var schedule = await ScheduleAsync(graph, session, from, to, ct);
            if (schedule is not null && isDefault)
            {
                return schedule;
            }

            var view = (await ViewAsync(graph, session, from, to, ct))
                .Where(e => e.IsCancelled != true && e.ShowAs != FreeBusyStatus.Free)
                .Select(e => ToEvent(e, session.Zone)).OfType<ProviderEvent>()
                .Select(e => (e.Start, e.End));
            return [.. schedule ?? [], .. view];
        }, ct);

    public async Task<ProviderEvent> CreateAsync(CalendarSession session, NewCalendarEvent e, CancellationToken ct)
    {
        var zone = WindowsZone(e.Zone);
        var body = new Event
        {
            Subject = e.Title,
            Body = new ItemBody { ContentType = BodyType.Text, Content = e.Description },
            Start = new DateTimeTimeZone { DateTime = ProviderJson.Local(e.Start, e.Zone), TimeZone = zone },
            End = new DateTimeTimeZone { DateTime = ProviderJson.Local(e.End, e.Zone), TimeZone = zone },
            Attendees = e.CallerEmail is { } email
                ? [new Attendee { EmailAddress = new EmailAddress { Address = email, Name = e.CallerName }, Type = AttendeeType.Required }]
                : null,
            TransactionId = TransactionId(e.ExternalId),
        };
        var created = await RunAsync(session, graph => graph.Me.Calendars[session.CalendarId].Events.PostAsync(body, r => Configure(r, session), ct), ct);
        return (created is null ? null : ToEvent(created, session.Zone))
               ?? throw new CalendarProviderException(HttpStatusCode.BadGateway, "Graph returned an event without start or end.");
    }

    public async Task<IReadOnlyList<ProviderEvent>> EventsAsync(CalendarSession session, Instant from, Instant to, string? search, CancellationToken ct) =>
        (await RunAsync(session, graph => ViewAsync(graph, session, from, to, ct), ct))
        .Where(e => e.IsCancelled != true)
        .Select(e => ToEvent(e, session.Zone)).OfType<ProviderEvent>()
        .Where(e => string.IsNullOrEmpty(search) || e.Text.Contains(search, StringComparison.OrdinalIgnoreCase))
        .OrderBy(e => e.Start).ToList();

    public async Task<ProviderEvent?> GetAsync(CalendarSession session, string eventId, CancellationToken ct) =>
        await RunAsync(session, async graph =>
        {
            try
            {
                var item = await graph.Me.Events[eventId].GetAsync(r =>
                {
                    Configure(r, session);
                    r.QueryParameters.Select = EventFields;
                }, ct);
                return item is null || item.IsCancelled == true ? null : ToEvent(item, session.Zone);
            }
            catch (ApiException ex) when (ex.ResponseStatusCode == (int)HttpStatusCode.NotFound)
            {
                return null;
            }
        }, ct);

    public async Task<bool> DeleteAsync(CalendarSession session, string eventId, CancellationToken ct) =>
        await RunAsync(session, async graph =>
        {
            try
            {
                await graph.Me.Events[eventId].DeleteAsync(r => r.Options.Add(session.Budget), ct);
                return true;
            }
            catch (ApiException ex) when (ex.ResponseStatusCode == (int)HttpStatusCode.NotFound)
            {
                return false;
            }
        }, ct);

    /// <summary>A GUID derived from the booking's external id, so every retry sends the same transactionId.</summary>
    public static string TransactionId(string externalId) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(externalId)).AsSpan(0, 16)).ToString();

    /// <summary>Graph takes Windows zone names everywhere (IANA names only in some places); UTC when there is none.</summary>
    public static string WindowsZone(DateTimeZone zone) =>
        TimeZoneInfo.TryConvertIanaIdToWindowsId(zone.Id, out var windows) ? windows : "UTC";

    /// <summary>
    /// Busy time of the connected mailbox from getSchedule (its items; the availabilityView when there are none), or
    /// null when getSchedule cannot answer for this account (personal Microsoft accounts).
    /// </summary>
    private static async Task<List<(Instant Start, Instant End)>?> ScheduleAsync(GraphServiceClient graph, CalendarSession session, Instant from,
        Instant to, CancellationToken ct)
    {
        var request = new GetSchedulePostRequestBody
        {
            Schedules = [session.Connection.Account],
            StartTime = new DateTimeTimeZone { DateTime = ProviderJson.Local(from, DateTimeZone.Utc), TimeZone = "UTC" },
            EndTime = new DateTimeTimeZone { DateTime = ProviderJson.Local(to, DateTimeZone.Utc), TimeZone = "UTC" },
            AvailabilityViewInterval = ViewIntervalMinutes,
        };
        GetSchedulePostResponse? response;
        try
        {
            response = await graph.Me.Calendar.GetSchedule.PostAsGetSchedulePostResponseAsync(request, r => Configure(r, session), ct);
        }
        catch (ApiException ex) when (ex.ResponseStatusCode is (int)HttpStatusCode.BadRequest or (int)HttpStatusCode.Forbidden
                                          or (int)HttpStatusCode.NotFound)
        {
            return null;
        }

        var info = response?.Value?.FirstOrDefault(s => string.Equals(s.ScheduleId, session.Connection.Account, StringComparison.OrdinalIgnoreCase))
                   ?? response?.Value?.FirstOrDefault();
        if (info is null || info.Error is not null)
        {
            return null;
        }

        if (info.ScheduleItems is { } items)
        {
            return items.Where(i => i.Status != FreeBusyStatus.Free)
                .Select(i => (Time(i.Start, session.Zone), Time(i.End, session.Zone)))
                .Where(i => i.Item1 is not null && i.Item2 is not null)
                .Select(i => (i.Item1!.Value, i.Item2!.Value)).ToList();
        }

        return FromAvailabilityView(info.AvailabilityView ?? "", from, Duration.FromMinutes(ViewIntervalMinutes));
    }

    /// <summary>Busy intervals from an availabilityView (one digit per interval: 0 free, 1 tentative, 2 busy, 3 oof, 4 elsewhere).</summary>
    public static List<(Instant Start, Instant End)> FromAvailabilityView(string view, Instant from, Duration interval)
    {
        var result = new List<(Instant Start, Instant End)>();
        for (var i = 0; i < view.Length; i++)
        {
            if (view[i] == '0')
            {
                continue;
            }

            var start = from + interval * i;
            if (result.Count > 0 && result[^1].End == start)
            {
                result[^1] = (result[^1].Start, start + interval);
            }
            else
            {
                result.Add((start, start + interval));
            }
        }

        return result;
    }

    private static async Task<bool> IsDefaultCalendarAsync(GraphServiceClient graph, Uri endpoint, CalendarSession session, CancellationToken ct)
    {
        var key = (endpoint, session.Connection.Id, session.Connection.Account);
        if (!DefaultCalendars.TryGetValue(key, out var id))
        {
            var calendar = await graph.Me.Calendar.GetAsync(r =>
            {
                r.QueryParameters.Select = ["id"];
                r.Options.Add(session.Budget);
            }, ct);
            id = calendar?.Id ?? "";
            DefaultCalendars[key] = id;
        }

        return id == session.CalendarId;
    }

    private static async Task<List<Event>> ViewAsync(GraphServiceClient graph, CalendarSession session, Instant from, Instant to, CancellationToken ct)
    {
        var result = new List<Event>();
        var page = await graph.Me.Calendars[session.CalendarId].CalendarView.GetAsync(r =>
        {
            Configure(r, session);
            r.QueryParameters.StartDateTime = ProviderJson.Utc(from);
            r.QueryParameters.EndDateTime = ProviderJson.Utc(to);
            r.QueryParameters.Select = EventFields;
            r.QueryParameters.Top = 200;
            r.QueryParameters.Orderby = ["start/dateTime"];
        }, ct);
        while (page is not null)
        {
            result.AddRange(page.Value ?? []);
            page = page.OdataNextLink is { } next && result.Count < 2500
                ? await graph.Me.Calendars[session.CalendarId].CalendarView.WithUrl(next).GetAsync(r => Configure(r, session), ct)
                : null;
        }

        return result;
    }

    private static void Configure<T>(RequestConfiguration<T> request, CalendarSession session) where T : class, new()
    {
        request.Headers.Add("Prefer", PreferUtc);
        request.Options.Add(session.Budget);
    }

    /// <summary>
    /// Runs SDK calls with the connection's token: a 401 refreshes the token once and repeats the calls, a second 401 means
    /// the grant no longer works. What is left of transient failures becomes <see cref="CalendarUnavailableException"/>,
    /// other refusals <see cref="CalendarProviderException"/>.
    /// </summary>
    private async Task<T> RunAsync<T>(CalendarSession session, Func<GraphServiceClient, Task<T>> call, CancellationToken ct)
    {
        for (var refresh = false; ; refresh = true)
        {
            try
            {
                return await call(Client(session, refresh));
            }
            catch (ApiException ex) when (ex.ResponseStatusCode == (int)HttpStatusCode.Unauthorized)
            {
                if (refresh)
                {
                    throw new CalendarAuthorizationException("The provider refused a freshly refreshed access token.", ex);
                }
            }
            catch (ApiException ex)
            {
                throw Map(ex, session.Budget);
            }
            catch (Exception ex) when (CalendarResilience.Unavailable(ex, ct) is { } unavailable)
            {
                throw unavailable;
            }
        }
    }

    private GraphServiceClient Client(CalendarSession session, bool refresh)
    {
        var baseUrl = options.Value.Microsoft.GraphBaseUrl;
        var tokens = new SessionTokens(session, refresh, baseUrl.Host);
        return new GraphServiceClient(http, new BaseBearerTokenAuthenticationProvider(tokens), baseUrl.ToString().TrimEnd('/'));
    }

    private static Exception Map(ApiException ex, CalendarBudget budget)
    {
        var status = (HttpStatusCode)ex.ResponseStatusCode;
        var message = ex is ODataError { Error.Message: { } m } ? m : ex.Message;
        if (!CalendarResilience.IsTransient(status))
        {
            return new CalendarProviderException(status, $"{(int)status} {message}".Trim());
        }

        var retryAfter = ex.ResponseHeaders.TryGetValue("Retry-After", out var values)
                         && RetryConditionHeaderValue.TryParse(values.FirstOrDefault(), out var parsed) ? parsed : null;
        return CalendarResilience.Unavailable(status, retryAfter, budget, ex);
    }

    private static Instant? Time(DateTimeTimeZone? time, DateTimeZone fallback) =>
        time?.DateTime is { } value ? ProviderJson.ParseLocal(value, time.TimeZone, fallback) : null;

    private static ProviderEvent? ToEvent(Event item, DateTimeZone fallback)
    {
        if (item.Id is null || Time(item.Start, fallback) is not { } start || Time(item.End, fallback) is not { } end)
        {
            return null;
        }

        var text = string.Join('\n', new[] { item.Subject, item.BodyPreview }.Where(s => !string.IsNullOrEmpty(s)));
        return new ProviderEvent(item.Id, start, end, item.Subject ?? "", text, item.TransactionId);
    }

    /// <summary>The session's token for Graph's host only; the first request after a 401 asks for a refreshed one.</summary>
    private sealed class SessionTokens(CalendarSession session, bool refresh, string host) : IAccessTokenProvider
    {
        private bool refreshNext = refresh;

        public AllowedHostsValidator AllowedHostsValidator { get; } = new([host]);

        public async Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null,
            CancellationToken cancellationToken = default)
        {
            if (!AllowedHostsValidator.IsUrlHostValid(uri))
            {
                return "";
            }

            var force = refreshNext;
            refreshNext = false;
            return await session.SecretAsync(force, cancellationToken);
        }
    }
}
