using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
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

/// <summary>The OpenAI API on 127.0.0.1 (random port), after API-CONTRACTS.md §7: chat completions, transcriptions and
/// speech. It records every request and answers each endpoint from its own script, in order. Unscripted chat and
/// transcription requests get a 500 (unless <see cref="TranscribeWith"/> answers); unscripted speech gets a tone.</summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    /// <summary>The "pcm" speech format: 24 kHz, 16-bit signed little-endian, mono.</summary>
    public const int SpeechSampleRate = 24_000;

    /// <summary>50 ms of tone per input character, so the audio length tells which text was spoken.</summary>
    public const int SpeechSamplesPerCharacter = 1_200;

    private static readonly string[] TranscriptionModels = ["whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe"];
    private static readonly string[] SpeechModels = ["tts-1", "tts-1-hd", "gpt-4o-mini-tts"];
    private static readonly string[] Voices = ["alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer", "verse"];
    private static readonly string[] AudioFileExtensions = [".flac", ".mp3", ".mp4", ".mpeg", ".mpga", ".m4a", ".ogg", ".wav", ".webm"];

    /// <summary>Form fields and file bytes are kept for multipart requests; <paramref name="Body"/> for JSON ones.</summary>
    public sealed record RecordedRequest(
        string Method, string Path, string? Authorization, JsonNode? Body,
        IReadOnlyDictionary<string, string>? Form = null, byte[]? File = null);

    private readonly WebApplication app;
    private readonly ConcurrentQueue<FakeChatReply> script = new();
    private readonly ConcurrentQueue<FakeTranscriptionReply> transcriptionScript = new();
    private readonly ConcurrentQueue<FakeSpeechReply> speechScript = new();
    private readonly ConcurrentQueue<RecordedRequest> requests = new();
    private readonly ConcurrentQueue<FakeTranscriptionRequest> transcriptions = new();
    private readonly ConcurrentQueue<FakeSpeechRequest> speechRequests = new();
    private volatile Func<FakeTranscriptionRequest, FakeTranscriptionReply>? transcriber;
    private volatile Func<JsonNode, FakeChatReply>? chatter;
    private readonly SemaphoreSlim hangs = new(0);

    private FakeOpenAiServer(WebApplication app)
    {
        this.app = app;
        // An unscripted commit is transcribed as an upload of its audio would be (TranscribeWith), so a benchmark that
        // answers every upload the same way gets the same words from the stream.
        Transcription = new FakeOpenAiTranscription(() => Latency, mulaw =>
            transcriber?.Invoke(new FakeTranscriptionRequest(null, null, "de", null, null, mulaw, new FakeWavFormat(7, 1, 8000, 8, mulaw.Length)))
                is FakeTranscriptionReply.Transcript heard ? new FakeCommitReply.Transcript(heard.Text) : null);
    }

    /// <summary>Ends with "/v1" like the real base URL; the SDK appends "chat/completions", "audio/speech" and so on.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The Realtime WebSocket at /v1/realtime (speech to speech), with its own script.</summary>
    public FakeOpenAiRealtime Realtime { get; } = new();

    /// <summary>The Realtime transcription sessions at /v1/realtime?intent=transcription (streaming recognition), with their own script.</summary>
    public FakeOpenAiTranscription Transcription { get; }

    /// <summary>Every request to every path, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => requests.ToArray();

    public IReadOnlyList<FakeTranscriptionRequest> Transcriptions => transcriptions.ToArray();

    public IReadOnlyList<FakeSpeechRequest> SpeechRequests => speechRequests.ToArray();

    /// <summary>Completes when the next scripted Hang has begun: the client's request is in flight, its budget running.</summary>
    public Task HangingAsync(CancellationToken ct = default) => hangs.WaitAsync(ct);

    /// <param name="port">0: a free port; else this one (e.g. the drills' fake, which the cluster's instances were started with).</param>
    public static async Task<FakeOpenAiServer> StartAsync(int port = 0)
    {
        var server = new FakeOpenAiServer(LoopbackHost.Create(port));
        server.app.MapPost("/v1/chat/completions", server.ChatCompletionsAsync);
        server.app.MapPost("/v1/audio/transcriptions", server.TranscriptionsAsync);
        server.app.MapPost("/v1/audio/speech", server.SpeechAsync);
        server.app.MapGet("/v1/models/{model}", server.ModelAsync);
        server.app.UseWebSockets();
        server.app.Map("/v1/realtime", http => http.Request.Query["intent"] == "transcription"
            ? server.Transcription.AcceptAsync(http, server.RequiredKey)
            : server.Realtime.AcceptAsync(http, server.RequiredKey));
        server.app.MapFallback(server.NotFoundAsync);
        server.Endpoint = new Uri(await LoopbackHost.StartAsync(server.app) + "/v1");
        return server;
    }

    /// <summary>Scripts the chat-completions answers.</summary>
    public void Enqueue(params FakeChatReply[] replies)
    {
        foreach (var reply in replies)
        {
            script.Enqueue(reply);
        }
    }

    /// <summary>Answers the chat requests the script does not cover (benchmarks: every turn the same way).</summary>
    public void ChatWith(Func<JsonNode, FakeChatReply> reply) => chatter = reply;

    public void EnqueueTranscription(params FakeTranscriptionReply[] replies)
    {
        foreach (var reply in replies)
        {
            transcriptionScript.Enqueue(reply);
        }
    }

    public void EnqueueTranscripts(params string[] texts) =>
        EnqueueTranscription([.. texts.Select(t => new FakeTranscriptionReply.Transcript(t))]);

    /// <summary>Answers the transcription requests the script does not cover (it is used up or was never filled), e.g. by
    /// the length of the uploaded audio.</summary>
    public void TranscribeWith(Func<FakeTranscriptionRequest, FakeTranscriptionReply> reply) => transcriber = reply;

    public void EnqueueSpeech(params FakeSpeechReply[] replies)
    {
        foreach (var reply in replies)
        {
            speechScript.Enqueue(reply);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(stop.Token);
        await app.DisposeAsync();
    }

    /// <summary>How long answers take (benchmarks); none by default.</summary>
    public FakeLatencyProfile Latency { get; set; } = FakeLatencyProfile.None;

    private static Task DelayAsync(HttpContext http, TimeSpan delay) =>
        delay > TimeSpan.Zero ? Task.Delay(delay, http.RequestAborted) : Task.CompletedTask;

    /// <summary>When set, only this key is accepted (401 invalid_api_key otherwise); by default any bearer key is.</summary>
    public string? RequiredKey { get; set; }

    /// <summary>The models GET /v1/models/{model} knows (others: 404 model_not_found).</summary>
    public ISet<string> Models { get; } = new HashSet<string>(["gpt-4o-mini", "gpt-4o", .. TranscriptionModels, .. SpeechModels], StringComparer.Ordinal);

    private async Task ModelAsync(HttpContext http, string model)
    {
        var authorization = (string?)http.Request.Headers.Authorization;
        requests.Enqueue(new RecordedRequest(http.Request.Method, http.Request.Path, authorization, null));
        if (!await AuthorizedAsync(http, authorization))
        {
            return;
        }

        if (!Models.Contains(model))
        {
            await WriteErrorAsync(http, 404, $"The model '{model}' does not exist or you do not have access to it.", "invalid_request_error", "model_not_found");
            return;
        }

        await WriteJsonAsync(http, 200, new JsonObject { ["id"] = model, ["object"] = "model", ["created"] = 1_715_367_049, ["owned_by"] = "system" });
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

        if (!await AuthorizedAsync(http, authorization))
        {
            return;
        }

        if (body?["model"] is null || body["messages"] is not JsonArray)
        {
            await WriteErrorAsync(http, 400, "'model' and 'messages' are required properties.", "invalid_request_error", null);
            return;
        }

        var reply = script.TryDequeue(out var next) ? next : chatter?.Invoke(body) ?? new FakeChatReply.Error(500);
        var streaming = body["stream"] is JsonValue stream && stream.TryGetValue<bool>(out var wanted) && wanted;
        if (streaming && reply is FakeChatReply.Completion whole)
        {
            reply = new FakeChatReply.Streamed(Words(whole.Text), whole.Intent);
        }

        switch (reply)
        {
            case FakeChatReply.Streamed streamed:
                await WriteStreamAsync(http, streamed, (string)body["model"]!, Latency);
                break;
            case FakeChatReply.Completion completion:
                // Not streamed: the whole answer once the last token is written.
                await DelayAsync(http, TimeSpan.FromMilliseconds(Latency.ModelFirstTokenMs) + Latency.TokenTime(Words(completion.Text).Count + (completion.Intent is null ? 0 : 8)));
                await WriteJsonAsync(http, 200, CompletionJson(completion, (string)body["model"]!));
                break;
            case FakeChatReply.RateLimited limited:
                await WriteRateLimitedAsync(http, limited.RetryAfter, (string?)body["model"]);
                break;
            case FakeChatReply.Error error:
                await WriteServerErrorAsync(http, error.Status);
                break;
            case FakeChatReply.Hang hang:
                if (await HangAsync(http, hang.Delay))
                {
                    await WriteJsonAsync(http, 200, CompletionJson(new FakeChatReply.Completion("Zu spät.", null), "late"));
                }

                break;
            case FakeChatReply.Garbage garbage:
                await WriteRawAsync(http, garbage.Body, "application/json");
                break;
        }
    }

    private async Task TranscriptionsAsync(HttpContext http)
    {
        var authorization = (string?)http.Request.Headers.Authorization;
        if (!http.Request.HasFormContentType)
        {
            requests.Enqueue(new RecordedRequest(http.Request.Method, http.Request.Path, authorization, null));
            await WriteErrorAsync(http, 400, "The request must be multipart/form-data.", "invalid_request_error", null);
            return;
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var fields = form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        var upload = form.Files.GetFile("file");
        var file = Array.Empty<byte>();
        if (upload is not null)
        {
            using var copy = new MemoryStream();
            await upload.CopyToAsync(copy, http.RequestAborted);
            file = copy.ToArray();
        }

        var request = new FakeTranscriptionRequest(authorization, fields.GetValueOrDefault("model"), fields.GetValueOrDefault("language"),
            fields.GetValueOrDefault("response_format"), upload?.FileName, file, FakeWavFormat.Parse(file));
        requests.Enqueue(new RecordedRequest(http.Request.Method, http.Request.Path, authorization, null, fields, file));
        transcriptions.Enqueue(request);

        if (!await AuthorizedAsync(http, authorization))
        {
            return;
        }

        if (upload is null || request.Model is null)
        {
            await WriteErrorAsync(http, 400, "'file' and 'model' are required.", "invalid_request_error", null);
            return;
        }

        if (!TranscriptionModels.Contains(request.Model))
        {
            await WriteErrorAsync(http, 400, $"The model '{request.Model}' does not exist or you do not have access to it.", "invalid_request_error", "model_not_found");
            return;
        }

        var extension = Path.GetExtension(request.FileName ?? "").ToLowerInvariant();
        var badWav = extension == ".wav" && (request.Wav is null || request.Wav.FormatTag != 1 || request.Wav.DataBytes == 0);
        if (!AudioFileExtensions.Contains(extension) || badWav)
        {
            await WriteErrorAsync(http, 400,
                "Invalid file format. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']",
                "invalid_request_error", null);
            return;
        }

        var format = request.ResponseFormat ?? "json";
        var whisper = request.Model == "whisper-1";
        if (format is not ("json" or "text") && !(whisper && format == "verbose_json"))
        {
            await WriteErrorAsync(http, 400, $"response_format '{format}' is not compatible with model '{request.Model}' (or not faked).",
                "invalid_request_error", "unsupported_value");
            return;
        }

        var reply = transcriptionScript.TryDequeue(out var next) ? next
            : transcriber?.Invoke(request) ?? new FakeTranscriptionReply.Error(500);
        await DelayAsync(http, TimeSpan.FromMilliseconds(Latency.TranscriptionMs));
        switch (reply)
        {
            case FakeTranscriptionReply.Transcript transcript:
                await WriteTranscriptAsync(http, transcript.Text, format, request);
                break;
            case FakeTranscriptionReply.RateLimited limited:
                await WriteRateLimitedAsync(http, limited.RetryAfter, request.Model);
                break;
            case FakeTranscriptionReply.Error error:
                await WriteServerErrorAsync(http, error.Status);
                break;
            case FakeTranscriptionReply.Hang hang:
                if (await HangAsync(http, hang.Delay))
                {
                    await WriteTranscriptAsync(http, "Zu spät.", format, request);
                }

                break;
            case FakeTranscriptionReply.Garbage garbage:
                await WriteRawAsync(http, garbage.Body, "application/json");
                break;
        }
    }

    private static async Task WriteTranscriptAsync(HttpContext http, string text, string format, FakeTranscriptionRequest request)
    {
        switch (format)
        {
            case "text":
                await WriteRawAsync(http, text + "\n", "text/plain; charset=utf-8");
                break;
            case "verbose_json":
                await WriteJsonAsync(http, 200, new JsonObject
                {
                    ["task"] = "transcribe",
                    ["language"] = "german",
                    ["duration"] = request.Wav?.Duration.TotalSeconds ?? 0,
                    ["text"] = text,
                    ["segments"] = new JsonArray(),
                });
                break;
            default:
                var json = new JsonObject { ["text"] = text };
                if (request.Model != "whisper-1")
                {
                    json["usage"] = new JsonObject { ["type"] = "tokens", ["input_tokens"] = 40, ["output_tokens"] = 12, ["total_tokens"] = 52 };
                }

                await WriteJsonAsync(http, 200, json);
                break;
        }
    }

    private async Task SpeechAsync(HttpContext http)
    {
        var authorization = (string?)http.Request.Headers.Authorization;
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        }
        catch (JsonException)
        {
            body = null;
        }

        requests.Enqueue(new RecordedRequest(http.Request.Method, http.Request.Path, authorization, body));
        var request = new FakeSpeechRequest(authorization, Text(body?["model"]), Text(body?["input"]), Text(body?["voice"]), Text(body?["response_format"]));
        speechRequests.Enqueue(request);

        if (!await AuthorizedAsync(http, authorization))
        {
            return;
        }

        if (request.Model is null || string.IsNullOrEmpty(request.Input) || request.Voice is null)
        {
            await WriteErrorAsync(http, 400, "'model', 'input' and 'voice' are required properties.", "invalid_request_error", null);
            return;
        }

        if (!SpeechModels.Contains(request.Model))
        {
            await WriteErrorAsync(http, 400, $"The model '{request.Model}' does not exist or you do not have access to it.", "invalid_request_error", "model_not_found");
            return;
        }

        if (request.Input.Length > 4096)
        {
            await WriteErrorAsync(http, 400, "'input' is too long: the maximum is 4096 characters.", "invalid_request_error", "string_above_max_length");
            return;
        }

        if (!Voices.Contains(request.Voice))
        {
            await WriteErrorAsync(http, 400, $"Invalid value for 'voice': '{request.Voice}'.", "invalid_request_error", "invalid_value");
            return;
        }

        if (request.ResponseFormat != "pcm")
        {
            // mp3 is the real default; the fake only produces what our clients ask for.
            await WriteErrorAsync(http, 400, $"The fake produces only response_format 'pcm', not '{request.ResponseFormat ?? "mp3"}'.",
                "invalid_request_error", "unsupported_value");
            return;
        }

        var reply = speechScript.TryDequeue(out var next) ? next : new FakeSpeechReply.Tone();
        switch (reply)
        {
            case FakeSpeechReply.Tone:
                await WritePcmAsync(http, Tone(request.Input.Length * SpeechSamplesPerCharacter));
                break;
            case FakeSpeechReply.Audio audio:
                await WritePcmAsync(http, audio.Body);
                break;
            case FakeSpeechReply.RateLimited limited:
                await WriteRateLimitedAsync(http, limited.RetryAfter, request.Model);
                break;
            case FakeSpeechReply.Error error:
                await WriteServerErrorAsync(http, error.Status);
                break;
            case FakeSpeechReply.Hang hang:
                if (await HangAsync(http, hang.Delay))
                {
                    await WritePcmAsync(http, Tone(request.Input.Length * SpeechSamplesPerCharacter));
                }

                break;
            case FakeSpeechReply.Garbage garbage:
                await WriteRawAsync(http, garbage.Body, garbage.ContentType);
                break;
        }
    }

    private static byte[] Tone(int samples)
    {
        var pcm = new byte[samples * 2];
        for (var i = 0; i < samples; i++)
        {
            var value = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / SpeechSampleRate));
            BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(2 * i), value);
        }

        return pcm;
    }

    /// <summary>In 100 ms pieces without a Content-Length, i.e. chunked, as the real API streams audio.</summary>
    private async Task WritePcmAsync(HttpContext http, byte[] pcm)
    {
        http.Response.StatusCode = 200;
        http.Response.ContentType = "audio/pcm";
        const int chunk = SpeechSampleRate / 10 * 2;
        await DelayAsync(http, TimeSpan.FromMilliseconds(Latency.SpeechFirstByteMs));
        for (var offset = 0; offset < pcm.Length; offset += chunk)
        {
            if (offset > 0 && Latency.SpeechRealTimeFactor > 0)
            {
                await DelayAsync(http, TimeSpan.FromMilliseconds(100 * Latency.SpeechRealTimeFactor)); // 100 ms of audio per chunk
            }

            await http.Response.Body.WriteAsync(pcm.AsMemory(offset, Math.Min(chunk, pcm.Length - offset)), http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private async Task<bool> AuthorizedAsync(HttpContext http, string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            await WriteErrorAsync(http, 401, "You didn't provide an API key.", "invalid_request_error", null);
            return false;
        }

        if (RequiredKey is { } key && authorization != "Bearer " + key)
        {
            await WriteErrorAsync(http, 401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
            return false;
        }

        return true;
    }

    /// <param name="delay"><see cref="Timeout.InfiniteTimeSpan"/>: until the client gives up.</param>
    /// <returns>False when the client gave up first, as it should.</returns>
    private async Task<bool> HangAsync(HttpContext http, TimeSpan delay)
    {
        hangs.Release();
        try
        {
            await Task.Delay(delay, http.RequestAborted);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task WriteRateLimitedAsync(HttpContext http, TimeSpan retryAfter, string? model)
    {
        http.Response.Headers["retry-after-ms"] = ((int)retryAfter.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await WriteErrorAsync(http, 429, $"Rate limit reached for {model} on requests per min (RPM).", "requests", "rate_limit_exceeded");
    }

    private static Task WriteServerErrorAsync(HttpContext http, int status) =>
        WriteErrorAsync(http, status, "The server had an error while processing your request.", "server_error", null);

    /// <summary>Words with the space before them, as models stream tokens.</summary>
    private static List<string> Words(string? text) =>
        text is null ? [] : [.. System.Text.RegularExpressions.Regex.Matches(text, @"\s*\S+").Select(m => m.Value)];

    /// <summary>Server-sent chat.completion.chunk events as the API streams them (see API-CONTRACTS §7).</summary>
    private static async Task WriteStreamAsync(HttpContext http, FakeChatReply.Streamed reply, string model, FakeLatencyProfile latency)
    {
        await DelayAsync(http, TimeSpan.FromMilliseconds(latency.ModelFirstTokenMs));
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N")[..24];
        http.Response.StatusCode = 200;
        http.Response.ContentType = "text/event-stream";
        async Task SendAsync(JsonObject delta, string? finish = null)
        {
            var chunk = new JsonObject
            {
                ["id"] = id, ["object"] = "chat.completion.chunk", ["created"] = 1_715_367_049, ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
            };
            await http.Response.WriteAsync("data: " + chunk.ToJsonString() + "\n\n", http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
        }

        await SendAsync(new JsonObject { ["role"] = "assistant", ["content"] = "" });
        for (var i = 0; i < reply.Pieces.Count; i++)
        {
            if (i == reply.HoldAfter && reply.Hold is { } hold)
            {
                try
                {
                    await hold.WaitAsync(http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return; // broken off (or the client gave up): no [DONE]
                }
            }

            if (i > 0)
            {
                await DelayAsync(http, latency.TokenTime(1));
            }

            await SendAsync(new JsonObject { ["content"] = reply.Pieces[i] });
        }

        if (reply.Intent is not null)
        {
            await DelayAsync(http, latency.TokenTime(8)); // the tool call's tokens
            var arguments = new JsonObject { ["intent"] = reply.Intent }.ToJsonString();
            var half = arguments.Length / 2;
            await SendAsync(new JsonObject
            {
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0, ["id"] = "call_" + Guid.NewGuid().ToString("N")[..24], ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = "set_intent", ["arguments"] = arguments[..half] },
                }),
            });
            await SendAsync(new JsonObject
            {
                ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = 0, ["function"] = new JsonObject { ["arguments"] = arguments[half..] } }),
            });
        }

        await SendAsync(new JsonObject(), reply.Intent is null ? "stop" : "tool_calls");
        await http.Response.WriteAsync("data: [DONE]\n\n", http.RequestAborted);
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

    private static async Task WriteRawAsync(HttpContext http, string body, string contentType)
    {
        http.Response.ContentType = contentType;
        await http.Response.WriteAsync(body, http.RequestAborted);
    }
}
