using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace VoiceAgent.Testing.Fakes;

/// <summary>A scripted answer of the fake speech model: its audio (μ-law, streamed in deltas of <see cref="FakeOpenAiRealtime.DeltaBytes"/>),
/// its transcript, or a function call instead. With <paramref name="HoldAfterDeltas"/> the response stops streaming after
/// that many deltas and stays active until the client cancels it (a caller about to barge in).</summary>
public sealed record FakeRealtimeResponse(byte[] Audio, string Transcript, FakeRealtimeFunctionCall? FunctionCall = null, int? HoldAfterDeltas = null)
{
    public static FakeRealtimeResponse Call(string name, string arguments) => new([], "", new FakeRealtimeFunctionCall(name, arguments));
}

public sealed record FakeRealtimeFunctionCall(string Name, string Arguments);

/// <summary>
/// The OpenAI Realtime WebSocket (GA interface, API-CONTRACTS.md §7) on the fake's own Kestrel: <c>GET /v1/realtime?model=…</c>
/// upgrades only with a bearer key (401 otherwise, or the key <see cref="FakeOpenAiServer.RequiredKey"/> names) and answers
/// <see cref="RejectStatus"/> (e.g. 429) when set. It sends <c>session.created</c>, checks <c>session.update</c> (a GA
/// <c>session.type = "realtime"</c> with <c>audio/pcmu</c> in and out; the beta's flat fields earn an <c>error</c> event, as GA
/// answers them), records every client event and the appended audio, and answers <c>response.create</c> from its script.
/// Server VAD is the test's trigger: <see cref="CallerTurnAsync"/> (after audio was appended) emits speech started/stopped,
/// the committed buffer, the transcription, and the next response; <see cref="SpeechStartedAsync"/> only the start (barge-in).
/// A cancelled response sends one more delta that was already in flight — a client must not play it — then
/// <c>response.done</c> with status "cancelled".
/// </summary>
public sealed class FakeOpenAiRealtime
{
    /// <summary>Audio deltas carry this many μ-law bytes: not a multiple of Twilio's 160-byte frame, on purpose.</summary>
    public const int DeltaBytes = 500;

    private static readonly string[] FlatBetaFields = ["input_audio_format", "output_audio_format", "voice", "turn_detection", "input_audio_transcription"];

    private readonly ConcurrentQueue<Func<FakeRealtimeResponse>> script = new();
    private readonly ConcurrentQueue<string> outputs = new();
    private readonly ConcurrentQueue<JsonObject> received = new();
    private readonly ConcurrentQueue<string> appended = new();
    private readonly ConcurrentQueue<string> connections = new();
    private readonly Channel<JsonObject> events = Channel.CreateUnbounded<JsonObject>();
    private readonly ConcurrentQueue<string> heardTurns = new();
    private Connection? current;
    private readonly TaskCompletionSource firstConnection = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int ids;
    private int rejected;
    private string? everyTurn;

    /// <summary>When set, every <c>session.update</c> is answered with an <c>error</c> of this code (a model that does not
    /// take the configuration).</summary>
    public string? RefuseSessionWith { get; set; }

    /// <summary>When set, every connection attempt is refused with this status (429: rate limited).</summary>
    public int? RejectStatus { get; set; }

    /// <summary>Provider latency: a response's first audio delta (or function call) follows <c>response.created</c> after
    /// <see cref="FakeLatencyProfile.RealtimeFirstAudioMs"/>.</summary>
    public FakeLatencyProfile Latency { get; set; } = FakeLatencyProfile.None;

    /// <summary>The clock of <see cref="Latency"/>'s waits.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>What a response says when the script is empty (by default two frames of tone and "Wie bitte?").</summary>
    public FakeRealtimeResponse? DefaultResponse { get; set; }

    /// <summary>Connection attempts refused (bad key, <see cref="RejectStatus"/>).</summary>
    public int Rejected => Volatile.Read(ref rejected);

    /// <summary>The model query of every accepted connection.</summary>
    public IReadOnlyList<string> Connections => connections.ToArray();

    /// <summary>Every client event, in arrival order.</summary>
    public IReadOnlyList<JsonObject> Received => received.ToArray();

    /// <summary>The base64 strings of <c>input_audio_buffer.append</c>, as sent.</summary>
    public IReadOnlyList<string> AppendedBase64 => appended.ToArray();

    public byte[] AppendedAudio => [.. appended.SelectMany(Convert.FromBase64String)];

    /// <summary>The last valid <c>session.update</c>'s session.</summary>
    public JsonObject? Session { get; private set; }

    public void Enqueue(params FakeRealtimeResponse[] responses)
    {
        foreach (var response in responses)
        {
            script.Enqueue(() => response);
        }
    }

    /// <summary>A response made when it is due, e.g. from an earlier function output (<see cref="FunctionOutputs"/>).</summary>
    public void Enqueue(Func<FakeRealtimeResponse> later) => script.Enqueue(later);

    /// <summary>The <c>output</c> of every <c>function_call_output</c> item the client created, in order.</summary>
    public IReadOnlyList<string> FunctionOutputs => outputs.ToArray();

    /// <summary>Waits for the next client event of this type (those received before are skipped only if read already).</summary>
    public async Task<JsonObject> WaitForAsync(string type, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var message = await events.Reader.ReadAsync(cts.Token);
            if ((string?)message["type"] == type)
            {
                return message;
            }
        }
    }

    /// <summary>Server VAD heard a caller turn in the appended audio: the events a real session sends, then the next response.</summary>
    public async Task CallerTurnAsync(string transcript)
    {
        var connection = await ConnectedAsync();
        await connection.AudioAsync();
        var item = "item_" + Interlocked.Increment(ref ids);
        await connection.SendAsync(new JsonObject { ["type"] = "input_audio_buffer.speech_started", ["audio_start_ms"] = 100, ["item_id"] = item });
        await connection.SendAsync(new JsonObject { ["type"] = "input_audio_buffer.speech_stopped", ["audio_end_ms"] = 1500, ["item_id"] = item });
        await connection.SendAsync(new JsonObject { ["type"] = "input_audio_buffer.committed", ["previous_item_id"] = null, ["item_id"] = item });
        await connection.SendAsync(new JsonObject
        {
            ["type"] = "conversation.item.input_audio_transcription.completed", ["item_id"] = item, ["content_index"] = 0, ["transcript"] = transcript,
        });

        // Server VAD answers once the response before it (e.g. one being cancelled) is done, never alongside it.
        await connection.IdleAsync();
        connection.StartResponse(Next());
    }

    /// <summary>
    /// Server VAD on the appended audio itself, for clients that stream real speech (the CLI's simulator): a frame with
    /// speech starts a turn, half a second of μ-law silence after it ends it; each turn is transcribed as the next of
    /// <paramref name="transcripts"/> and answered with the next scripted response.
    /// </summary>
    public void DetectTurnsInAudio(params string[] transcripts)
    {
        foreach (var transcript in transcripts)
        {
            heardTurns.Enqueue(transcript);
        }
    }

    /// <summary>Server VAD on the appended audio of every connection, for as long as the fake runs (the B5 benchmark's many
    /// callers): each turn is transcribed as <paramref name="transcript"/> and answered with the next scripted response
    /// (<see cref="DefaultResponse"/> when the script is empty).</summary>
    public void DetectEveryTurnInAudio(string transcript) => everyTurn = transcript;

    /// <summary>The caller starts to talk (while the agent speaks: a barge-in).</summary>
    public async Task SpeechStartedAsync()
    {
        var connection = await ConnectedAsync();
        await connection.AudioAsync();
        await connection.SendAsync(new JsonObject
        {
            ["type"] = "input_audio_buffer.speech_started", ["audio_start_ms"] = 200, ["item_id"] = "item_" + Interlocked.Increment(ref ids),
        });
    }

    /// <summary>Closes the model's socket as a dropped connection would (no close frame).</summary>
    public async Task DropAsync() => (await ConnectedAsync()).Abort();

    internal async Task AcceptAsync(HttpContext http, string? requiredKey)
    {
        if (await FakeRealtimeHandshake.RefusedAsync(http, requiredKey, RejectStatus))
        {
            Interlocked.Increment(ref rejected);
            return;
        }

        if (!http.WebSockets.IsWebSocketRequest || http.Request.Query["model"] is not [{ Length: > 0 } model])
        {
            await FakeRealtimeHandshake.ErrorAsync(http, 400, "A WebSocket upgrade with ?model= is required.", "invalid_request_error", null);
            return;
        }

        connections.Enqueue(model);
        var socket = await http.WebSockets.AcceptWebSocketAsync(http.WebSockets.WebSocketRequestedProtocols.Contains("realtime") ? "realtime" : null);
        var connection = new Connection(this, socket);
        current = connection;
        firstConnection.TrySetResult();
        await connection.SendAsync(new JsonObject
        {
            ["type"] = "session.created",
            ["session"] = new JsonObject { ["type"] = "realtime", ["object"] = "realtime.session", ["id"] = "sess_1", ["model"] = model },
        });
        await connection.RunAsync();
    }

    private FakeRealtimeResponse Next() =>
        script.TryDequeue(out var response) ? response() : DefaultResponse ?? new FakeRealtimeResponse(Enumerable.Repeat((byte)0x55, 320).ToArray(), "Wie bitte?");

    private bool DetectsTurns => !heardTurns.IsEmpty || everyTurn is not null;

    private bool TryHear(out string transcript)
    {
        if (heardTurns.TryDequeue(out var next))
        {
            transcript = next;
            return true;
        }

        transcript = everyTurn ?? "";
        return everyTurn is not null;
    }

    private async Task<Connection> ConnectedAsync()
    {
        try
        {
            // The bound only keeps a broken test from hanging the run.
            await firstConnection.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException("Nobody connected to the fake Realtime API.");
        }

        return current!;
    }

    /// <summary>One session: reads client events, streams responses; sends are serialized.</summary>
    private sealed class Connection(FakeOpenAiRealtime fake, WebSocket socket)
    {
        private readonly SemaphoreSlim sending = new(1, 1);
        private readonly TaskCompletionSource audio = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource? cancel;
        private readonly Lock responses = new();
        private string? active;
        private TaskCompletionSource idle = Done();
        private bool speaking;
        private int silentBytes;

        /// <summary>μ-law bytes of silence that end a turn: the session's <c>silence_duration_ms</c> (API default 500 ms).</summary>
        private int silenceBytes = 8 * 500;

        public Task AudioAsync() => audio.Task.WaitAsync(TimeSpan.FromSeconds(20));

        /// <summary>Completes when no response is active (at once when none is); the bound only keeps a broken test from hanging.</summary>
        public Task IdleAsync()
        {
            lock (responses)
            {
                return idle.Task.WaitAsync(TimeSpan.FromSeconds(20));
            }
        }

        private static TaskCompletionSource Done()
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            done.SetResult();
            return done;
        }

        private bool TryActivate(string id)
        {
            lock (responses)
            {
                if (active is not null)
                {
                    return false;
                }

                active = id;
                idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return true;
            }
        }

        private void Deactivate(string id)
        {
            TaskCompletionSource? finished = null;
            lock (responses)
            {
                if (active == id)
                {
                    active = null;
                    finished = idle;
                }
            }

            finished?.TrySetResult();
        }

        public void Abort() => socket.Abort();

        public async Task RunAsync()
        {
            var buffer = new byte[256 * 1024];
            try
            {
                while (socket.State == WebSocketState.Open && await WebSocketText.ReceiveAsync(socket, buffer, CancellationToken.None) is { } json)
                {
                    fake.received.Enqueue(json);
                    fake.events.Writer.TryWrite(json);
                    await HandleAsync(json);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or JsonException)
            {
                // The client went away (or we dropped it on purpose).
            }
        }

        private async Task HandleAsync(JsonObject json)
        {
            switch ((string?)json["type"])
            {
                case "session.update":
                    await SessionUpdateAsync(json["session"] as JsonObject);
                    break;
                case "input_audio_buffer.append":
                    fake.appended.Enqueue((string?)json["audio"] ?? "");
                    audio.TrySetResult();
                    if (fake.DetectsTurns)
                    {
                        await DetectAsync(Convert.FromBase64String((string?)json["audio"] ?? ""));
                    }

                    break;
                case "response.create":
                    StartResponse(fake.Next());
                    break;
                case "response.cancel":
                    cancel?.TrySetResult();
                    break;
                case "conversation.item.create":
                    if ((string?)json["item"]?["type"] == "function_call_output")
                    {
                        fake.outputs.Enqueue((string?)json["item"]?["output"] ?? "");
                    }

                    await SendAsync(new JsonObject { ["type"] = "conversation.item.added", ["item"] = json["item"]?.DeepClone() });
                    break;
            }
        }

        private async Task DetectAsync(byte[] mulaw)
        {
            // μ-law stores the inverted magnitude in the low 7 bits: 0xFF and 0x7F are silence.
            var loud = mulaw.Count(b => (~b & 0x7F) >= 0x30) > mulaw.Length / 10;
            if (loud)
            {
                silentBytes = 0;
                if (!speaking)
                {
                    speaking = true;
                    await SendAsync(new JsonObject { ["type"] = "input_audio_buffer.speech_started", ["audio_start_ms"] = 0, ["item_id"] = "item_heard" });
                }

                return;
            }

            if (speaking && (silentBytes += mulaw.Length) >= silenceBytes && fake.TryHear(out var transcript))
            {
                speaking = false;
                await SendAsync(new JsonObject { ["type"] = "input_audio_buffer.speech_stopped", ["audio_end_ms"] = 0, ["item_id"] = "item_heard" });
                await SendAsync(new JsonObject { ["type"] = "input_audio_buffer.committed", ["previous_item_id"] = null, ["item_id"] = "item_heard" });
                await SendAsync(new JsonObject
                {
                    ["type"] = "conversation.item.input_audio_transcription.completed", ["item_id"] = "item_heard", ["content_index"] = 0,
                    ["transcript"] = transcript,
                });
                StartResponse(fake.Next());
            }
        }

        private async Task SessionUpdateAsync(JsonObject? session)
        {
            if (session is null)
            {
                await ErrorEventAsync("missing_required_parameter", "Missing required parameter: 'session'.", "session");
                return;
            }

            if (fake.RefuseSessionWith is { } refusal)
            {
                await ErrorEventAsync(refusal, "The session configuration was refused.", "session");
                return;
            }

            if (FlatBetaFields.FirstOrDefault(session.ContainsKey) is { } flat)
            {
                await ErrorEventAsync("unknown_parameter", $"Unknown parameter: 'session.{flat}'.", "session." + flat);
                return;
            }

            if ((string?)session["type"] != "realtime")
            {
                await ErrorEventAsync("missing_required_parameter", "Missing required parameter: 'session.type'.", "session.type");
                return;
            }

            // Not a wire rule but this fake's purpose: Twilio's μ-law must go through untouched, in and out.
            if ((string?)session["audio"]?["input"]?["format"]?["type"] != "audio/pcmu" || (string?)session["audio"]?["output"]?["format"]?["type"] != "audio/pcmu")
            {
                await ErrorEventAsync("invalid_value", "This fake expects audio/pcmu in and out.", "session.audio");
                return;
            }

            fake.Session = session;
            if ((int?)session["audio"]?["input"]?["turn_detection"]?["silence_duration_ms"] is { } silenceMs)
            {
                silenceBytes = 8 * silenceMs;
            }

            await SendAsync(new JsonObject { ["type"] = "session.updated", ["session"] = session.DeepClone() });
        }

        private Task ErrorEventAsync(string code, string message, string param) => SendAsync(new JsonObject
        {
            ["type"] = "error",
            ["error"] = new JsonObject { ["type"] = "invalid_request_error", ["code"] = code, ["message"] = message, ["param"] = param },
        });

        public void StartResponse(FakeRealtimeResponse response) => _ = Task.Run(() => RespondAsync(response));

        private async Task RespondAsync(FakeRealtimeResponse response)
        {
            var id = "resp_" + Interlocked.Increment(ref fake.ids);
            var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            // The previous response's response.done may be on the wire still; a response.create during an active one is an error.
            await IdleAsync();
            if (!TryActivate(id))
            {
                await ErrorEventAsync("conversation_already_has_active_response", "Conversation already has an active response in progress.", "");
                return;
            }

            cancel = cancelled;
            try
            {
                await SendAsync(new JsonObject { ["type"] = "response.created", ["response"] = new JsonObject { ["id"] = id, ["status"] = "in_progress" } });
                if (fake.Latency.RealtimeFirstAudioMs > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(fake.Latency.RealtimeFirstAudioMs), fake.Time);
                }
                if (response.FunctionCall is { } call)
                {
                    var callId = "call_" + Interlocked.Increment(ref fake.ids);
                    await SendAsync(new JsonObject
                    {
                        ["type"] = "response.function_call_arguments.done", ["response_id"] = id, ["item_id"] = "item_" + callId, ["output_index"] = 0,
                        ["call_id"] = callId, ["name"] = call.Name, ["arguments"] = call.Arguments,
                    });
                    await DoneAsync(id, "completed");
                    return;
                }

                var chunks = response.Audio.Chunk(DeltaBytes).ToList();
                for (var i = 0; i < chunks.Count; i++)
                {
                    if (response.HoldAfterDeltas == i)
                    {
                        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(20));

                        // One delta was on the wire before the cancel arrived.
                        await DeltaAsync(id, chunks[i]);
                        await DoneAsync(id, "cancelled");
                        return;
                    }

                    await DeltaAsync(id, chunks[i]);
                }

                await SendAsync(new JsonObject { ["type"] = "response.output_audio.done", ["response_id"] = id, ["output_index"] = 0, ["content_index"] = 0 });
                await SendAsync(new JsonObject
                {
                    ["type"] = "response.output_audio_transcript.done", ["response_id"] = id, ["output_index"] = 0, ["content_index"] = 0,
                    ["transcript"] = response.Transcript,
                });
                await DoneAsync(id, "completed");
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or TimeoutException or ObjectDisposedException)
            {
                // The client is gone.
            }
        }

        private Task DeltaAsync(string id, byte[] chunk) => SendAsync(new JsonObject
        {
            ["type"] = "response.output_audio.delta", ["response_id"] = id, ["output_index"] = 0, ["content_index"] = 0,
            ["delta"] = Convert.ToBase64String(chunk),
        });

        private async Task DoneAsync(string id, string status)
        {
            try
            {
                await SendDoneAsync(id, status);
            }
            finally
            {
                Deactivate(id);
            }
        }

        private async Task SendDoneAsync(string id, string status)
        {
            await SendAsync(new JsonObject
            {
                ["type"] = "response.done",
                ["response"] = new JsonObject
                {
                    ["id"] = id, ["status"] = status,
                    ["usage"] = new JsonObject { ["total_tokens"] = 120, ["input_tokens"] = 80, ["output_tokens"] = 40 },
                },
            });
        }

        public async Task SendAsync(JsonObject message)
        {
            message["event_id"] = "event_" + Interlocked.Increment(ref fake.ids);
            var bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
            await sending.WaitAsync();
            try
            {
                await socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
            }
            finally
            {
                sending.Release();
            }
        }
    }
}
