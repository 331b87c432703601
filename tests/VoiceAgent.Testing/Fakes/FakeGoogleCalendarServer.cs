using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VoiceAgent.Testing.Fakes;

/// <summary>
/// Google's OAuth endpoints and Calendar API v3 on 127.0.0.1 (random port), after API-CONTRACTS.md §5: the consent page,
/// token and revoke endpoints (<see cref="FakeOAuthAuthority"/>), calendarList, freeBusy and events
/// insert/list/get/delete with Google's error envelope — 401 for unknown tokens, 409 "duplicate" for a reused event id,
/// and scripted 429/403 rateLimitExceeded/5xx failures (optionally after the request took effect, like a lost answer).
/// </summary>
public sealed partial class FakeGoogleCalendarServer : IAsyncDisposable
{
    public const string PrimaryCalendar = "praxis@example.com";
    public const string TeamCalendar = "team1234@group.calendar.google.com";

    /// <summary>A scripted API failure. <paramref name="AfterEffect"/>: the request is carried out, then the answer is this error.</summary>
    public sealed record Failure(int Status, int? RetryAfterSeconds = null, bool AfterEffect = false, string Reason = "backendError")
    {
        /// <summary>A normal answer (to let earlier requests through before a scripted failure).</summary>
        public static readonly Failure None = new(0);
    }

    public sealed record FakeEvent(string CalendarId, string Id, string Summary, string? Description, DateTimeOffset Start, DateTimeOffset End,
        string? TimeZone, JsonObject Raw)
    {
        public string Status { get; set; } = "confirmed";
    }

    private readonly WebApplication app;
    private readonly ConcurrentQueue<Failure> failures = new();
    private readonly ConcurrentQueue<(string Method, string Path)> requests = new();
    private readonly List<FakeEvent> events = [];
    private readonly Dictionary<string, string> calendars = new() { [PrimaryCalendar] = "Praxis Dr. Muster", [TeamCalendar] = "Team" };

    private FakeGoogleCalendarServer(WebApplication app, FakeOAuthAuthority oauth)
    {
        this.app = app;
        OAuth = oauth;
    }

    public FakeOAuthAuthority OAuth { get; }

    public Uri BaseUrl { get; private set; } = null!;

    public Uri AuthorizeUrl => new(BaseUrl, "o/oauth2/v2/auth");

    public Uri TokenUrl => new(BaseUrl, "token");

    public Uri RevokeUrl => new(BaseUrl, "revoke");

    public Uri ApiBaseUrl => new(BaseUrl, "calendar/v3/");

    /// <summary>Calendar API requests (not OAuth), in arrival order.</summary>
    public IReadOnlyList<(string Method, string Path)> Requests => requests.ToArray();

    public IReadOnlyList<FakeEvent> Events
    {
        get
        {
            lock (events)
            {
                return events.Where(e => e.Status != "cancelled").ToList();
            }
        }
    }

    /// <summary>The configuration that points the app at this fake.</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        ["Calendars:Google:AuthorizeUrl"] = AuthorizeUrl.ToString(),
        ["Calendars:Google:TokenUrl"] = TokenUrl.ToString(),
        ["Calendars:Google:RevokeUrl"] = RevokeUrl.ToString(),
        ["Calendars:Google:ApiBaseUrl"] = ApiBaseUrl.ToString(),
    };

    public static async Task<FakeGoogleCalendarServer> StartAsync(string clientId = "google-client-id.apps.googleusercontent.com",
        string clientSecret = "GOCSPX-fake-secret-123456")
    {
        var server = new FakeGoogleCalendarServer(LoopbackHost.Create(), new FakeOAuthAuthority("Google", clientId, clientSecret) { Account = PrimaryCalendar });
        var web = server.app;
        web.MapGet("/o/oauth2/v2/auth", http => server.OAuth.AuthorizePageAsync(http, "/o/oauth2/v2/auth/approve"));
        web.MapPost("/o/oauth2/v2/auth/approve", server.OAuth.ApproveAsync);
        web.MapPost("/token", server.OAuth.TokenAsync);
        web.MapPost("/revoke", server.OAuth.RevokeAsync);
        web.Map("/calendar/v3/{**path}", server.ApiAsync);
        server.BaseUrl = new Uri(await LoopbackHost.StartAsync(web) + "/");
        return server;
    }

    public void Fail(params Failure[] scripted)
    {
        foreach (var f in scripted)
        {
            failures.Enqueue(f);
        }
    }

    /// <summary>An appointment someone entered in the calendar directly.</summary>
    public FakeEvent AddEvent(DateTimeOffset start, DateTimeOffset end, string summary, string? description = null, string calendarId = PrimaryCalendar)
    {
        var e = new FakeEvent(calendarId, "ext" + Guid.NewGuid().ToString("n"), summary, description, start, end, null, new JsonObject());
        lock (events)
        {
            events.Add(e);
        }

        return e;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(stop.Token);
        await app.DisposeAsync();
    }

    private async Task ApiAsync(HttpContext http, string path)
    {
        requests.Enqueue((http.Request.Method, path));
        if (!OAuth.IsValidAccessToken(http.Request))
        {
            await Error(http, 401, "authError", "Invalid Credentials");
            return;
        }

        if (failures.TryDequeue(out var failure) && failure.Status == 0)
        {
            failure = null;
        }
        if (failure is { AfterEffect: false })
        {
            await Fail(http, failure);
            return;
        }

        var body = http.Request.ContentLength > 0 || http.Request.Method == "POST"
            ? await JsonNode.ParseAsync(http.Request.Body) as JsonObject
            : null;
        var (status, answer) = Handle(http.Request.Method, path, http.Request.Query, body);
        if (failure is not null)
        {
            await Fail(http, failure);
            return;
        }

        http.Response.StatusCode = status;
        if (answer is not null)
        {
            http.Response.ContentType = "application/json; charset=UTF-8";
            await http.Response.WriteAsync(answer.ToJsonString());
        }
    }

    private (int, JsonNode?) Handle(string method, string path, IQueryCollection query, JsonObject? body)
    {
        if (method == "GET" && path == "users/me/calendarList")
        {
            return (200, new JsonObject
            {
                ["kind"] = "calendar#calendarList",
                ["items"] = new JsonArray(calendars.Select(c => (JsonNode)new JsonObject
                {
                    ["kind"] = "calendar#calendarListEntry",
                    ["id"] = c.Key,
                    ["summary"] = c.Value,
                    ["primary"] = c.Key == PrimaryCalendar,
                    ["accessRole"] = "owner",
                    ["timeZone"] = "Europe/Berlin",
                }).ToArray()),
            });
        }

        if (method == "POST" && path == "freeBusy")
        {
            var min = DateTimeOffset.Parse(body!["timeMin"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            var max = DateTimeOffset.Parse(body["timeMax"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            if (max <= min)
            {
                return ErrorBody(400, "timeRangeEmpty", "The specified time range is empty.");
            }

            var result = new JsonObject();
            foreach (var item in body["items"]!.AsArray())
            {
                var id = item!["id"]!.GetValue<string>();
                id = id == "primary" ? PrimaryCalendar : id;
                result[id] = calendars.ContainsKey(id)
                    ? new JsonObject
                    {
                        ["busy"] = new JsonArray(Live(id).Where(e => e.Start < max && min < e.End).OrderBy(e => e.Start)
                            .Select(e => (JsonNode)new JsonObject { ["start"] = Rfc3339(Max(e.Start, min)), ["end"] = Rfc3339(Min(e.End, max)) }).ToArray()),
                    }
                    : new JsonObject
                    {
                        ["busy"] = new JsonArray(),
                        ["errors"] = new JsonArray(new JsonObject { ["domain"] = "global", ["reason"] = "notFound" }),
                    };
            }

            return (200, new JsonObject { ["kind"] = "calendar#freeBusy", ["timeMin"] = Rfc3339(min), ["timeMax"] = Rfc3339(max), ["calendars"] = result });
        }

        var match = EventsPath().Match(path);
        if (!match.Success)
        {
            return ErrorBody(404, "notFound", "Not Found");
        }

        var calendarId = Uri.UnescapeDataString(match.Groups["cal"].Value);
        calendarId = calendarId == "primary" ? PrimaryCalendar : calendarId;
        if (!calendars.ContainsKey(calendarId))
        {
            return ErrorBody(404, "notFound", "Not Found");
        }

        var eventId = match.Groups["id"].Success ? Uri.UnescapeDataString(match.Groups["id"].Value) : null;
        return (method, eventId) switch
        {
            ("POST", null) => Insert(calendarId, body!),
            ("GET", null) => List(calendarId, query),
            ("GET", { } id) => Find(calendarId, id) is { } e ? (200, ToJson(e)) : ErrorBody(404, "notFound", "Not Found"),
            ("DELETE", { } id) => Delete(calendarId, id),
            _ => ErrorBody(405, "methodNotAllowed", "Method not allowed"),
        };
    }

    private (int, JsonNode?) Insert(string calendarId, JsonObject body)
    {
        var id = (string?)body["id"];
        if (id is not null && !EventId().IsMatch(id))
        {
            return ErrorBody(400, "invalid", "Invalid resource id value.");
        }

        if (body["start"]?["dateTime"] is null || body["end"]?["dateTime"] is null)
        {
            return ErrorBody(400, "required", "Missing end time.");
        }

        lock (events)
        {
            if (id is not null && events.Any(e => e.CalendarId == calendarId && e.Id == id))
            {
                return ErrorBody(409, "duplicate", "The requested identifier already exists.");
            }

            var e = new FakeEvent(calendarId, id ?? Guid.NewGuid().ToString("n"), (string?)body["summary"] ?? "", (string?)body["description"],
                DateTimeOffset.Parse((string)body["start"]!["dateTime"]!, CultureInfo.InvariantCulture),
                DateTimeOffset.Parse((string)body["end"]!["dateTime"]!, CultureInfo.InvariantCulture),
                (string?)body["start"]!["timeZone"], (JsonObject)body.DeepClone());
            events.Add(e);
            return (200, ToJson(e));
        }
    }

    private (int, JsonNode?) List(string calendarId, IQueryCollection query)
    {
        var min = query.TryGetValue("timeMin", out var a) ? DateTimeOffset.Parse(a!, CultureInfo.InvariantCulture) : DateTimeOffset.MinValue;
        var max = query.TryGetValue("timeMax", out var b) ? DateTimeOffset.Parse(b!, CultureInfo.InvariantCulture) : DateTimeOffset.MaxValue;
        var q = query["q"].ToString();
        var items = Live(calendarId).Where(e => e.End > min && e.Start < max)
            .Where(e => q.Length == 0 || $"{e.Summary}\n{e.Description}\n{e.Raw["extendedProperties"]?.ToJsonString()}".Contains(q, StringComparison.OrdinalIgnoreCase))
            .OrderBy(e => e.Start).ToList();
        // Two per page, so clients must follow nextPageToken.
        var skip = int.TryParse(query["pageToken"], out var s) ? s : 0;
        var page = items.Skip(skip).Take(2).ToList();
        var answer = new JsonObject { ["kind"] = "calendar#events", ["items"] = new JsonArray(page.Select(e => (JsonNode)ToJson(e)).ToArray()) };
        if (skip + 2 < items.Count)
        {
            answer["nextPageToken"] = (skip + 2).ToString(CultureInfo.InvariantCulture);
        }

        return (200, answer);
    }

    private (int, JsonNode?) Delete(string calendarId, string id)
    {
        lock (events)
        {
            var e = events.FirstOrDefault(x => x.CalendarId == calendarId && x.Id == id);
            if (e is null)
            {
                return ErrorBody(404, "notFound", "Not Found");
            }

            if (e.Status == "cancelled")
            {
                return ErrorBody(410, "deleted", "Resource has been deleted");
            }

            e.Status = "cancelled";
            return (204, null);
        }
    }

    private FakeEvent? Find(string calendarId, string id)
    {
        lock (events)
        {
            return events.FirstOrDefault(e => e.CalendarId == calendarId && e.Id == id);
        }
    }

    private List<FakeEvent> Live(string calendarId)
    {
        lock (events)
        {
            return events.Where(e => e.CalendarId == calendarId && e.Status != "cancelled").ToList();
        }
    }

    private static JsonObject ToJson(FakeEvent e)
    {
        var json = new JsonObject
        {
            ["kind"] = "calendar#event",
            ["etag"] = "\"3181161784712000\"",
            ["id"] = e.Id,
            ["status"] = e.Status,
            ["htmlLink"] = $"https://www.google.com/calendar/event?eid={e.Id}",
            ["iCalUID"] = e.Id + "@google.com",
            ["summary"] = e.Summary,
            ["start"] = new JsonObject { ["dateTime"] = Rfc3339(e.Start), ["timeZone"] = e.TimeZone },
            ["end"] = new JsonObject { ["dateTime"] = Rfc3339(e.End), ["timeZone"] = e.TimeZone },
            ["organizer"] = new JsonObject { ["email"] = e.CalendarId, ["self"] = true },
        };
        if (e.Description is not null)
        {
            json["description"] = e.Description;
        }

        foreach (var key in new[] { "attendees", "extendedProperties" })
        {
            if (e.Raw[key] is { } value)
            {
                json[key] = value.DeepClone();
            }
        }

        return json;
    }

    private static async Task Fail(HttpContext http, Failure failure)
    {
        if (failure.RetryAfterSeconds is { } seconds)
        {
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        await Error(http, failure.Status, failure.Status == 429 ? "rateLimitExceeded" : failure.Reason,
            failure.Status == 429 || failure.Reason.Contains("RateLimit", StringComparison.OrdinalIgnoreCase) ? "Rate Limit Exceeded" : "Backend Error");
    }

    private static (int, JsonNode?) ErrorBody(int status, string reason, string message) => (status, Envelope(status, reason, message));

    private static JsonObject Envelope(int status, string reason, string message) => new()
    {
        ["error"] = new JsonObject
        {
            ["errors"] = new JsonArray(new JsonObject { ["domain"] = status is 403 or 429 ? "usageLimits" : "global", ["reason"] = reason, ["message"] = message }),
            ["code"] = status,
            ["message"] = message,
        },
    };

    private static async Task Error(HttpContext http, int status, string reason, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=UTF-8";
        await http.Response.WriteAsync(Envelope(status, reason, message).ToJsonString());
    }

    private static string Rfc3339(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    [GeneratedRegex("^calendars/(?<cal>[^/]+)/events(/(?<id>[^/]+))?$")]
    private static partial Regex EventsPath();

    [GeneratedRegex("^[a-v0-9]{5,1024}$")]
    private static partial Regex EventId();
}
