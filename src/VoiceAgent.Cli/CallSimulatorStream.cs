using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;
using VoiceAgent.Telephony.Twilio;

namespace VoiceAgent.Cli;

/// <summary>
/// The Twilio side of a bidirectional media stream (API-CONTRACTS.md §1.4). Like a real phone line it sends the caller's
/// microphone without pause — 20 ms μ-law frames at real time with a small lead, silence (0xFF) while nobody talks —
/// "plays" the agent's audio on a virtual clock and echoes each mark when the audio queued before it has played.
/// </summary>
internal sealed class CallSimulatorStream : IAsyncDisposable
{
    /// <summary>How far ahead of real time caller frames go out, as network buffering would.</summary>
    private static readonly TimeSpan Lead = TimeSpan.FromMilliseconds(60);

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(20);

    private readonly WebSocket socket;
    private readonly CallSimulatorSettings settings;
    private readonly string streamSid = "MZ" + Guid.NewGuid().ToString("N");
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly Channel<StreamEvent> events = Channel.CreateUnbounded<StreamEvent>();
    private readonly Channel<PendingMark> marks = Channel.CreateUnbounded<PendingMark>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock playback = new();
    private readonly Lock microphoneLock = new();

    private TimeSpan playedUntil;
    private int clearGeneration;
    private CancellationTokenSource cleared = new();
    private int pendingMarks;
    private long sequence;
    private long chunk;
    private TimeSpan startedAt;
    private bool closed;
    private Queue<byte[]>? speech;
    private TaskCompletionSource<TimeSpan>? spoken;
    private Task receiver = Task.CompletedTask;
    private Task player = Task.CompletedTask;
    private Task microphone = Task.CompletedTask;

    private CallSimulatorStream(WebSocket socket, CallSimulatorSettings settings)
    {
        this.socket = socket;
        this.settings = settings;
    }

    /// <summary>The agent's audio between two caller turns: <paramref name="LatencyMs"/> runs from the end of the caller's
    /// speech (or from <c>start</c>) to the first frame.</summary>
    public sealed record AgentTurn(long Bytes, int LatencyMs, bool Closed, string? CloseReason);

    private abstract record StreamEvent(TimeSpan At)
    {
        public sealed record Media(TimeSpan At, int Bytes) : StreamEvent(At);

        public sealed record MarkPlayed(TimeSpan At) : StreamEvent(At);

        public sealed record Closed(TimeSpan At, string? Reason) : StreamEvent(At);
    }

    private sealed record PendingMark(string Name, TimeSpan Due, int Generation);

    public long FramesSent { get; private set; }

    public long FramesReceived { get; private set; }

    public long MarksEchoed { get; private set; }

    /// <summary>Connects and sends <c>connected</c> and <c>start</c> with the stream's parameters (the server's token).</summary>
    /// <exception cref="CallSimulatorException">The WebSocket could not be opened.</exception>
    public static async Task<CallSimulatorStream> OpenAsync(TwimlStreamTarget target, CallSimulatorSettings settings,
        Func<Uri, CancellationToken, Task<WebSocket>>? connect, CancellationToken ct)
    {
        WebSocket socket;
        try
        {
            socket = connect is null ? await ConnectAsync(target.Url, ct) : await connect(target.Url, ct);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException)
        {
            throw new CallSimulatorException($"Media Stream {target.Url} nicht erreichbar: {ex.Message}", ex);
        }

        var stream = new CallSimulatorStream(socket, settings);
        await stream.StartAsync(target.Parameters, ct);
        return stream;
    }

    private static async Task<WebSocket> ConnectAsync(Uri url, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        try
        {
            await socket.ConnectAsync(url, ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task StartAsync(IReadOnlyDictionary<string, string> parameters, CancellationToken ct)
    {
        receiver = Task.Run(ReceiveAsync, CancellationToken.None);
        player = Task.Run(PlayAsync, CancellationToken.None);
        await SendAsync(new { @event = "connected", protocol = "Call", version = "1.0.0" }, ct);
        await SendAsync(new
        {
            @event = "start",
            sequenceNumber = NextSequence(),
            streamSid,
            start = new
            {
                streamSid,
                accountSid = settings.AccountSid,
                callSid = settings.CallSid,
                tracks = new[] { "inbound" },
                customParameters = parameters,
                mediaFormat = new { encoding = "audio/x-mulaw", sampleRate = AudioFrames.SampleRate, channels = 1 },
            },
        }, ct);
        startedAt = clock.Elapsed;
        microphone = Task.Run(() => MicrophoneAsync(stopping.Token), CancellationToken.None);
    }

    /// <summary>Sends the utterance through the microphone and returns once all of it has been spoken (real time).</summary>
    /// <returns>When the speech ended: the end of the last frame above the server's speech threshold, since synthesized
    /// audio usually ends in some silence of its own.</returns>
    public async Task<TimeSpan> SpeakAsync(byte[] mulaw, CancellationToken ct)
    {
        var frames = AudioFrames.Split(mulaw);
        if (frames.Count == 0)
        {
            return clock.Elapsed;
        }

        var threshold = new VoiceActivityOptions().SpeechThresholdDbfs;
        var trailingSilence = frames.Reverse().TakeWhile(f => VoiceActivityDetector.LevelDbfs(f) < threshold).Count();

        var done = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (microphoneLock)
        {
            speech = new Queue<byte[]>(frames);
            spoken = done;
        }

        if (microphone.IsCompleted)
        {
            done.TrySetResult(clock.Elapsed); // the line is already dead
        }

        var end = await done.Task.WaitAsync(ct);
        return end - Math.Min(trailingSilence, frames.Count - 1) * AudioFrames.FrameDuration;
    }

    /// <summary>Collects the agent's next turn: it ends when its audio has played and the line then stays quiet for
    /// <see cref="CallSimulatorSettings.QuietWindow"/>, or when the server closes the stream.</summary>
    /// <param name="since">End of the caller's speech; null for the greeting (measured from <c>start</c>).</param>
    public async Task<AgentTurn> ListenAsync(TimeSpan? since, TimeSpan replyTimeout, CancellationToken ct)
    {
        var bytes = 0L;
        TimeSpan? first = null;
        while (!closed)
        {
            TimeSpan timeout;
            lock (playback)
            {
                timeout = first is null ? replyTimeout
                    : Volatile.Read(ref pendingMarks) > 0 ? Timeout.InfiniteTimeSpan // our own player echoes every mark
                    : Max(playedUntil - clock.Elapsed, TimeSpan.Zero) + settings.QuietWindow;
            }

            switch (await NextEventAsync(timeout, ct))
            {
                case null:
                    return new AgentTurn(bytes, Latency(first, since), Closed: false, null);
                case StreamEvent.Media media:
                    bytes += media.Bytes;
                    first ??= media.At;
                    break;
                case StreamEvent.Closed end:
                    closed = true;
                    return new AgentTurn(bytes, Latency(first, since), Closed: true, end.Reason);
            }
        }

        return new AgentTurn(bytes, Latency(first, since), Closed: true, null);
    }

    /// <summary>The caller hangs up: <c>stop</c>, then the close handshake.</summary>
    public async Task HangUpAsync(CancellationToken ct)
    {
        await StopMicrophoneAsync();
        await SendAsync(new
        {
            @event = "stop",
            sequenceNumber = NextSequence(),
            streamSid,
            stop = new { accountSid = settings.AccountSid, callSid = settings.CallSid },
        }, ct);
        await CloseOutputAsync("caller hung up");
        await CompleteCloseAsync(ct);
    }

    /// <summary>Waits until both sides have closed (the server finishes its books first).</summary>
    public async Task CompleteCloseAsync(CancellationToken ct)
    {
        await StopMicrophoneAsync();
        try
        {
            await receiver.WaitAsync(CloseTimeout, ct);
        }
        catch (TimeoutException)
        {
            socket.Abort();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopMicrophoneAsync();
        if (!receiver.IsCompleted)
        {
            socket.Abort();
        }

        await Task.WhenAll(receiver, player).ContinueWith(_ => { }, TaskScheduler.Default);
        socket.Dispose();
        stopping.Dispose();
        sendLock.Dispose();
    }

    private async Task StopMicrophoneAsync()
    {
        await stopping.CancelAsync();
        await microphone;
    }

    private async Task MicrophoneAsync(CancellationToken ct)
    {
        var silence = new byte[AudioFrames.FrameBytes];
        silence.AsSpan().Fill(MuLaw.Silence);
        var start = clock.Elapsed;
        try
        {
            for (var n = 0L; ; n++)
            {
                var due = start + n * AudioFrames.FrameDuration;
                var wait = due - Lead - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, ct);
                }

                var frame = silence;
                TaskCompletionSource<TimeSpan>? done = null;
                lock (microphoneLock)
                {
                    if (speech is { Count: > 0 })
                    {
                        frame = speech.Dequeue();
                        if (speech.Count == 0)
                        {
                            (done, speech, spoken) = (spoken, null, null);
                        }
                    }
                }

                if (!await SendMediaAsync(frame, ct))
                {
                    return;
                }

                done?.TrySetResult(due + AudioFrames.FrameDuration);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The caller hung up or the stream ended.
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            // The server dropped the line; the receive loop reports it.
        }
        finally
        {
            lock (microphoneLock)
            {
                spoken?.TrySetResult(clock.Elapsed);
                (speech, spoken) = (null, null);
            }
        }
    }

    private async Task<bool> SendMediaAsync(byte[] frame, CancellationToken ct)
    {
        var number = ++chunk;
        var sent = await SendAsync(new
        {
            @event = "media",
            sequenceNumber = NextSequence(),
            streamSid,
            media = new
            {
                track = "inbound",
                chunk = number.ToString(CultureInfo.InvariantCulture),
                timestamp = (number * AudioFrames.FrameDuration.Milliseconds).ToString(CultureInfo.InvariantCulture),
                payload = Convert.ToBase64String(frame),
            },
        }, ct);
        if (sent)
        {
            FramesSent++;
        }

        return sent;
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[16 * 1024];
        string? reason = null;
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    reason = socket.CloseStatusDescription;
                    await CloseOutputAsync(""); // completes the handshake, as Twilio does
                    break;
                }

                OnMessage(message.GetBuffer().AsSpan(0, (int)message.Length));
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            reason = ex.Message;
        }
        finally
        {
            marks.Writer.TryComplete();
            events.Writer.TryWrite(new StreamEvent.Closed(clock.Elapsed, reason));
        }
    }

    private void OnMessage(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException)
        {
            return; // Twilio ignores what it cannot read, too
        }

        using (document)
        {
            var root = document.RootElement;
            var kind = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("event", out var e) ? e.GetString() : null;
            switch (kind)
            {
                case "media" when root.TryGetProperty("media", out var media) && media.TryGetProperty("payload", out var payload):
                    OnMedia(payload.GetBytesFromBase64().Length);
                    break;
                case "mark" when root.TryGetProperty("mark", out var mark) && mark.TryGetProperty("name", out var name):
                    OnMark(name.GetString() ?? "");
                    break;
                case "clear":
                    OnClear();
                    break;
            }
        }
    }

    private void OnMedia(int bytes)
    {
        var now = clock.Elapsed;
        FramesReceived++;
        lock (playback)
        {
            playedUntil = Max(playedUntil, now) + AudioFrames.Duration(bytes);
        }

        events.Writer.TryWrite(new StreamEvent.Media(now, bytes));
    }

    private void OnMark(string name)
    {
        Interlocked.Increment(ref pendingMarks);
        lock (playback)
        {
            marks.Writer.TryWrite(new PendingMark(name, playedUntil, clearGeneration));
        }
    }

    // Barge-in: playback stops now, and every pending mark comes back at once.
    private void OnClear()
    {
        CancellationTokenSource previous;
        lock (playback)
        {
            playedUntil = clock.Elapsed;
            clearGeneration++;
            previous = cleared;
            cleared = new CancellationTokenSource();
        }

        previous.Cancel();
    }

    private async Task PlayAsync()
    {
        await foreach (var mark in marks.Reader.ReadAllAsync())
        {
            CancellationToken interrupted;
            bool current;
            lock (playback)
            {
                interrupted = cleared.Token;
                current = mark.Generation == clearGeneration;
            }

            var wait = mark.Due - clock.Elapsed;
            if (current && wait > TimeSpan.Zero && socket.State == WebSocketState.Open)
            {
                try
                {
                    await Task.Delay(wait, interrupted);
                }
                catch (OperationCanceledException)
                {
                    // cleared while playing
                }
            }

            if (await SendAsync(new { @event = "mark", sequenceNumber = NextSequence(), streamSid, mark = new { name = mark.Name } }, CancellationToken.None))
            {
                MarksEchoed++;
            }

            Interlocked.Decrement(ref pendingMarks);
            events.Writer.TryWrite(new StreamEvent.MarkPlayed(clock.Elapsed));
        }
    }

    private async Task<StreamEvent?> NextEventAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            wait.CancelAfter(timeout);
        }

        try
        {
            return await events.Reader.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <returns>False when the line is no longer open for sending.</returns>
    private async Task<bool> SendAsync<T>(T message, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message);
        await sendLock.WaitAsync(ct);
        try
        {
            if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
            {
                return false;
            }

            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
            return true;
        }
        catch (Exception ex) when (ex is WebSocketException or IOException)
        {
            return false;
        }
        finally
        {
            sendLock.Release();
        }
    }

    private async Task CloseOutputAsync(string reason)
    {
        await sendLock.WaitAsync();
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException)
        {
            // Already gone; nothing left to close.
        }
        finally
        {
            sendLock.Release();
        }
    }

    private string NextSequence() => Interlocked.Increment(ref sequence).ToString(CultureInfo.InvariantCulture);

    private int Latency(TimeSpan? first, TimeSpan? since) =>
        first is { } at ? (int)Math.Max(0, (at - (since ?? startedAt)).TotalMilliseconds) : 0;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
