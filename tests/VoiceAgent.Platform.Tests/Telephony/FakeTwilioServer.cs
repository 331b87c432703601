using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Platform.Tests.Telephony;

/// <summary>
/// Twilio's REST API on 127.0.0.1 (random port) after API-CONTRACTS.md §1.5: HTTP Basic with account SID and auth
/// token, form bodies, JSON answers and Twilio's error JSON. Failures can be scripted ahead of the real handling.
/// </summary>
public sealed class FakeTwilioServer : IAsyncDisposable
{
    public sealed record RecordedRequest(string Method, string Path, string? BasicUser, string? ContentType, IReadOnlyDictionary<string, string> Form);

    /// <summary>A scripted answer: a status with Twilio's error JSON, or with a non-JSON body when <see cref="Html"/> is set.</summary>
    public sealed record Failure(int Status, int Code, string Message, bool Html = false, int? RetryAfterSeconds = null);

    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, string> tokens = new();
    private readonly ConcurrentDictionary<string, string> callStatus = new();
    private readonly ConcurrentDictionary<string, string> callRedirects = new();
    private readonly ConcurrentQueue<Failure> script = new();
    private readonly ConcurrentQueue<RecordedRequest> requests = new();

    private FakeTwilioServer(WebApplication app) => this.app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => requests.ToArray();

    public static async Task<FakeTwilioServer> StartAsync()
    {
        var server = new FakeTwilioServer(LoopbackHost.Create());
        server.app.MapGet("/2010-04-01/Accounts/{accountSid}.json", server.FetchAccountAsync);
        server.app.MapPost("/2010-04-01/Accounts/{accountSid}/Calls/{callSid}.json", server.UpdateCallAsync);
        server.app.MapFallback("{*path}", server.FallbackAsync); // the default fallback skips paths that look like files (".json")
        server.BaseUrl = new Uri(await LoopbackHost.StartAsync(server.app));
        return server;
    }

    public void AddAccount(string accountSid, string authToken) => tokens[accountSid] = authToken;

    public void AddCall(string callSid, string status = "in-progress") => callStatus[callSid] = status;

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
        requests.Enqueue(new RecordedRequest(http.Request.Method, http.Request.Path.ToString(), user, http.Request.ContentType, form));

        if (script.TryDequeue(out var failure))
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
