using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace VoiceAgent.Testing.Fakes;

/// <summary>What the fake transcription session answers to one <c>input_audio_buffer.commit</c>.</summary>
public abstract record FakeCommitReply
{
    /// <summary>committed → the transcript in deltas (word by word) → completed.</summary>
    public sealed record Transcript(string Text) : FakeCommitReply;

    /// <summary>committed → <c>conversation.item.input_audio_transcription.failed</c>.</summary>
    public sealed record Failed(string Code = "transcription_failed") : FakeCommitReply;

    /// <summary>The socket drops (no close frame) instead of an answer.</summary>
    public sealed record Drop : FakeCommitReply;
}

/// <summary>One committed buffer: the connection it came on (0, 1, …), its item id and its μ-law audio.</summary>
public sealed record FakeCommittedAudio(int Connection, string ItemId, byte[] Audio);

/// <summary>
/// OpenAI's Realtime transcription session (GA interface, API-CONTRACTS.md §7) on the fake's own Kestrel:
/// <c>GET /v1/realtime?intent=transcription</c> upgrades only with a bearer key (401 otherwise, or the key
/// <see cref="FakeOpenAiServer.RequiredKey"/> names) and answers <see cref="RejectStatus"/> (e.g. 429) when set. It sends
/// <c>session.created</c>, checks <c>session.update</c> (GA: <c>session.type = "transcription"</c>, <c>audio.input.format</c>
/// <c>audio/pcmu</c>, a gpt-4o transcribe model, <c>turn_detection</c> null; the beta's flat fields earn an <c>error</c>
/// event), keeps the appended audio per connection, and answers each commit with <c>input_audio_buffer.committed</c>,
/// the transcript's deltas and <c>…transcription.completed</c> (same item id), after
/// <see cref="FakeLatencyProfile.StreamingTranscriptionMs"/>. Transcripts come from the script, in commit order across all
/// connections, then from <see cref="TranscribeWith"/>, then from the server's <see cref="FakeOpenAiServer.TranscribeWith"/>
/// (the commit's μ-law as the upload), else empty. A commit of less than 100 ms is an error, as at OpenAI.
/// Any number of connections run at once.
/// </summary>
public sealed class FakeOpenAiTranscription
{
    private const int MinCommitBytes = 800;

    private static readonly string[] FlatBetaFields = ["input_audio_format", "input_audio_transcription", "turn_detection", "input_audio_noise_reduction"];
    private static readonly string[] StreamingModels = ["gpt-4o-transcribe", "gpt-4o-mini-transcribe"];

    private readonly ConcurrentQueue<FakeCommitReply> script = new();
    private readonly ConcurrentQueue<JsonObject> received = new();
    private readonly ConcurrentQueue<FakeCommittedAudio> commits = new();
    private readonly Channel<FakeCommittedAudio> committed = Channel.CreateUnbounded<FakeCommittedAudio>();
    private readonly ConcurrentDictionary<int, Connection> open = new();
    private volatile Func<byte[], FakeCommitReply>? transcriber;
    private readonly Func<FakeLatencyProfile> latency;
    private readonly Func<byte[], FakeCommitReply?>? unscripted;
    private int connections;
    private int rejected;
    private int items;
    private int events;

    /// <param name="latency">The server's profile, read at each answer (a benchmark sets it after the start).</param>
    /// <param name="unscripted">Answers a commit that neither the script nor <see cref="TranscribeWith"/> covers (null: an
    /// empty transcript).</param>
    public FakeOpenAiTranscription(Func<FakeLatencyProfile> latency, Func<byte[], FakeCommitReply?>? unscripted = null) =>
        (this.latency, this.unscripted) = (latency, unscripted);

    /// <summary>When set, every connection attempt is refused with this status (429: rate limited).</summary>
    public int? RejectStatus { get; set; }

    /// <summary>The clock of the answer delays.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>Connections accepted (upgraded) so far.</summary>
    public int Connections => Volatile.Read(ref connections);

    /// <summary>Connection attempts refused (bad key, <see cref="RejectStatus"/>).</summary>
    public int Rejected => Volatile.Read(ref rejected);

    /// <summary>Every client event of every connection, in arrival order.</summary>
    public IReadOnlyList<JsonObject> Received => received.ToArray();

    /// <summary>Every committed buffer, in commit order.</summary>
    public IReadOnlyList<FakeCommittedAudio> Commits => commits.ToArray();

    /// <summary>The last valid <c>session.update</c>'s session.</summary>
    public JsonObject? Session { get; private set; }

    public void Enqueue(params FakeCommitReply[] replies)
    {
        foreach (var reply in replies)
        {
            script.Enqueue(reply);
        }
    }

    public void EnqueueTranscripts(params string[] texts) => Enqueue([.. texts.Select(t => new FakeCommitReply.Transcript(t))]);

    /// <summary>Answers the commits the script does not cover, from the committed μ-law (benchmarks: every turn the same way).</summary>
    public void TranscribeWith(Func<byte[], FakeCommitReply> reply) => transcriber = reply;

    /// <summary>Completes with the next commit (commits seen by an earlier wait are not seen again).</summary>
    public async Task<FakeCommittedAudio> WaitForCommitAsync()
    {
        // The bound only keeps a broken test from hanging the run.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await committed.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Drops every open connection as a lost network would (no close frame).</summary>
    public void DropAll()
    {
        foreach (var connection in open.Values)
        {
            connection.Abort();
        }
    }

    internal async Task AcceptAsync(HttpContext http, string? requiredKey)
    {
        if (await FakeRealtimeHandshake.RefusedAsync(http, requiredKey, RejectStatus))
        {
            Interlocked.Increment(ref rejected);
            return;
        }

        if (!http.WebSockets.IsWebSocketRequest)
        {
            await FakeRealtimeHandshake.ErrorAsync(http, 400, "A WebSocket upgrade is required.", "invalid_request_error", null);
            return;
        }

        var index = Interlocked.Increment(ref connections) - 1;
        var socket = await http.WebSockets.AcceptWebSocketAsync(http.WebSockets.WebSocketRequestedProtocols.Contains("realtime") ? "realtime" : null);
        var connection = new Connection(this, socket, index);
        open[index] = connection;
        try
        {
            await connection.SendAsync(new JsonObject
            {
                ["type"] = "session.created",
                ["session"] = new JsonObject { ["type"] = "transcription", ["object"] = "realtime.transcription_session", ["id"] = $"sess_t{index}" },
            });
            await connection.RunAsync();
        }
        finally
        {
            open.TryRemove(index, out _);
        }
    }

    private FakeCommitReply Next(byte[] audio) =>
        script.TryDequeue(out var reply) ? reply : transcriber?.Invoke(audio) ?? unscripted?.Invoke(audio) ?? new FakeCommitReply.Transcript("");

    /// <summary>One session: reads client events in order; answers of commits run on their own (a slow transcript does not
    /// hold up the appends behind it) but leave in commit order; sends are serialized.</summary>
    private sealed class Connection(FakeOpenAiTranscription fake, WebSocket socket, int index)
    {
        private readonly SemaphoreSlim sending = new(1, 1);
        private readonly List<byte> buffer = [];
        private Task answered = Task.CompletedTask;
        private string? previousItem;
        private bool configured;

        public void Abort() => socket.Abort();

        public async Task RunAsync()
        {
            var bytes = new byte[256 * 1024];
            try
            {
                while (socket.State == WebSocketState.Open && await WebSocketText.ReceiveAsync(socket, bytes, CancellationToken.None) is { } json)
                {
                    fake.received.Enqueue(json);
                    await HandleAsync(json);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or JsonException or ObjectDisposedException)
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
                    try
                    {
                        buffer.AddRange(Convert.FromBase64String((string?)json["audio"] ?? ""));
                    }
                    catch (FormatException)
                    {
                        await ErrorEventAsync("invalid_value", "Invalid base64 audio.", "audio");
                    }

                    break;
                case "input_audio_buffer.clear":
                    buffer.Clear();
                    await SendAsync(new JsonObject { ["type"] = "input_audio_buffer.cleared" });
                    break;
                case "input_audio_buffer.commit":
                    await CommitAsync();
                    break;
                default:
                    await ErrorEventAsync("invalid_value", $"Invalid value: '{(string?)json["type"]}'.", "type");
                    break;
            }
        }

        private async Task CommitAsync()
        {
            if (!configured)
            {
                await ErrorEventAsync("session_not_configured", "This fake expects a transcription session.update before audio.", "session");
                return;
            }

            if (buffer.Count < MinCommitBytes)
            {
                await ErrorEventAsync("input_audio_buffer_commit_empty",
                    $"Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has {buffer.Count / 8}ms of audio.", null);
                return;
            }

            var item = "item_" + Interlocked.Increment(ref fake.items);
            var audio = buffer.ToArray();
            buffer.Clear();
            var commit = new FakeCommittedAudio(index, item, audio);
            var reply = fake.Next(audio);
            await SendAsync(new JsonObject { ["type"] = "input_audio_buffer.committed", ["previous_item_id"] = previousItem, ["item_id"] = item });
            previousItem = item;
            fake.commits.Enqueue(commit);
            fake.committed.Writer.TryWrite(commit);

            var before = answered;
            answered = Task.Run(async () =>
            {
                await before;
                await AnswerAsync(item, reply);
            });
        }

        private async Task AnswerAsync(string item, FakeCommitReply reply)
        {
            try
            {
                var delay = TimeSpan.FromMilliseconds(fake.latency().StreamingTranscriptionMs);
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, fake.Time);
                }

                switch (reply)
                {
                    case FakeCommitReply.Transcript transcript:
                        var words = transcript.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        for (var i = 0; i < words.Length; i++)
                        {
                            await SendAsync(new JsonObject
                            {
                                ["type"] = "conversation.item.input_audio_transcription.delta", ["item_id"] = item, ["content_index"] = 0,
                                ["delta"] = i == 0 ? words[i] : " " + words[i],
                            });
                        }

                        await SendAsync(new JsonObject
                        {
                            ["type"] = "conversation.item.input_audio_transcription.completed", ["item_id"] = item, ["content_index"] = 0,
                            ["transcript"] = transcript.Text,
                        });
                        break;
                    case FakeCommitReply.Failed failed:
                        await SendAsync(new JsonObject
                        {
                            ["type"] = "conversation.item.input_audio_transcription.failed", ["item_id"] = item, ["content_index"] = 0,
                            ["error"] = new JsonObject { ["type"] = "transcription_error", ["code"] = failed.Code, ["message"] = "Audio could not be transcribed." },
                        });
                        break;
                    case FakeCommitReply.Drop:
                        socket.Abort();
                        break;
                }
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
            {
                // The client is gone.
            }
        }

        private async Task SessionUpdateAsync(JsonObject? session)
        {
            if (session is null)
            {
                await ErrorEventAsync("missing_required_parameter", "Missing required parameter: 'session'.", "session");
                return;
            }

            if (FlatBetaFields.FirstOrDefault(session.ContainsKey) is { } flat)
            {
                await ErrorEventAsync("unknown_parameter", $"Unknown parameter: 'session.{flat}'.", "session." + flat);
                return;
            }

            if ((string?)session["type"] != "transcription")
            {
                await ErrorEventAsync("invalid_value", "A transcription session needs 'session.type' = 'transcription'.", "session.type");
                return;
            }

            var input = session["audio"]?["input"] as JsonObject;
            // Not a wire rule but this fake's purpose: Twilio's μ-law goes up untouched.
            if ((string?)input?["format"]?["type"] != "audio/pcmu")
            {
                await ErrorEventAsync("invalid_value", "This fake expects audio/pcmu.", "session.audio.input.format");
                return;
            }

            if ((string?)input["transcription"]?["model"] is not { } model || !StreamingModels.Contains(model))
            {
                await ErrorEventAsync("invalid_value", "Streaming transcription needs gpt-4o-transcribe or gpt-4o-mini-transcribe.", "session.audio.input.transcription.model");
                return;
            }

            // Our client detects turns itself: server VAD would commit on its own.
            if (!input.TryGetPropertyValue("turn_detection", out var detection) || detection is not null)
            {
                await ErrorEventAsync("invalid_value", "This fake expects turn_detection: null.", "session.audio.input.turn_detection");
                return;
            }

            configured = true;
            fake.Session = session;
            await SendAsync(new JsonObject { ["type"] = "session.updated", ["session"] = session.DeepClone() });
        }

        private Task ErrorEventAsync(string code, string message, string? param) => SendAsync(new JsonObject
        {
            ["type"] = "error",
            ["error"] = new JsonObject { ["type"] = "invalid_request_error", ["code"] = code, ["message"] = message, ["param"] = param },
        });

        public async Task SendAsync(JsonObject message)
        {
            message["event_id"] = "event_t" + Interlocked.Increment(ref fake.events);
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
