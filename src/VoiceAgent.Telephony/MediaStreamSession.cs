using System.Diagnostics;
using System.Net.WebSockets;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Speech;
using VoiceAgent.Telephony;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;
using VoiceAgent.Telephony.Calls;
using VoiceAgent.Telephony.Twilio;

namespace VoiceAgent.Telephony;

/// <summary>
/// One realtime call on a Media Streams WebSocket (Twilio, or sipgate through its stream bridge). The receive loop only
/// does cheap work per 20 ms frame — voice activity detection and barge-in (a <c>clear</c> as soon as the caller speaks
/// over the agent) — and hands finished utterances to a processing loop that runs STT → flow turn → TTS. Waiting for
/// the caller never blocks a thread; every turn is stored, like in gather mode.
/// Limits (<see cref="TelephonyOptions"/>): <c>start</c> within <see cref="TelephonyOptions.StreamStartTimeout"/>, media at
/// least every <see cref="TelephonyOptions.StreamIdleTimeout"/>, else the stream is closed with a policy violation; messages
/// up to <see cref="TelephonyOptions.MaxStreamMessageBytes"/> (larger: closed, message too big); caller turns queued up to
/// <see cref="TelephonyOptions.StreamMaxQueuedTurns"/> (more are dropped; a flood closes the stream); one utterance is cut
/// after <see cref="MaxUtteranceFrames"/> frames. The clock is the injected <see cref="TimeProvider"/> (tests drive it).
/// </summary>
public sealed class MediaStreamSession(WebSocket webSocket, IServiceScopeFactory scopes, StreamTokens tokens, TelephonyOptions options,
    ILogger<MediaStreamSession> logger, TimeProvider time)
{
    /// <summary>30 s of caller audio: a longer utterance is handed on in pieces instead of growing without end.</summary>
    public const int MaxUtteranceFrames = 1500;

    /// <summary>After our policy-violation close, the peer has this long to answer it before the socket is aborted.</summary>
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private const int PreRollFrames = 15;
    private const int LeadFrames = 10;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(15);

    private readonly TurnQueue<Work> work = new(options.StreamMaxQueuedTurns);
    private readonly CancellationTokenSource abort = new();
    private readonly long opened = time.GetTimestamp();
    private long lastMedia;
    private int startReceived;
    private int expired;
    private ITimer? grace;
    private readonly MediaStreamSocket socket = new(webSocket, options.MaxStreamMessageBytes);
    private readonly FramePacer pacer = new(LeadFrames);
    private readonly VoiceActivityDetector vad = new();
    private readonly Queue<byte[]> preRoll = new();
    private readonly List<byte[]> utterance = [];
    private readonly HashSet<string> pendingMarks = [];
    private readonly List<int> bargeIns = [];
    private readonly object state = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();

    private string? streamSid;
    private string? callSid;
    private Guid tenantId;
    private Guid callId;
    private CancellationTokenSource? speaking;
    private TimeSpan? listenDeadline;
    private int listenSeconds = 6;
    private bool listening;
    private int marks;
    private int recordedBargeIns;
    private ISpeechToText? stt;
    private ITextToSpeech? tts;

    private abstract record Work;

    private sealed record Begin(CallTurn Turn) : Work;

    private sealed record Utterance(short[] Pcm, TimeSpan EndedAt) : Work;

    private sealed record Said(string Text) : Work;

    /// <summary>Turns waiting for the processing loop now (for tests and diagnostics).</summary>
    internal int QueuedTurns => work.Count;

    /// <summary>Why the session closed the stream on its own ("no start", "idle", "flood"), or null.</summary>
    public string? ClosedBecause { get; private set; }

    public async Task RunAsync(CancellationToken requestAborted)
    {
        Task? processor = null;
        var started = TimeSpan.Zero;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, abort.Token);
        var ct = linked.Token;
        var period = Min(TimeSpan.FromSeconds(1), Min(options.StreamStartTimeout, options.StreamIdleTimeout));
        await using var watchdog = time.CreateTimer(_ => Watch(), null, period, period);
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                if (await socket.ReceiveAsync(ct) is not { } bytes)
                {
                    break;
                }

                switch (MediaStreamMessage.Parse(bytes.Span))
                {
                    case MediaStreamMessage.Start start when streamSid is null:
                        Volatile.Write(ref lastMedia, time.GetTimestamp());
                        Interlocked.Exchange(ref startReceived, 1);
                        if (!await StartAsync(start, ct))
                        {
                            await CloseQuietlyAsync(WebSocketCloseStatus.PolicyViolation, "invalid stream token");
                            return;
                        }

                        started = clock.Elapsed;

                        // A tenant in OpenAI Realtime mode talks to the speech model; false: not chosen or not reachable.
                        if (await Realtime.OpenAiRealtimeCall.TryRunAsync(socket, streamSid!, tenantId, callId, scopes,
                                () => Volatile.Write(ref lastMedia, time.GetTimestamp()), ct))
                        {
                            return;
                        }

                        processor = Task.Run(() => ProcessAsync(ct), ct);
                        break;
                    case MediaStreamMessage.Media media when streamSid is not null && media.Track is "inbound" or "inbound_track":
                        Volatile.Write(ref lastMedia, time.GetTimestamp());
                        await OnFrameAsync(media.Payload.ToArray(), ct);
                        break;
                    case MediaStreamMessage.Dtmf dtmf when streamSid is not null:
                        Enqueue(new Said(dtmf.Digit));
                        break;
                    case MediaStreamMessage.Mark mark:
                        OnMark(mark.Name);
                        break;
                    case MediaStreamMessage.Stop:
                        return;
                }

                CheckListenTimeout();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            logger.LogInformation("Media stream of call {CallId} dropped: {Message}", callId, ex.Message);
        }
        finally
        {
            work.Complete();
            if (processor is not null)
            {
                await processor.WaitAsync(DrainTimeout, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
                await FinishAsync(clock.Elapsed - started);
            }

            await CloseQuietlyAsync(WebSocketCloseStatus.NormalClosure, "bye");
            grace?.Dispose();
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>The watchdog tick: no start in time, or no media for too long, closes the stream.</summary>
    private void Watch()
    {
        if (Volatile.Read(ref startReceived) == 0)
        {
            if (time.GetElapsedTime(opened) >= options.StreamStartTimeout)
            {
                Expire("no start");
            }
        }
        else if (time.GetElapsedTime(Volatile.Read(ref lastMedia)) >= options.StreamIdleTimeout)
        {
            Expire("idle");
        }
    }

    private void Enqueue(Work item)
    {
        if (!work.TryWrite(item) && work.Dropped > options.StreamMaxDroppedTurns)
        {
            Expire("flood");
        }
    }

    /// <summary>
    /// Closes the stream for breaking a limit: our close frame (policy violation) goes out now; the receive loop ends when
    /// the peer answers it, or after <see cref="CloseGrace"/> by aborting the socket.
    /// </summary>
    private void Expire(string reason)
    {
        if (Interlocked.Exchange(ref expired, 1) == 1)
        {
            return;
        }

        ClosedBecause = reason;
        logger.LogWarning("Media stream of call {CallId} closed: {Reason}", callId, reason);
        _ = Task.Run(async () =>
        {
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, reason, CancellationToken.None);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
            {
                // The peer is gone already; the abort below ends the receive loop.
            }

            grace = time.CreateTimer(_ => abort.Cancel(), null, CloseGrace, Timeout.InfiniteTimeSpan);
        });
    }

    private async Task CloseQuietlyAsync(WebSocketCloseStatus status, string reason)
    {
        if (!await socket.CloseQuietlyAsync(status, reason))
        {
            logger.LogDebug("Media stream of call {CallId} closed abruptly", callId);
        }
    }

    private async Task<bool> StartAsync(MediaStreamMessage.Start start, CancellationToken ct)
    {
        if (!tokens.TryRead(start.CustomParameters.GetValueOrDefault("token"), out tenantId, out callId))
        {
            return false;
        }

        await using var scope = scopes.CreateAsyncScope();
        var engines = await scope.ServiceProvider.GetRequiredService<RealtimeSpeech>().GetAsync(tenantId, ct);
        (stt, tts) = (engines.Stt, engines.Tts);
        var stream = scope.ServiceProvider.GetRequiredService<CallStream>();
        var result = await scope.ServiceProvider.GetRequiredService<TenantCalls>().InCallAsync(tenantId, callId, call => stream.StartAsync(call, ct), ct);
        if (result is not { } begun || stt is null)
        {
            return false;
        }

        streamSid = start.StreamSid;
        callSid = begun.ProviderCallId;
        work.TryWrite(new Begin(begun.Turn));
        return true;
    }

    private async Task OnFrameAsync(byte[] frame, CancellationToken ct)
    {
        var detected = vad.Process(frame);
        if (detected is VoiceActivityEvent.SpeechStarted)
        {
            var reaction = Stopwatch.StartNew();
            CancellationTokenSource? interrupted;
            lock (state)
            {
                interrupted = speaking;
                speaking = null;
                pendingMarks.Clear();
                listenDeadline = null;
            }

            if (interrupted is not null)
            {
                // Barge-in: stop playback at Twilio first, then the rest of the utterance here.
                await SendAsync(new OutboundMediaStreamMessage.Clear(streamSid!), ct);
                interrupted.Cancel();
                lock (state)
                {
                    bargeIns.Add((int)reaction.ElapsedMilliseconds);
                }
            }

            utterance.Clear();
            utterance.AddRange(preRoll);
            preRoll.Clear();
        }

        if (vad.InUtterance || detected is VoiceActivityEvent.SpeechEnded)
        {
            utterance.Add(frame);
        }
        else
        {
            preRoll.Enqueue(frame);
            if (preRoll.Count > PreRollFrames)
            {
                preRoll.Dequeue();
            }
        }

        if (detected is VoiceActivityEvent.SpeechEnded || utterance.Count >= MaxUtteranceFrames)
        {
            var pcm = MuLaw.Decode(utterance.SelectMany(f => f).ToArray());
            utterance.Clear();
            Enqueue(new Utterance(pcm, clock.Elapsed));
        }
    }

    private void OnMark(string name)
    {
        lock (state)
        {
            pendingMarks.Remove(name);
            if (pendingMarks.Count == 0 && speaking is not null && speaking.IsCancellationRequested is false && listening)
            {
                speaking = null;
                listenDeadline = clock.Elapsed + TimeSpan.FromSeconds(listenSeconds);
            }
        }
    }

    private void CheckListenTimeout()
    {
        lock (state)
        {
            if (listenDeadline is { } deadline && clock.Elapsed > deadline && !vad.InUtterance)
            {
                listenDeadline = null;
                Enqueue(new Said(""));
            }
        }
    }

    private async Task ProcessAsync(CancellationToken ct)
    {
        await foreach (var item in work.Reader.ReadAllAsync(ct))
        {
            try
            {
                if (!await HandleAsync(item, ct))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // One failed turn must not end the call silently: log it and keep listening.
                logger.LogError(ex, "Realtime turn of call {CallId} failed", callId);
            }
        }
    }

    /// <returns>False when the call leaves the stream (hang up or transfer).</returns>
    private async Task<bool> HandleAsync(Work item, CancellationToken ct)
    {
        CallTurn turn;
        TimeSpan? measureFrom = null;
        await using (var scope = scopes.CreateAsyncScope())
        {
            // The stream token names tenant and call: each turn reads the call by id in the tenant's scope.
            var calls = scope.ServiceProvider.GetRequiredService<TenantCalls>();
            var callerTurn = scope.ServiceProvider.GetRequiredService<CallerTurn>();
            switch (item)
            {
                case Begin begin:
                    turn = begin.Turn;
                    break;
                case Utterance spoken:
                    measureFrom = spoken.EndedAt;
                    string? text;
                    try
                    {
                        text = await stt!.TranscribeAsync(spoken.Pcm, ct);
                    }
                    catch (VoiceAgent.Flows.Runtime.PortException ex)
                    {
                        logger.LogWarning("Speech recognition failed for call {CallId}: {Message}", callId, ex.Message);
                        text = null;
                    }

                    // Nothing intelligible is a "not understood" turn, not silence.
                    turn = await calls.InCallAsync(tenantId, callId, call => callerTurn.HandleAsync(call, text ?? "?", ct), ct);
                    break;
                case Said said:
                    turn = await calls.InCallAsync(tenantId, callId, call => callerTurn.HandleAsync(call, said.Text, ct), ct);
                    break;
                default:
                    return true;
            }
        }

        var latency = await SpeakAsync(turn, measureFrom, ct);
        var pending = TakeBargeIns();
        if (latency is not null || pending.Count > 0)
        {
            await using var scope = scopes.CreateAsyncScope();
            var stream = scope.ServiceProvider.GetRequiredService<CallStream>();
            await scope.ServiceProvider.GetRequiredService<TenantCalls>()
                .InCallAsync(tenantId, callId, call => stream.RecordMetricsAsync(call, latency is { } l ? [l] : [], pending, ct), ct);
        }

        if (turn.Step is CallStep.Listen)
        {
            return true;
        }

        await WaitForPlaybackAsync(ct);

        // Only send our close: the receive loop is reading and will see the caller's side of the handshake.
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, turn.Step.ToString(), ct);
        return false;
    }

    /// <returns>Milliseconds from the end of the caller's speech to the first agent frame, when measured.</returns>
    private async Task<int?> SpeakAsync(CallTurn turn, TimeSpan? measureFrom, CancellationToken ct)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        lock (state)
        {
            speaking = cts;
            listening = turn.Step == CallStep.Listen;
            listenSeconds = turn.ListenSeconds ?? 6;
        }

        pacer.Restart();
        var first = true;
        int? latency = null;
        foreach (var line in turn.Lines)
        {
            byte[] audio;
            try
            {
                audio = await tts!.SynthesizeMuLawAsync(line, null, cts.Token);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                return latency; // barge-in while synthesizing
            }

            foreach (var frame in AudioFrames.Split(audio))
            {
                if (cts.IsCancellationRequested)
                {
                    return latency;
                }

                await SendAsync(new OutboundMediaStreamMessage.Media(streamSid!, frame), ct);
                if (first && measureFrom is { } from)
                {
                    latency = (int)(clock.Elapsed - from).TotalMilliseconds;
                }

                first = false;
                if (options.PaceAudio)
                {
                    await pacer.FrameSentAsync();
                }
            }

            var name = $"m{Interlocked.Increment(ref marks)}";
            lock (state)
            {
                if (cts.IsCancellationRequested)
                {
                    return latency;
                }

                pendingMarks.Add(name);
            }

            await SendAsync(new OutboundMediaStreamMessage.Mark(streamSid!, name), ct);
        }

        lock (state)
        {
            if (pendingMarks.Count == 0 && speaking == cts)
            {
                // Nothing to play: listening starts now.
                speaking = null;
                listenDeadline = listening ? clock.Elapsed + TimeSpan.FromSeconds(listenSeconds) : null;
            }
        }

        return latency;
    }

    private async Task WaitForPlaybackAsync(CancellationToken ct)
    {
        var until = clock.Elapsed + DrainTimeout;
        while (clock.Elapsed < until && socket.State == WebSocketState.Open)
        {
            lock (state)
            {
                if (pendingMarks.Count == 0)
                {
                    return;
                }
            }

            await Task.Delay(20, ct);
        }
    }

    private async Task FinishAsync(TimeSpan duration)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var calls = scope.ServiceProvider.GetRequiredService<TenantCalls>();
            var stream = scope.ServiceProvider.GetRequiredService<CallStream>();
            var completed = scope.ServiceProvider.GetRequiredService<CallCompleted>();
            var pending = TakeBargeIns();
            await calls.InCallAsync(tenantId, callId, async call =>
            {
                if (pending.Count > 0)
                {
                    await stream.RecordMetricsAsync(call, [], pending, CancellationToken.None);
                }

                await completed.HandleAsync(call, null, (int)Math.Ceiling(duration.TotalSeconds), CancellationToken.None);
                return true;
            }, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Closing realtime call {CallId} failed; the status callback will close it", callId);
        }
    }

    private List<int> TakeBargeIns()
    {
        lock (state)
        {
            var pending = bargeIns.Skip(recordedBargeIns).ToList();
            recordedBargeIns += pending.Count;
            return pending;
        }
    }

    private Task SendAsync(OutboundMediaStreamMessage message, CancellationToken ct) => socket.SendAsync(message, ct);
}
