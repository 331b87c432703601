using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace VoiceAgent.Testing.Fakes;

/// <summary>
/// Twilio's side of a bidirectional Media Stream (API-CONTRACTS.md §1.4) in a test: sends <c>connected</c>, <c>start</c>
/// with the stream token, caller frames and mark echoes; reads what the app sends, in order. A message
/// <c>{"event":"closed"}</c> marks the end of the stream. Sends are serialized, so a task pacing caller frames and one
/// echoing marks may share a caller (the soak benchmark does).
/// </summary>
public sealed class TwilioMediaCaller : IAsyncDisposable
{
    public const string StreamSid = "MZ1";

    private readonly WebSocket socket;
    private readonly Channel<JsonObject> inbox = Channel.CreateUnbounded<JsonObject>();
    private readonly Task reader;
    private readonly SemaphoreSlim sending = new(1, 1);
    private int chunk;
    private int mediaReceived;

    private TwilioMediaCaller(WebSocket socket)
    {
        this.socket = socket;
        reader = Task.Run(ReadAsync);
    }

    /// <summary>Opens the stream as Twilio does after <c>&lt;Connect&gt;&lt;Stream&gt;</c>: connected, then start.</summary>
    public static async Task<TwilioMediaCaller> StartAsync(WebSocket socket, string callSid, string token)
    {
        var caller = new TwilioMediaCaller(socket);
        await caller.SendAsync(new { @event = "connected", protocol = "Call", version = "1.0.0" });
        await caller.SendAsync(new
        {
            @event = "start", sequenceNumber = "1", streamSid = StreamSid,
            start = new
            {
                streamSid = StreamSid, accountSid = "AC" + new string('1', 32), callSid, tracks = new[] { "inbound" },
                customParameters = new Dictionary<string, string> { ["token"] = token },
                mediaFormat = new { encoding = "audio/x-mulaw", sampleRate = 8000, channels = 1 },
            },
        });
        return caller;
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (socket.State == WebSocketState.Open && await WebSocketText.ReceiveAsync(socket, buffer, CancellationToken.None) is { } message)
            {
                if ((string?)message["event"] == "media")
                {
                    Interlocked.Increment(ref mediaReceived);
                }

                inbox.Writer.TryWrite(message);
            }
        }
        catch (Exception ex) when (ex is IOException or WebSocketException or ObjectDisposedException)
        {
            // The server ended the stream without a close handshake.
        }

        inbox.Writer.TryWrite(new JsonObject { ["event"] = "closed" });
    }

    /// <summary>Media messages the app sent so far (counted as they arrive, read or not).</summary>
    public int MediaFramesReceived => Volatile.Read(ref mediaReceived);

    /// <summary>Passes over everything that arrived so far (e.g. the greeting): the next waits see only what follows.</summary>
    public void Reset()
    {
        while (inbox.Reader.TryRead(out _))
        {
        }
    }

    public async Task SendAsync(object message)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message);
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

    public async Task SendFramesAsync(IEnumerable<byte[]> frames)
    {
        foreach (var frame in frames)
        {
            chunk++;
            await SendAsync(new
            {
                @event = "media", streamSid = StreamSid, sequenceNumber = (chunk + 2).ToString(System.Globalization.CultureInfo.InvariantCulture),
                media = new
                {
                    track = "inbound", chunk = chunk.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    timestamp = (chunk * 20).ToString(System.Globalization.CultureInfo.InvariantCulture), payload = Convert.ToBase64String(frame),
                },
            });
        }
    }

    /// <summary>Reads until a message with this event arrives (within 20 s); what came before it is passed over.</summary>
    /// <exception cref="InvalidOperationException">The stream ended first (nothing else can arrive).</exception>
    public async Task<JsonObject> WaitForAsync(string eventName)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var message = await inbox.Reader.ReadAsync(cts.Token);
            var name = (string?)message["event"];
            if (name == eventName)
            {
                return message;
            }

            if (name == "closed")
            {
                throw new InvalidOperationException($"The stream ended while waiting for '{eventName}' (close status {socket.CloseStatus?.ToString() ?? "none"}).");
            }
        }
    }

    /// <summary>The payloads of the next media messages, concatenated, until at least <paramref name="bytes"/> arrived.</summary>
    /// <exception cref="InvalidDataException">A media message of another stream, or one larger than a 20 ms frame.</exception>
    public async Task<byte[]> ReceiveAudioAsync(int bytes)
    {
        var audio = new List<byte>();
        while (audio.Count < bytes)
        {
            var media = await WaitForAsync("media");
            var payload = Convert.FromBase64String((string)media["media"]!["payload"]!);
            if ((string?)media["streamSid"] != StreamSid || payload.Length is < 1 or > 160)
            {
                throw new InvalidDataException($"Not a 20 ms frame of {StreamSid}: {media.ToJsonString()}");
            }

            audio.AddRange(payload);
        }

        return [.. audio];
    }

    /// <summary>Plays everything up to the next mark and reports it played, as Twilio does.</summary>
    public async Task PlayUntilMarkAsync()
    {
        var mark = await WaitForAsync("mark");
        await SendAsync(new { @event = "mark", streamSid = StreamSid, sequenceNumber = "9", mark = new { name = (string?)mark["mark"]!["name"] } });
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is IOException or WebSocketException or ObjectDisposedException)
        {
            // The server may already have ended the stream.
        }

        await reader.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
