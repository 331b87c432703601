using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VoiceAgent.Testing.Fakes;

/// <summary>
/// The Microsoft identity platform (v2 authorize page and token endpoint, rotating refresh tokens, id_token and
/// client_info as MSAL expects them) and Microsoft Graph calendar on 127.0.0.1 (random port), after API-CONTRACTS.md §6:
/// me/calendars, me/calendar, calendarView (UTC with <c>Prefer: outlook.timezone="UTC"</c>, paged with @odata.nextLink),
/// getSchedule for the signed-in mailbox (busy time of its default calendar as scheduleItems and availabilityView; an
/// error entry for other addresses or when <see cref="PersonalAccount"/> is set), events create (201; a repeated
/// <c>transactionId</c> returns the first event), get and delete, the Graph error envelope and scripted 429 with
/// Retry-After or 5xx (optionally after the request took effect, like a lost answer).
/// </summary>
public sealed partial class FakeGraphServer : IAsyncDisposable
{
    public const string Tenant = "common";
    public const string UserId = "6f1c3a0e-8f2b-4d7a-9a63-0d2b6f4f1a11";
    public const string TenantId = "9188040d-6c67-4c5b-b112-36a304b66dad";
    public const string DefaultCalendar = "AAMkAGI2TGuLAAA=";
    public const string SecondCalendar = "AAMkAGI2TGuLBBB=";

    public sealed record Failure(int Status, int? RetryAfterSeconds = null, bool AfterEffect = false)
    {
        /// <summary>A normal answer (to let earlier requests through before a scripted failure).</summary>
        public static readonly Failure None = new(0);

        /// <summary>No answer at all until the client gives up (a hung connection).</summary>
        public static readonly Failure Hang = new(-1);
    }

    public sealed record FakeEvent(string CalendarId, string Id, string Subject, string Body, DateTimeOffset Start, DateTimeOffset End,
        string? TransactionId, JsonObject Raw)
    {
        public bool Deleted { get; set; }
    }

    private readonly WebApplication app;
    private readonly ConcurrentQueue<Failure> failures = new();
    private readonly ConcurrentQueue<(string Method, string Path)> requests = new();
    private readonly List<FakeEvent> events = [];
    private readonly ConcurrentQueue<JsonObject> scheduleRequests = new();
    private readonly Dictionary<string, string> calendars = new() { [DefaultCalendar] = "Kalender", [SecondCalendar] = "Praxis" };

    private FakeGraphServer(WebApplication app, FakeOAuthAuthority oauth)
    {
        this.app = app;
        OAuth = oauth;
    }

    public FakeOAuthAuthority OAuth { get; }

    /// <summary>A personal Microsoft account: getSchedule answers with an error entry (it is not supported for them).</summary>
    public bool PersonalAccount { get; set; }

    /// <summary>The getSchedule request bodies received.</summary>
    public IReadOnlyList<JsonObject> ScheduleRequests => scheduleRequests.ToArray();

    public Uri BaseUrl { get; private set; } = null!;

    public Uri GraphBaseUrl => new(BaseUrl, "v1.0/");

    public IReadOnlyList<(string Method, string Path)> Requests => requests.ToArray();

    public IReadOnlyList<FakeEvent> Events
    {
        get
        {
            lock (events)
            {
                return events.Where(e => !e.Deleted).ToList();
            }
        }
    }

    public Dictionary<string, string?> Settings() => new()
    {
        ["Calendars:Microsoft:LoginBaseUrl"] = BaseUrl.ToString(),
        ["Calendars:Microsoft:Tenant"] = Tenant,
        ["Calendars:Microsoft:GraphBaseUrl"] = GraphBaseUrl.ToString(),
    };

    public static async Task<FakeGraphServer> StartAsync(string clientId = "3f8a4b2c-1d5e-4f6a-8b7c-9d0e1f2a3b4c", string clientSecret = "fake~graph~secret~1234567890")
    {
        FakeOAuthAuthority? oauth = null;
        oauth = new FakeOAuthAuthority("Microsoft", clientId, clientSecret)
        {
            Account = "praxis@contoso.onmicrosoft.com",
            RotateRefreshTokens = true,
            ExtraTokenFields = () => new JsonObject
            {
                ["id_token"] = IdToken(clientId, oauth!.Account),
                ["client_info"] = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes($$"""{"uid":"{{UserId}}","utid":"{{TenantId}}"}""")),
            },
        };
        var server = new FakeGraphServer(LoopbackHost.Create(), oauth);
        var web = server.app;
        web.MapGet("/{tenant}/oauth2/v2.0/authorize", (HttpContext http, string tenant) =>
            server.OAuth.AuthorizePageAsync(http, $"/{tenant}/oauth2/v2.0/authorize/approve"));
        web.MapPost("/{tenant}/oauth2/v2.0/authorize/approve", server.OAuth.ApproveAsync);
        web.MapPost("/{tenant}/oauth2/v2.0/token", server.OAuth.TokenAsync);
        web.Map("/v1.0/{**path}", server.ApiAsync);
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

    public FakeEvent AddEvent(DateTimeOffset start, DateTimeOffset end, string subject, string body = "", string calendarId = DefaultCalendar,
        string showAs = "busy")
    {
        var e = new FakeEvent(calendarId, "ext" + Guid.NewGuid().ToString("n"), subject, body, start, end, null, new JsonObject { ["showAs"] = showAs });
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

    // An unsigned JWT with the claims MSAL reads (it does not validate id tokens of confidential clients).
    private static string IdToken(string clientId, string user)
    {
        static string Part(string json) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(json));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return Part("""{"typ":"JWT","alg":"none"}""") + "." + Part($$"""
            {"aud":"{{clientId}}","iss":"https://login.microsoftonline.com/{{TenantId}}/v2.0","iat":{{now}},"nbf":{{now}},"exp":{{now + 3600}},
             "name":"Dr. Erika Muster","oid":"{{UserId}}","preferred_username":"{{user}}","sub":"sub-{{UserId}}","tid":"{{TenantId}}","ver":"2.0"}
            """) + ".";
    }

    private async Task ApiAsync(HttpContext http, string path)
    {
        requests.Enqueue((http.Request.Method, path));
        if (!OAuth.IsValidAccessToken(http.Request))
        {
            await Error(http, 401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.");
            return;
        }

        if (failures.TryDequeue(out var failure) && failure.Status == 0)
        {
            failure = null;
        }
        if (failure == Failure.Hang)
        {
            // No answer until the client gives up.
            var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using (http.RequestAborted.Register(() => aborted.TrySetResult()))
            {
                await aborted.Task;
            }

            return;
        }

        if (failure is { AfterEffect: false })
        {
            await Fail(http, failure);
            return;
        }

        var body = http.Request.Method == "POST" ? await JsonNode.ParseAsync(http.Request.Body) as JsonObject : null;
        var utc = http.Request.Headers["Prefer"].ToString().Contains("outlook.timezone=\"UTC\"", StringComparison.Ordinal);
        var (status, answer) = Handle(http, path, body, utc);
        if (failure is not null)
        {
            await Fail(http, failure);
            return;
        }

        http.Response.StatusCode = status;
        if (answer is not null)
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(answer.ToJsonString());
        }
    }

    private (int, JsonNode?) Handle(HttpContext http, string path, JsonObject? body, bool utc)
    {
        var method = http.Request.Method;
        if (method == "GET" && path == "me/calendars")
        {
            return (200, new JsonObject
            {
                ["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#users('me')/calendars",
                ["value"] = new JsonArray(calendars.Select(c => (JsonNode)new JsonObject
                {
                    ["id"] = c.Key,
                    ["name"] = c.Value,
                    ["isDefaultCalendar"] = c.Key == DefaultCalendar,
                    ["canEdit"] = true,
                    ["owner"] = new JsonObject { ["name"] = "Dr. Erika Muster", ["address"] = OAuth.Account },
                }).ToArray()),
            });
        }

        if (method == "GET" && path == "me/calendar")
        {
            return (200, new JsonObject { ["id"] = DefaultCalendar, ["name"] = calendars[DefaultCalendar] });
        }

        if (method == "POST" && path == "me/calendar/getSchedule")
        {
            return Schedule(body!, utc);
        }

        if (CalendarPath().Match(path) is { Success: true } m)
        {
            var calendarId = Uri.UnescapeDataString(m.Groups["cal"].Value);
            if (!calendars.ContainsKey(calendarId))
            {
                return ErrorBody(404, "ErrorItemNotFound", "The specified object was not found in the store.");
            }

            return (method, m.Groups["op"].Value) switch
            {
                ("GET", "calendarView") => View(http, calendarId, utc),
                ("POST", "events") => Create(calendarId, body!, utc),
                _ => ErrorBody(405, "ErrorInvalidRequest", "Unsupported request."),
            };
        }

        if (EventPath().Match(path) is { Success: true } e)
        {
            var id = Uri.UnescapeDataString(e.Groups["id"].Value);
            FakeEvent? found;
            lock (events)
            {
                found = events.FirstOrDefault(x => x.Id == id && !x.Deleted);
            }

            if (found is null)
            {
                return ErrorBody(404, "ErrorItemNotFound", "The specified object was not found in the store.");
            }

            if (method == "DELETE")
            {
                found.Deleted = true;
                return (204, null);
            }

            return method == "GET" ? (200, ToJson(found, utc)) : ErrorBody(405, "ErrorInvalidRequest", "Unsupported request.");
        }

        return ErrorBody(400, "BadRequest", $"Resource not found for the segment '{path}'.");
    }

    private (int, JsonNode?) View(HttpContext http, string calendarId, bool utc)
    {
        var q = http.Request.Query;
        if (!DateTimeOffset.TryParse(q["startDateTime"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start)
            || !DateTimeOffset.TryParse(q["endDateTime"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var end))
        {
            return ErrorBody(400, "ErrorInvalidParameter", "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.");
        }

        List<FakeEvent> items;
        lock (events)
        {
            items = events.Where(x => x.CalendarId == calendarId && !x.Deleted && x.Start < end && start < x.End).OrderBy(x => x.Start).ToList();
        }

        // Pages of at most 3 ($top is honoured below that), so clients must follow @odata.nextLink.
        var top = Math.Min(int.TryParse(q["$top"], out var t) ? t : 10, 3);
        var skip = int.TryParse(q["$skip"], out var s) ? s : 0;
        var answer = new JsonObject { ["value"] = new JsonArray(items.Skip(skip).Take(top).Select(x => (JsonNode)ToJson(x, utc)).ToArray()) };
        if (skip + top < items.Count)
        {
            var query = QueryHelpers.ParseQuery(http.Request.QueryString.Value).ToDictionary(p => p.Key, p => (string?)p.Value.ToString());
            query["$skip"] = (skip + top).ToString(CultureInfo.InvariantCulture);
            answer["@odata.nextLink"] = QueryHelpers.AddQueryString(new Uri(BaseUrl, "v1.0/" + http.Request.RouteValues["path"]).ToString(), query);
        }

        return (200, answer);
    }

    // availabilityView digits: 0 free, 1 tentative, 2 busy, 3 oof, 4 working elsewhere.
    private static readonly Dictionary<string, char> Digits = new(StringComparer.OrdinalIgnoreCase)
    {
        ["free"] = '0', ["tentative"] = '1', ["busy"] = '2', ["oof"] = '3', ["workingElsewhere"] = '4',
    };

    private (int, JsonNode?) Schedule(JsonObject body, bool utc)
    {
        // Graph's metadata names the action's parameters in PascalCase (the SDK sends them so), its documentation in
        // camelCase: both are accepted. Stored with camelCase names.
        body = new JsonObject(body.Select(p => KeyValuePair.Create(char.ToLowerInvariant(p.Key[0]) + p.Key[1..], p.Value?.DeepClone())));
        scheduleRequests.Enqueue((JsonObject)body.DeepClone());
        var interval = (int?)body["availabilityViewInterval"] ?? 30;
        if (body["schedules"] is not JsonArray ids || Parse(body["startTime"]) is not { } start || Parse(body["endTime"]) is not { } end
            || end <= start || interval is < 5 or > 1440)
        {
            return ErrorBody(400, "ErrorInvalidParameter", "The request is invalid.");
        }

        List<FakeEvent> busy;
        lock (events)
        {
            // The mailbox's free/busy is its default calendar.
            busy = events.Where(x => x.CalendarId == DefaultCalendar && !x.Deleted && x.Start < end && start < x.End
                                     && (string?)x.Raw["showAs"] != "free").OrderBy(x => x.Start).ToList();
        }

        var zone = utc ? "UTC" : (string?)body["startTime"]?["timeZone"] ?? "UTC";
        string Format(DateTimeOffset t) => (zone == "UTC" ? t.UtcDateTime : TimeZoneInfo.ConvertTime(t, TimeZoneInfo.FindSystemTimeZoneById(zone)).DateTime)
            .ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture);
        var slots = (int)Math.Ceiling((end - start).TotalMinutes / interval);
        var value = new JsonArray();
        foreach (var id in ids.Select(i => (string?)i ?? ""))
        {
            if (PersonalAccount || !id.Equals(OAuth.Account, StringComparison.OrdinalIgnoreCase))
            {
                value.Add(new JsonObject
                {
                    ["scheduleId"] = id,
                    ["availabilityView"] = "",
                    ["scheduleItems"] = new JsonArray(),
                    ["error"] = new JsonObject
                    {
                        ["message"] = PersonalAccount ? "getSchedule is not supported for personal accounts." : "The mailbox could not be found.",
                        ["responseCode"] = PersonalAccount ? "ErrorNotSupported" : "ErrorMailboxNotFound",
                    },
                });
                continue;
            }

            var view = new StringBuilder(slots);
            for (var i = 0; i < slots; i++)
            {
                var from = start.AddMinutes(i * interval);
                var to = from.AddMinutes(interval);
                var statuses = busy.Where(x => x.Start < to && from < x.End).Select(x => Digits.GetValueOrDefault((string?)x.Raw["showAs"] ?? "busy", '2')).ToList();
                view.Append(statuses.Contains('3') ? '3' : statuses.Contains('2') ? '2' : statuses.Contains('1') ? '1' : statuses.Contains('4') ? '4' : '0');
            }

            value.Add(new JsonObject
            {
                ["scheduleId"] = id,
                ["availabilityView"] = view.ToString(),
                ["scheduleItems"] = new JsonArray(busy.Select(x => (JsonNode)new JsonObject
                {
                    ["isPrivate"] = false,
                    ["status"] = (string?)x.Raw["showAs"] ?? "busy",
                    ["subject"] = x.Subject,
                    ["location"] = "",
                    ["start"] = new JsonObject { ["dateTime"] = Format(x.Start), ["timeZone"] = zone },
                    ["end"] = new JsonObject { ["dateTime"] = Format(x.End), ["timeZone"] = zone },
                }).ToArray()),
                ["workingHours"] = new JsonObject
                {
                    ["daysOfWeek"] = new JsonArray("monday", "tuesday", "wednesday", "thursday", "friday"),
                    ["startTime"] = "08:00:00.0000000",
                    ["endTime"] = "17:00:00.0000000",
                    ["timeZone"] = new JsonObject { ["name"] = "W. Europe Standard Time" },
                },
            });
        }

        return (200, new JsonObject
        {
            ["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)",
            ["value"] = value,
        });
    }

    private (int, JsonNode?) Create(string calendarId, JsonObject body, bool utc)
    {
        if (Parse(body["start"]) is not { } start || Parse(body["end"]) is not { } end)
        {
            return ErrorBody(400, "ErrorInvalidRequest", "Your request can't be completed. The start or end time is invalid.");
        }

        var transactionId = (string?)body["transactionId"];
        lock (events)
        {
            // transactionId: a retried POST returns the event the first one created.
            if (transactionId is not null && events.FirstOrDefault(x => x.TransactionId == transactionId) is { } existing)
            {
                return (201, ToJson(existing, utc));
            }

            var e = new FakeEvent(calendarId, "AAMkAD" + Guid.NewGuid().ToString("n"), (string?)body["subject"] ?? "",
                (string?)body["body"]?["content"] ?? "", start, end, transactionId, (JsonObject)body.DeepClone());
            events.Add(e);
            return (201, ToJson(e, utc));
        }
    }

    private static DateTimeOffset? Parse(JsonNode? time)
    {
        var value = (string?)time?["dateTime"];
        var zoneName = (string?)time?["timeZone"];
        if (value is null || zoneName is null || !DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return null;
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zoneName, out var zone))
        {
            return null;
        }

        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private static JsonObject ToJson(FakeEvent e, bool utc)
    {
        var zone = utc ? "UTC" : (string?)e.Raw["start"]?["timeZone"] ?? "UTC";
        string Format(DateTimeOffset t) => (utc || zone == "UTC" ? t.UtcDateTime : TimeZoneInfo.ConvertTime(t, TimeZoneInfo.FindSystemTimeZoneById(zone)).DateTime)
            .ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture);
        var json = new JsonObject
        {
            ["id"] = e.Id,
            ["subject"] = e.Subject,
            ["bodyPreview"] = e.Body.Length > 255 ? e.Body[..255] : e.Body,
            ["start"] = new JsonObject { ["dateTime"] = Format(e.Start), ["timeZone"] = zone },
            ["end"] = new JsonObject { ["dateTime"] = Format(e.End), ["timeZone"] = zone },
            ["showAs"] = (string?)e.Raw["showAs"] ?? "busy",
            ["isCancelled"] = false,
            ["iCalUId"] = "040000008200E00074C5B7101A82E008" + e.Id.GetHashCode().ToString("x8", CultureInfo.InvariantCulture),
            ["webLink"] = "https://outlook.office365.com/owa/?itemid=" + Uri.EscapeDataString(e.Id),
        };
        if (e.TransactionId is not null)
        {
            json["transactionId"] = e.TransactionId;
        }

        if (e.Raw["attendees"] is { } attendees)
        {
            json["attendees"] = attendees.DeepClone();
        }

        return json;
    }

    private static async Task Fail(HttpContext http, Failure failure)
    {
        if (failure.RetryAfterSeconds is { } seconds)
        {
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        await Error(http, failure.Status, failure.Status == 429 ? "TooManyRequests" : "ServiceNotAvailable",
            failure.Status == 429 ? "Too many requests." : "The service is temporarily unavailable.");
    }

    private static (int, JsonNode?) ErrorBody(int status, string code, string message) => (status, Envelope(code, message));

    private static JsonObject Envelope(string code, string message) => new()
    {
        ["error"] = new JsonObject
        {
            ["code"] = code,
            ["message"] = message,
            ["innerError"] = new JsonObject
            {
                ["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
                ["request-id"] = Guid.NewGuid().ToString(),
                ["client-request-id"] = Guid.NewGuid().ToString(),
            },
        },
    };

    private static async Task Error(HttpContext http, int status, string code, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(Envelope(code, message).ToJsonString());
    }

    [GeneratedRegex("^me/calendars/(?<cal>[^/]+)/(?<op>calendarView|events)$")]
    private static partial Regex CalendarPath();

    [GeneratedRegex("^me/events/(?<id>[^/]+)$")]
    private static partial Regex EventPath();
}
