using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
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
/// Twilio's REST API on 127.0.0.1 (random port) after API-CONTRACTS.md §1.5 (and the SDK's IncomingPhoneNumber resource,
/// twilio-csharp 8.2): HTTP Basic with account SID and auth token (401 with code 20003 otherwise), form bodies, JSON
/// answers and Twilio's error JSON (unknown resources 404 with code 20404). Accounts (<see cref="AddAccount"/>), calls
/// and incoming numbers (<see cref="AddNumber"/>) are set up by the test; 429 and 5xx can be scripted ahead of the real
/// handling (<see cref="Fail"/>). Point the app at it with <c>Twilio:ApiBaseUrl</c> = <see cref="BaseUrl"/>.
/// </summary>
public sealed class FakeTwilioServer : IAsyncDisposable
{
    public sealed record RecordedRequest(string Method, string Path, string? BasicUser, string? ContentType, IReadOnlyDictionary<string, string> Form,
        string QueryString = "");

    /// <summary>An incoming phone number of an account as the fake holds it (null URL: not set).</summary>
    public sealed record IncomingNumber(string AccountSid, string Sid, string PhoneNumber, string? VoiceUrl, string VoiceMethod,
        string? StatusCallback, string StatusCallbackMethod, string? VoiceApplicationSid = null);

    /// <summary>A successful <c>POST …/IncomingPhoneNumbers/{PN}.json</c>: the form fields as sent.</summary>
    public sealed record NumberUpdate(string AccountSid, string NumberSid, IReadOnlyDictionary<string, string> Form);

    /// <summary>
    /// A scripted answer: a status with Twilio's error JSON, or with a non-JSON body when <see cref="Html"/> is set. With
    /// <see cref="Method"/> it waits for the next request of that method (e.g. "POST": a lookup passes, the update fails).
    /// </summary>
    public sealed record Failure(int Status, int Code, string Message, bool Html = false, int? RetryAfterSeconds = null, string? Method = null);

    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, string> tokens = new();
    private readonly ConcurrentDictionary<string, string> callStatus = new();
    private readonly ConcurrentDictionary<string, string> callRedirects = new();
    private readonly ConcurrentQueue<Failure> script = new();
    private readonly ConcurrentQueue<RecordedRequest> requests = new();
    private readonly ConcurrentDictionary<string, IncomingNumber> numbers = new();
    private readonly ConcurrentQueue<NumberUpdate> numberUpdates = new();

    private FakeTwilioServer(WebApplication app) => this.app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => requests.ToArray();

    /// <summary>Every successful number update, in order.</summary>
    public IReadOnlyList<NumberUpdate> NumberUpdates => numberUpdates.ToArray();

    public static async Task<FakeTwilioServer> StartAsync()
    {
        var server = new FakeTwilioServer(LoopbackHost.Create());
        server.app.MapGet("/2010-04-01/Accounts/{accountSid}.json", server.FetchAccountAsync);
        server.app.MapPost("/2010-04-01/Accounts/{accountSid}/Calls/{callSid}.json", server.UpdateCallAsync);
        server.app.MapGet("/2010-04-01/Accounts/{accountSid}/IncomingPhoneNumbers.json", server.ListNumbersAsync);
        server.app.MapPost("/2010-04-01/Accounts/{accountSid}/IncomingPhoneNumbers/{numberSid}.json", server.UpdateNumberAsync);
        server.app.MapFallback("{*path}", server.FallbackAsync); // the default fallback skips paths that look like files (".json")
        server.BaseUrl = new Uri(await LoopbackHost.StartAsync(server.app));
        return server;
    }

    public void AddAccount(string accountSid, string authToken) => tokens[accountSid] = authToken;

    public void AddCall(string callSid, string status = "in-progress") => callStatus[callSid] = status;

    /// <summary>
    /// Gives the account an incoming number (E.164) whose voice webhook and status callback point where the test says
    /// (null: not set), optionally with a TwiML app (AP…) that takes its calls instead; returns its SID (PN…, the same for
    /// the same account and number).
    /// </summary>
    public string AddNumber(string accountSid, string e164, string? voiceUrl = null, string? statusCallback = null, string? voiceApplicationSid = null)
    {
        var sid = "PN" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(accountSid + e164)))[..32];
        numbers[sid] = new IncomingNumber(accountSid, sid, e164, voiceUrl, "POST", statusCallback, "POST", voiceApplicationSid);
        return sid;
    }

    /// <summary>The account's number as it stands now; null when the account has no such number.</summary>
    public IncomingNumber? Number(string accountSid, string e164) =>
        numbers.Values.SingleOrDefault(n => n.AccountSid == accountSid && n.PhoneNumber == e164);

    public string? CallStatus(string callSid) => callStatus.GetValueOrDefault(callSid);

    public string? CallRedirect(string callSid) => callRedirects.GetValueOrDefault(callSid);

    public void Fail(params Failure[] failures)
    {
        foreach (var failure in failures)
        {
            script.Enqueue(failure);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(stop.Token);
        await app.DisposeAsync();
    }

    private async Task FetchAccountAsync(HttpContext http, string accountSid)
    {
        if (await RecordAndScriptAsync(http) is not { } user || !await AuthorizedAsync(http, user, accountSid))
        {
            return;
        }

        await WriteJsonAsync(http, 200, new JsonObject
        {
            ["sid"] = accountSid,
            ["friendly_name"] = "VoiceAgent Test",
            ["status"] = "active",
            ["type"] = "Full",
            ["date_created"] = "Thu, 20 Nov 2025 10:00:00 +0000",
            ["uri"] = $"/2010-04-01/Accounts/{accountSid}.json",
        });
    }

    private async Task UpdateCallAsync(HttpContext http, string accountSid, string callSid)
    {
        if (await RecordAndScriptAsync(http) is not { } user || !await AuthorizedAsync(http, user, accountSid))
        {
            return;
        }

        if (!callStatus.TryGetValue(callSid, out var status))
        {
            await WriteNotFoundAsync(http);
            return;
        }

        var form = await http.Request.ReadFormAsync();
        if (form.ContainsKey("Url"))
        {
            if (status != "in-progress")
            {
                await WriteErrorAsync(http, 400, 21220, "Call is not in-progress. Cannot redirect.");
                return;
            }

            callRedirects[callSid] = form["Url"].ToString();
        }
        else if (form["Status"] == "completed")
        {
            callStatus[callSid] = status = "completed";
        }
        else
        {
            await WriteErrorAsync(http, 400, 21218, "Invalid Status or Url or Twiml");
            return;
        }

        await WriteJsonAsync(http, 200, new JsonObject
        {
            ["sid"] = callSid,
            ["account_sid"] = accountSid,
            ["status"] = status,
            ["direction"] = "inbound",
            ["duration"] = status == "completed" ? "15" : null,
            ["start_time"] = "Thu, 20 Nov 2025 10:00:00 +0000",
            ["end_time"] = status == "completed" ? "Thu, 20 Nov 2025 10:00:15 +0000" : null,
            ["price"] = null,
        });
    }

    /// <summary>
    /// The account's numbers, filtered by <c>PhoneNumber</c> as Twilio does: a partial number matches too, and <c>*</c>
    /// stands for any digit. Paged with <c>PageSize</c> (default 50) and <c>Page</c>, with v2010's paging fields.
    /// </summary>
    private async Task ListNumbersAsync(HttpContext http, string accountSid)
    {
        if (await RecordAndScriptAsync(http) is not { } user || !await AuthorizedAsync(http, user, accountSid))
        {
            return;
        }

        var query = http.Request.Query;
        var filter = query["PhoneNumber"].ToString();
        var pageSize = int.TryParse(query["PageSize"], out var size) && size is > 0 and <= 1000 ? size : 50;
        var page = int.TryParse(query["Page"], out var p) && p >= 0 ? p : 0;
        var pattern = new Regex(string.Concat(filter.Select(c => c == '*' ? "[0-9]" : Regex.Escape(c.ToString()))), RegexOptions.CultureInvariant);
        var matches = numbers.Values.Where(n => n.AccountSid == accountSid && pattern.IsMatch(n.PhoneNumber))
            .OrderBy(n => n.PhoneNumber, StringComparer.Ordinal).ToList();
        var start = page * pageSize;
        var records = matches.Skip(start).Take(pageSize).ToList();
        var path = $"/2010-04-01/Accounts/{accountSid}/IncomingPhoneNumbers.json";
        string PageUri(int n) => path + "?" + (filter.Length > 0 ? "PhoneNumber=" + Uri.EscapeDataString(filter) + "&" : "") + $"PageSize={pageSize}&Page={n}";

        await WriteJsonAsync(http, 200, new JsonObject
        {
            ["first_page_uri"] = PageUri(0),
            ["end"] = Math.Max(start, start + records.Count - 1),
            ["previous_page_uri"] = page > 0 ? PageUri(page - 1) : null,
            ["incoming_phone_numbers"] = new JsonArray(records.Select(n => (JsonNode)NumberJson(n)).ToArray()),
            ["uri"] = PageUri(page),
            ["page_size"] = pageSize,
            ["start"] = start,
            ["next_page_uri"] = start + pageSize < matches.Count ? PageUri(page + 1) : null,
            ["page"] = page,
        });
    }

    private async Task UpdateNumberAsync(HttpContext http, string accountSid, string numberSid)
    {
        if (await RecordAndScriptAsync(http) is not { } user || !await AuthorizedAsync(http, user, accountSid))
        {
            return;
        }

        if (!numbers.TryGetValue(numberSid, out var number) || number.AccountSid != accountSid)
        {
            await WriteNotFoundAsync(http);
            return;
        }

        var form = (await http.Request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString());
        foreach (var field in new[] { "VoiceUrl", "StatusCallback" })
        {
            if (form.TryGetValue(field, out var url) && url.Length > 0
                && !(Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"))
            {
                await WriteErrorAsync(http, 400, 21502, $"{field} is not valid: {url}");
                return;
            }
        }

        number = number with
        {
            VoiceUrl = form.TryGetValue("VoiceUrl", out var voiceUrl) ? NullIfEmpty(voiceUrl) : number.VoiceUrl,
            VoiceMethod = form.GetValueOrDefault("VoiceMethod") ?? number.VoiceMethod,
            StatusCallback = form.TryGetValue("StatusCallback", out var statusCallback) ? NullIfEmpty(statusCallback) : number.StatusCallback,
            StatusCallbackMethod = form.GetValueOrDefault("StatusCallbackMethod") ?? number.StatusCallbackMethod,
            VoiceApplicationSid = form.TryGetValue("VoiceApplicationSid", out var application) ? NullIfEmpty(application) : number.VoiceApplicationSid,
        };
        numbers[numberSid] = number;
        numberUpdates.Enqueue(new NumberUpdate(accountSid, numberSid, form));
        await WriteJsonAsync(http, 200, NumberJson(number));
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    /// <summary>The IncomingPhoneNumber resource; unset URLs are empty strings, as Twilio sends them.</summary>
    private static JsonObject NumberJson(IncomingNumber number) => new()
    {
        ["account_sid"] = number.AccountSid,
        ["address_requirements"] = "none",
        ["address_sid"] = null,
        ["api_version"] = "2010-04-01",
        ["beta"] = false,
        ["capabilities"] = new JsonObject { ["voice"] = true, ["sms"] = true, ["mms"] = true, ["fax"] = false },
        ["date_created"] = "Thu, 20 Nov 2025 10:00:00 +0000",
        ["date_updated"] = "Thu, 20 Nov 2025 10:00:00 +0000",
        ["emergency_status"] = "Inactive",
        ["emergency_address_sid"] = null,
        ["emergency_address_status"] = "unregistered",
        ["friendly_name"] = number.PhoneNumber,
        ["identity_sid"] = null,
        ["origin"] = "twilio",
        ["phone_number"] = number.PhoneNumber,
        ["sid"] = number.Sid,
        ["sms_application_sid"] = "",
        ["sms_fallback_method"] = "POST",
        ["sms_fallback_url"] = "",
        ["sms_method"] = "POST",
        ["sms_url"] = "",
        ["status_callback"] = number.StatusCallback ?? "",
        ["status_callback_method"] = number.StatusCallbackMethod,
        ["trunk_sid"] = null,
        ["uri"] = $"/2010-04-01/Accounts/{number.AccountSid}/IncomingPhoneNumbers/{number.Sid}.json",
        ["voice_receive_mode"] = "voice",
        ["voice_application_sid"] = number.VoiceApplicationSid ?? "",
        ["voice_caller_id_lookup"] = false,
        ["voice_fallback_method"] = "POST",
        ["voice_fallback_url"] = "",
        ["voice_method"] = number.VoiceMethod,
        ["voice_url"] = number.VoiceUrl ?? "",
        ["bundle_sid"] = null,
        ["status"] = "in-use",
        ["subresource_uris"] = new JsonObject
        {
            ["assigned_add_ons"] = $"/2010-04-01/Accounts/{number.AccountSid}/IncomingPhoneNumbers/{number.Sid}/AssignedAddOns.json",
        },
    };

    private async Task FallbackAsync(HttpContext http)
    {
        if (await RecordAndScriptAsync(http) is not null)
        {
            await WriteNotFoundAsync(http);
        }
    }

    /// <summary>Records the request and plays the next scripted failure; returns the Basic user when handling continues.</summary>
    private async Task<string?> RecordAndScriptAsync(HttpContext http)
    {
        var form = http.Request.HasFormContentType
            ? (await http.Request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString())
            : new Dictionary<string, string>();
        var (user, _) = Basic(http);
        requests.Enqueue(new RecordedRequest(http.Request.Method, http.Request.Path.ToString(), user, http.Request.ContentType, form,
            http.Request.QueryString.ToString()));

        if (script.TryPeek(out var next) && (next.Method is null || next.Method == http.Request.Method) && script.TryDequeue(out var failure))
        {
            if (failure.RetryAfterSeconds is { } retryAfter)
            {
                http.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            if (failure.Html)
            {
                http.Response.StatusCode = failure.Status;
                http.Response.ContentType = "text/html";
                await http.Response.WriteAsync("<html><body><h1>502 Bad Gateway</h1></body></html>");
            }
            else
            {
                await WriteErrorAsync(http, failure.Status, failure.Code, failure.Message);
            }

            return null;
        }

        return user ?? "";
    }

    private async Task<bool> AuthorizedAsync(HttpContext http, string user, string accountSid)
    {
        var (_, password) = Basic(http);
        if (!tokens.TryGetValue(user, out var token) || token != password)
        {
            await WriteErrorAsync(http, 401, 20003, "Authenticate");
            return false;
        }

        if (user != accountSid)
        {
            await WriteNotFoundAsync(http);
            return false;
        }

        return true;
    }

    private static (string? User, string? Password) Basic(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return (null, null);
        }

        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..]));
        var colon = decoded.IndexOf(':');
        return colon < 0 ? (decoded, null) : (decoded[..colon], decoded[(colon + 1)..]);
    }

    private static Task WriteNotFoundAsync(HttpContext http) =>
        WriteErrorAsync(http, 404, 20404, $"The requested resource {http.Request.Path} was not found");

    private static Task WriteErrorAsync(HttpContext http, int status, int code, string message) =>
        WriteJsonAsync(http, status, new JsonObject
        {
            ["code"] = code,
            ["message"] = message,
            ["more_info"] = $"https://www.twilio.com/docs/errors/{code}",
            ["status"] = status,
        });

    private static async Task WriteJsonAsync(HttpContext http, int status, JsonObject json)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.WriteAsync(json.ToJsonString());
    }
}
