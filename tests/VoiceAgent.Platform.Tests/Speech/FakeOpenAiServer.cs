using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VoiceAgent.Platform.Tests.Speech;

/// <summary>The OpenAI chat-completions API on 127.0.0.1 (random port), after API-CONTRACTS.md §7: it records every
/// request and answers with the scripted replies in order.</summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    public sealed record RecordedRequest(string Method, string Path, string? Authorization, JsonNode? Body);

    private readonly WebApplication app;
    private readonly ConcurrentQueue<FakeChatReply> script = new();
    private readonly ConcurrentQueue<RecordedRequest> requests = new();

    private FakeOpenAiServer(WebApplication app) => this.app = app;

    /// <summary>Ends with "/v1" like the real base URL; the SDK appends "chat/completions".</summary>
    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => requests.ToArray();

    public static async Task<FakeOpenAiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var server = new FakeOpenAiServer(builder.Build());
        server.app.MapPost("/v1/chat/completions", server.ChatCompletionsAsync);
        server.app.MapFallback(server.NotFoundAsync);
        await server.app.StartAsync();
        var address = server.app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        server.Endpoint = new Uri(address.TrimEnd('/') + "/v1");
        return server;
    }

    public void Enqueue(params FakeChatReply[] replies)
    {
        foreach (var reply in replies)
        {
            script.Enqueue(reply);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(stop.Token);
        await app.DisposeAsync();
    }

    private async Task NotFoundAsync(HttpContext http)
    {
        requests.Enqueue(new RecordedRequest(http.Request.Method, http.Request.Path, http.Request.Headers.Authorization, null));
        await WriteErrorAsync(http, 404, $"Invalid URL ({http.Request.Method} {http.Request.Path})", "invalid_request_error", null);
    }

    private async Task ChatCompletionsAsync(HttpContext http)
    {
        var body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        var authorization = (string?)http.Request.Headers.Authorization;
        requests.Enqueue(new RecordedRequest(http.Request.Method, http.Request.Path, authorization, body));

        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            await WriteErrorAsync(http, 401, "You didn't provide an API key.", "invalid_request_error", null);
            return;
        }

        if (body?["model"] is null || body["messages"] is not JsonArray)
        {
            await WriteErrorAsync(http, 400, "'model' and 'messages' are required properties.", "invalid_request_error", null);
            return;
        }

        var reply = script.TryDequeue(out var next) ? next : new FakeChatReply.Error(500);
        switch (reply)
        {
            case FakeChatReply.Completion completion:
                await WriteJsonAsync(http, 200, CompletionJson(completion, (string)body["model"]!));
                break;
            case FakeChatReply.RateLimited limited:
                http.Response.Headers["retry-after-ms"] = ((int)limited.RetryAfter.TotalMilliseconds).ToString();
                http.Response.Headers.RetryAfter = ((int)Math.Ceiling(limited.RetryAfter.TotalSeconds)).ToString();
                await WriteErrorAsync(http, 429, "Rate limit reached for gpt-4o-mini on requests per min (RPM).", "requests", "rate_limit_exceeded");
                break;
            case FakeChatReply.Error error:
                await WriteErrorAsync(http, error.Status, "The server had an error while processing your request.", "server_error", null);
                break;
            case FakeChatReply.Hang hang:
                try
                {
                    await Task.Delay(hang.Delay, http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return; // the client gave up, as it should
                }

                await WriteJsonAsync(http, 200, CompletionJson(new FakeChatReply.Completion("Zu spät.", null), "late"));
                break;
            case FakeChatReply.Garbage garbage:
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(garbage.Body, http.RequestAborted);
                break;
        }
    }

    private static JsonObject CompletionJson(FakeChatReply.Completion completion, string model)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = completion.Text, ["refusal"] = null };
        if (completion.Intent is not null)
        {
            message["tool_calls"] = new JsonArray(new JsonObject
            {
                ["id"] = "call_" + Guid.NewGuid().ToString("N")[..24],
                ["type"] = "function",
                ["function"] = new JsonObject
                {
                    ["name"] = completion.ToolName,
                    ["arguments"] = new JsonObject { ["intent"] = completion.Intent }.ToJsonString(),
                },
            });
        }

        return new JsonObject
        {
            ["id"] = "chatcmpl-" + Guid.NewGuid().ToString("N"),
            ["object"] = "chat.completion",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = message,
                ["logprobs"] = null,
                ["finish_reason"] = completion.Intent is null ? "stop" : "tool_calls",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 120, ["completion_tokens"] = 18, ["total_tokens"] = 138 },
        };
    }

    private static async Task WriteErrorAsync(HttpContext http, int status, string message, string type, string? code)
    {
        var error = new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = code } };
        await WriteJsonAsync(http, status, error);
    }

    private static async Task WriteJsonAsync(HttpContext http, int status, JsonObject json)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(json.ToJsonString(), http.RequestAborted);
    }
}
