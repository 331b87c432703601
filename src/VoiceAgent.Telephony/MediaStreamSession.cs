using System.Diagnostics;
using System.Net.WebSockets;
using VoiceAgent.Platform.Observability;
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
/// over the agent) and the end of the caller's turn — and hands finished utterances to a processing loop that runs STT →
/// flow turn → TTS, streaming: what the flow says is synthesized while the flow (and a streaming model) still runs, and
/// synthesized audio leaves as frames piece by piece. End of turn is adaptive: at a short pause
/// (<see cref="VoiceActivityOptions.PauseSilence"/>) what was said so far is transcribed; when it sounds finished
/// (<see cref="UtteranceCompleteness"/>) the turn ends there, otherwise at the long window
/// (<see cref="VoiceActivityOptions.TrailingSilence"/>) with that transcript. Where the tenant's engine streams
/// (<see cref="IStreamingSpeechToText"/>), the utterance's frames go to the call's recognition stream as they are heard and
/// each pause commits what came since the last one, so the pause's transcript needs only the last moments recognized; an
/// utterance with several pauses is the concatenation of its committed segments. A stream that cannot be opened or fails
/// mid-call is given up: that turn and the rest of the call are transcribed whole (<see cref="ISpeechToText"/>).
/// Barge-in cancels everything in flight for the turn — model stream, synthesis, queued frames — and no frame of the old answer is sent after the <c>clear</c>.
/// Waiting for the caller never blocks a thread; every turn is stored, like in gather mode.
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

    /// <summary>The sequential pipeline's fixed end-of-turn window (never ends at a pause: the pause is the window).</summary>
    private static readonly VoiceActivityOptions SequentialEndOfTurn = new()
    {
        TrailingSilence = TimeSpan.FromMilliseconds(700), PauseSilence = TimeSpan.FromMilliseconds(700),
    };
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
    private readonly VoiceActivityDetector vad = new(options.Pipeline == RealtimePipeline.Sequential ? SequentialEndOfTurn : null);
    private readonly bool streaming = options.Pipeline == RealtimePipeline.Streaming;
    private readonly Queue<byte[]> preRoll = new();
    private readonly List<byte[]> utterance = [];
    private readonly HashSet<string> pendingMarks = [];
    private readonly List<int> bargeIns = [];
    private readonly object state = new();
    /// <summary>Guards the caller's audio (detector, utterance, pre-roll, pause transcript): the receive loop and a pause's
    /// finished transcription both decide on it.</summary>
    private readonly Lock frames = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();
    /// <summary>Held while a frame, mark or clear is sent: a barge-in's clear never overtakes a frame of the old answer.</summary>
    private readonly SemaphoreSlim sendGate = new(1, 1);

    private string? streamSid;
    private string? callSid;
    private Guid tenantId;
    private Guid callId;
    private TurnSpeech? speaking;
    private TimeSpan? listenDeadline;
    private int listenSeconds = 6;
    private bool listening;
    private int marks;
    private int recordedBargeIns;
    private ISpeechToText? stt;
    private ITextToSpeech? tts;
    private IStreamingSpeechToText? streamingStt;
    private CancellationToken callEnded;

    /// <summary>The call's recognition stream while it works (under <see cref="frames"/>); null: utterances are transcribed
    /// whole (the engine does not stream, the stream is not open yet, or it failed).</summary>
    private ISpeechToTextStream? sttStream;
    /// <summary>Whether the current utterance's frames go to the stream (decided when it starts), and its commits so far.</summary>
    private bool utteranceStreamed;
    private readonly List<Task<string?>> segments = [];

    /// <summary>The transcript of the utterance up to the current pause (started at the pause), and its audio.</summary>
    private Task<string?>? guess;
    private CancellationTokenSource? guessing;
    private short[]? guessPcm;
    private TimeSpan guessSpeechEnd;

    private abstract record Work;

    private sealed record Begin(CallTurn Turn) : Work;

    /// <param name="EndedAt">When the caller's speech ended (the last speech frame), the start of the mouth-to-ear time.</param>
    /// <param name="Transcript">Already being transcribed (started at a pause), else null.</param>
    private sealed record Utterance(short[] Pcm, TimeSpan EndedAt, Task<string?>? Transcript = null) : Work;

    private sealed record Said(string Text) : Work;

    /// <summary>Turns waiting for the processing loop now (for tests and diagnostics).</summary>
    internal int QueuedTurns => work.Count;

    /// <summary>Why the session closed the stream on its own ("no start", "idle", "flood"), or null.</summary>
    public string? ClosedBecause { get; private set; }

    public async Task RunAsync(CancellationToken requestAborted)
    {
        Task? processor = null;
        IDisposable? logScope = null;
        var started = TimeSpan.Zero;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, abort.Token);
        var ct = linked.Token;
        callEnded = ct;
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

                        // From here on every log line of the call (the processing loop inherits the scope) names tenant and call.
                        logScope = logger.BeginCallScope(tenantId, callSid!);

                        started = clock.Elapsed;

                        // A tenant in OpenAI Realtime mode talks to the speech model; false: not chosen or not reachable.
                        if (await Realtime.OpenAiRealtimeCall.TryRunAsync(socket, streamSid!, tenantId, callId, scopes,
                                () => Volatile.Write(ref lastMedia, time.GetTimestamp()), ct))
                        {
                            return;
                        }

                        OpenRecognitionStream(ct);
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

            await CloseRecognitionStreamAsync();

            await CloseQuietlyAsync(WebSocketCloseStatus.NormalClosure, "bye");
            grace?.Dispose();
            logScope?.Dispose();
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
        var engines = await scope.ServiceProvider.GetRequiredService<RealtimeSpeech>().CallEnginesAsync(tenantId, ct);
        (stt, tts) = (engines.Stt, engines.Tts);
        // Streaming recognition serves the adaptive end of turn; the sequential pipeline (the baseline) transcribes whole.
        streamingStt = streaming ? engines.StreamingStt : null;
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
        var reaction = Stopwatch.StartNew();
        TurnSpeech? interrupted = null;
        lock (frames)
        {
            var detected = vad.Process(frame);
            if (detected is VoiceActivityEvent.SpeechStarted)
            {
                lock (state)
                {
                    interrupted = speaking;
                    speaking = null;
                    pendingMarks.Clear();
                    listenDeadline = null;
                }

                DropGuess();
                utterance.Clear();
                utterance.AddRange(preRoll);
                StreamUtterance(preRoll);
                preRoll.Clear();
            }

            if (vad.InUtterance || detected is VoiceActivityEvent.SpeechEnded)
            {
                utterance.Add(frame);
                if (utteranceStreamed)
                {
                    sttStream?.Append(frame);
                }
            }
            else
            {
                preRoll.Enqueue(frame);
                if (preRoll.Count > PreRollFrames)
                {
                    preRoll.Dequeue();
                }
            }

            if (detected is VoiceActivityEvent.SpeechPaused paused && streaming)
            {
                // The short window: transcribe what was said so far while listening on (see DecideAtPause).
                GuessAt(paused.FrameIndex - paused.LastSpeechFrameIndex);
            }
            else if (guess is not null && vad.InUtterance && !vad.InPause)
            {
                DropGuess(); // the caller went on speaking
            }

            if (detected is VoiceActivityEvent.SpeechEnded ended)
            {
                EndUtterance(ended.FrameIndex - ended.LastSpeechFrameIndex);
            }
            else if (utterance.Count >= MaxUtteranceFrames)
            {
                EndUtterance(0);
            }
        }

        if (interrupted is null)
        {
            return;
        }

        // Barge-in: everything of the turn stops (model stream, synthesis, frames not yet sent), then playback at Twilio.
        // The clear waits for a frame being sent right now, so none follows it.
        await interrupted.Cancellation.CancelAsync();
        if (interrupted.FramesSent > 0)
        {
            await sendGate.WaitAsync(ct);
            try
            {
                await SendAsync(new OutboundMediaStreamMessage.Clear(streamSid!), ct);
            }
            finally
            {
                sendGate.Release();
            }

            lock (state)
            {
                bargeIns.Add((int)reaction.ElapsedMilliseconds);
            }
        }
    }

    /// <summary>The pause's transcript is there: when it sounds finished and the caller is still silent, the turn ends now
    /// (the short window); otherwise the long window or more speech decides.</summary>
    private void DecideAtPause(Task<string?> transcribed)
    {
        lock (frames)
        {
            if (guess == transcribed && vad.InPause && UtteranceCompleteness.IsComplete(transcribed.Result))
            {
                vad.EndUtterance();
                EndUtterance();
            }
        }
    }

    /// <summary>Starts transcribing the utterance so far; <paramref name="silentFrames"/> have passed since the last speech.</summary>
    private void GuessAt(long silentFrames)
    {
        DropGuess();
        guessPcm = MuLaw.Decode(utterance.SelectMany(f => f).ToArray());
        guessSpeechEnd = clock.Elapsed - silentFrames * AudioFrames.FrameDuration;
        guessing = new CancellationTokenSource();
        var pcm = guessPcm;
        var token = guessing.Token;
        var transcribing = CommitSegment()
            ? SegmentsTranscript(pcm, token)
            : Task.Run(() => TranscribeQuietlyAsync(pcm, token), CancellationToken.None);
        guess = transcribing;
        _ = transcribing.ContinueWith(t => DecideAtPause(t), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion,
            TaskScheduler.Default);
    }

    private void DropGuess()
    {
        guessing?.Cancel();
        guessing?.Dispose();
        (guess, guessing, guessPcm) = (null, null, null);
    }

    /// <summary>The turn ends with the audio and transcript of the last pause (nothing but silence came since).</summary>
    private void EndUtterance()
    {
        var item = new Utterance(guessPcm!, guessSpeechEnd, guess);
        (guess, guessPcm) = (null, null);
        segments.Clear(); // they are the guess's
        guessing?.Dispose();
        guessing = null;
        utterance.Clear();
        Enqueue(item);
    }

    /// <summary>The turn ends at the long window (or at the utterance's size cap): the pause's transcript when the caller
    /// said nothing since, else a new one.</summary>
    private void EndUtterance(long silentFrames)
    {
        if (guess is not null && vad.InUtterance is false)
        {
            EndUtterance();
            return;
        }

        DropGuess();
        var pcm = MuLaw.Decode(utterance.SelectMany(f => f).ToArray());
        utterance.Clear();
        // Streamed: the rest since the last pause is committed; the segments before it were transcribed at their pauses.
        var transcript = CommitSegment() ? SegmentsTranscript(pcm, callEnded) : null;
        segments.Clear();
        Enqueue(new Utterance(pcm, clock.Elapsed - silentFrames * AudioFrames.FrameDuration, transcript));
    }

    /// <summary>A new utterance goes to the recognition stream when it works: what the stream holds uncommitted (speech
    /// before a restart, silence after the last commit) is discarded, then the pre-roll is appended.</summary>
    private void StreamUtterance(IEnumerable<byte[]> preRollFrames)
    {
        segments.Clear();
        utteranceStreamed = sttStream is not null;
        if (sttStream is { } stream)
        {
            stream.Clear();
            foreach (var frame in preRollFrames)
            {
                stream.Append(frame);
            }
        }
    }

    /// <summary>Commits what the stream heard since the utterance's last commit: one more segment.</summary>
    /// <returns>False when the utterance is not (or no longer) streamed: it is transcribed whole.</returns>
    private bool CommitSegment()
    {
        if (!utteranceStreamed)
        {
            return false;
        }

        if (sttStream is not { } stream)
        {
            utteranceStreamed = false; // the stream failed during the utterance
            return false;
        }

        segments.Add(stream.CommitAsync(callEnded));
        return true;
    }

    /// <summary>The utterance's transcript: its committed segments, each transcribed once, joined. When the stream failed,
    /// the whole utterance (<paramref name="pcm"/>) is transcribed instead, and the stream is given up for the call.</summary>
    private Task<string?> SegmentsTranscript(short[] pcm, CancellationToken ct)
    {
        var parts = segments.ToArray();
        var stream = sttStream;
        return Task.Run(async () =>
        {
            try
            {
                var texts = await Task.WhenAll(parts);
                var joined = string.Join(" ", texts.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t!.Trim()));
                return joined.Length == 0 ? null : joined;
            }
            catch (VoiceAgent.Flows.Runtime.PortException ex)
            {
                RecognitionStreamFailed(stream, "failed: " + ex.Message);
                return await TranscribeQuietlyAsync(pcm, ct);
            }
        }, CancellationToken.None);
    }

    /// <summary>Opens the call's recognition stream in the background (the greeting plays meanwhile). It is used at once:
    /// what an utterance appends and commits before it is open waits in it. If it cannot be opened, the commits fail, and
    /// that utterance and every later one are transcribed whole.</summary>
    private void OpenRecognitionStream(CancellationToken ct)
    {
        if (streamingStt is not { } engine)
        {
            return;
        }

        var stream = new OpeningSpeechToTextStream(engine, ct);
        lock (frames)
        {
            sttStream = stream;
        }

        _ = stream.Opened.ContinueWith(opened => RecognitionStreamFailed(stream, "could not be opened: " + opened.Exception!.InnerException!.Message),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    /// <summary>The stream failed (dropped, a failed transcription, no answer in time): the call goes on transcribing whole utterances.</summary>
    private void RecognitionStreamFailed(ISpeechToTextStream? failed, string reason)
    {
        lock (frames)
        {
            if (failed is null || sttStream != failed)
            {
                return; // given up already
            }

            sttStream = null; // never used again in this call
        }

        logger.LogWarning("Streaming speech recognition of call {CallId}: {Message}; transcribing whole utterances from now on", callId, reason);
        _ = failed.DisposeAsync().AsTask();
    }

    private async Task CloseRecognitionStreamAsync()
    {
        ISpeechToTextStream? open;
        lock (frames)
        {
            (open, sttStream) = (sttStream, null);
        }

        if (open is not null)
        {
            await open.DisposeAsync();
        }
    }

    /// <returns>The text, or null when nothing intelligible was said or the engine failed (logged).</returns>
    private async Task<string?> TranscribeQuietlyAsync(short[] pcm, CancellationToken ct)
    {
        try
        {
            return await stt!.TranscribeAsync(pcm, ct);
        }
        catch (VoiceAgent.Flows.Runtime.PortException ex)
        {
            logger.LogWarning("Speech recognition failed for call {CallId}: {Message}", callId, ex.Message);
            return null;
        }
    }

    private void OnMark(string name)
    {
        lock (state)
        {
            pendingMarks.Remove(name);
            if (pendingMarks.Count == 0 && speaking is not null && speaking.Cancellation.IsCancellationRequested is false && listening)
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
        TurnSpeech? speech = null;
        Task<int?>? speaker = null;
        await using (var scope = scopes.CreateAsyncScope())
        try
        {
            // The stream token names tenant and call: each turn reads the call by id in the tenant's scope.
            var calls = scope.ServiceProvider.GetRequiredService<TenantCalls>();
            var callerTurn = scope.ServiceProvider.GetRequiredService<CallerTurn>();
            switch (item)
            {
                case Begin begin:
                    // The greeting was run when the stream started: its lines are spoken now.
                    turn = begin.Turn;
                    speech = BeginTurn(ct);
                    speaker = SpeakAsync(speech, null, ct);
                    foreach (var line in turn.Lines)
                    {
                        await speech.SayAsync(line, ct);
                    }

                    speech.Complete();
                    break;
                case Utterance spoken:
                    measureFrom = spoken.EndedAt;
                    speech = BeginTurn(ct);
                    speaker = SpeakAsync(speech, measureFrom, ct);
                    var text = spoken.Transcript is { } transcript ? await transcript : await TranscribeQuietlyAsync(spoken.Pcm, ct);

                    // Nothing intelligible is a "not understood" turn, not silence.
                    turn = await RunTurnAsync(calls, callerTurn, text ?? "?", speech, ct);
                    break;
                case Said said:
                    speech = BeginTurn(ct);
                    speaker = SpeakAsync(speech, null, ct);
                    turn = await RunTurnAsync(calls, callerTurn, said.Text, speech, ct);
                    break;
                default:
                    return true;
            }
        }
        catch
        {
            // The turn failed before its speech was complete: stop the speaker rather than leave it waiting for lines.
            if (speech is not null)
            {
                await speech.Cancellation.CancelAsync();
                speech.Complete();
            }

            throw;
        }

        if (speech is null || speaker is null)
        {
            return true;
        }

        var latency = await speaker;
        EndTurn(speech, turn);
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

    /// <summary>Runs the flow's turn with live speech; the speech is complete when the turn is over, however it ends.</summary>
    private async Task<CallTurn> RunTurnAsync(TenantCalls calls, CallerTurn callerTurn, string text, TurnSpeech speech, CancellationToken ct)
    {
        try
        {
            if (streaming)
            {
                return await calls.InCallAsync(tenantId, callId, call => callerTurn.HandleAsync(call, text, ct, speech), ct);
            }

            // Sequential: the whole turn first, then its lines.
            var turn = await calls.InCallAsync(tenantId, callId, call => callerTurn.HandleAsync(call, text, ct), ct);
            foreach (var line in turn.Lines)
            {
                await speech.SayAsync(line, ct);
            }

            return turn;
        }
        finally
        {
            speech.Complete();
        }
    }

    /// <summary>A new agent turn: from now on the caller speaking is a barge-in that cancels it.</summary>
    private TurnSpeech BeginTurn(CancellationToken ct)
    {
        var speech = new TurnSpeech(CancellationTokenSource.CreateLinkedTokenSource(ct));
        lock (state)
        {
            speaking = speech;
            listening = false;
        }

        return speech;
    }

    /// <summary>The turn's speech is sent: listening starts now when nothing is left to play, else at the last mark.</summary>
    private void EndTurn(TurnSpeech speech, CallTurn turn)
    {
        lock (state)
        {
            listening = turn.Step == CallStep.Listen;
            listenSeconds = turn.ListenSeconds ?? 6;
            if (pendingMarks.Count == 0 && speaking == speech)
            {
                speaking = null;
                listenDeadline = listening ? clock.Elapsed + TimeSpan.FromSeconds(listenSeconds) : null;
            }
        }
    }

    /// <summary>
    /// Speaks the turn's lines as they come: each line is synthesized as a stream and its audio leaves in 20 ms frames as
    /// soon as there is enough for one (paced after the lead), with a mark after each line. Synthesis runs ahead of the
    /// paced sending (the next sentence is synthesized while this one plays), so sentences follow without a gap.
    /// </summary>
    /// <returns>Milliseconds from the end of the caller's speech to the first agent frame, when measured.</returns>
    private async Task<int?> SpeakAsync(TurnSpeech speech, TimeSpan? measureFrom, CancellationToken ct)
    {
        var cts = speech.Cancellation;
        await Task.Yield(); // the caller goes on to run the turn
        pacer.Restart();
        int? latency = null;
        // Audio pieces in order; null ends a line (a mark follows).
        var audio = System.Threading.Channels.Channel.CreateUnbounded<byte[]?>(new() { SingleReader = true, SingleWriter = true });
        var synthesis = SynthesizeAsync(speech, audio.Writer, cts.Token);
        var pending = new byte[AudioFrames.FrameBytes];
        var filled = 0;
        try
        {
            await foreach (var piece in audio.Reader.ReadAllAsync(cts.Token))
            {
                if (piece is null)
                {
                    if (filled > 0)
                    {
                        pending.AsSpan(filled).Fill(MuLaw.Silence);
                        filled = 0;
                        if (!await SendFrameAsync(pending, speech, ct))
                        {
                            break;
                        }

                        latency ??= measureFrom is { } from ? (int)(clock.Elapsed - from).TotalMilliseconds : null;
                    }

                    if (!await SendMarkAsync(cts, ct))
                    {
                        break;
                    }

                    continue;
                }

                for (var offset = 0; offset < piece.Length;)
                {
                    var take = Math.Min(piece.Length - offset, pending.Length - filled);
                    piece.AsSpan(offset, take).CopyTo(pending.AsSpan(filled));
                    (offset, filled) = (offset + take, filled + take);
                    if (filled == pending.Length)
                    {
                        filled = 0;
                        if (!await SendFrameAsync(pending, speech, ct))
                        {
                            return latency;
                        }

                        latency ??= measureFrom is { } from ? (int)(clock.Elapsed - from).TotalMilliseconds : null;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // Barge-in while waiting for audio.
        }
        finally
        {
            await synthesis.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }

        return latency;
    }

    /// <summary>Synthesizes the turn's lines one after the other into <paramref name="audio"/> (streaming engines piece by
    /// piece; the sequential pipeline whole lines), a null after each line.</summary>
    private async Task SynthesizeAsync(TurnSpeech speech, System.Threading.Channels.ChannelWriter<byte[]?> audio, CancellationToken turn)
    {
        try
        {
            await foreach (var line in speech.Lines.ReadAllAsync(turn))
            {
                try
                {
                    var pieces = streaming ? tts!.StreamMuLawAsync(line, null, turn) : SpeechStreams.Whole(tts!, line, null, turn);
                    await foreach (var piece in pieces)
                    {
                        audio.TryWrite(piece);
                    }
                }
                catch (VoiceAgent.Flows.Runtime.PortException ex)
                {
                    // One line the engine could not say: the rest of the turn is still spoken.
                    logger.LogWarning("Speech synthesis failed for call {CallId}: {Message}", callId, ex.Message);
                }

                audio.TryWrite(null);
            }
        }
        catch (OperationCanceledException) when (turn.IsCancellationRequested)
        {
            // Barge-in or the call ended: nothing more of this turn is synthesized.
        }
        finally
        {
            audio.TryComplete();
        }
    }

    /// <returns>False when the turn was interrupted (the frame is not sent).</returns>
    private async Task<bool> SendFrameAsync(byte[] frame, TurnSpeech turn, CancellationToken ct)
    {
        await sendGate.WaitAsync(ct);
        try
        {
            if (turn.Cancellation.IsCancellationRequested)
            {
                return false;
            }

            await SendAsync(new OutboundMediaStreamMessage.Media(streamSid!, frame.ToArray()), ct);
            turn.FramesSent++;
        }
        finally
        {
            sendGate.Release();
        }

        if (options.PaceAudio)
        {
            await pacer.FrameSentAsync();
        }

        return true;
    }

    private async Task<bool> SendMarkAsync(CancellationTokenSource turn, CancellationToken ct)
    {
        var name = $"m{Interlocked.Increment(ref marks)}";
        await sendGate.WaitAsync(ct);
        try
        {
            lock (state)
            {
                if (turn.IsCancellationRequested)
                {
                    return false;
                }

                pendingMarks.Add(name);
            }

            await SendAsync(new OutboundMediaStreamMessage.Mark(streamSid!, name), ct);
            return true;
        }
        finally
        {
            sendGate.Release();
        }
    }

    /// <summary>One agent turn's speech while the flow runs: lines queue up for <see cref="SpeakAsync"/>; a barge-in
    /// cancels <see cref="Cancellation"/>, after which lines are dropped.</summary>
    private sealed class TurnSpeech(CancellationTokenSource cancellation) : VoiceAgent.Platform.Ports.ILiveSpeech
    {
        private readonly System.Threading.Channels.Channel<string> lines =
            System.Threading.Channels.Channel.CreateUnbounded<string>(new() { SingleReader = true });

        public CancellationTokenSource Cancellation => cancellation;

        /// <summary>Frames of this turn that went out (only the speaker writes it; a barge-in reads it).</summary>
        public int FramesSent { get; set; }

        public System.Threading.Channels.ChannelReader<string> Lines => lines.Reader;

        public CancellationToken Interrupted => cancellation.Token;

        public ValueTask SayAsync(string text, CancellationToken cancellationToken)
        {
            if (!cancellation.IsCancellationRequested && !string.IsNullOrWhiteSpace(text))
            {
                lines.Writer.TryWrite(text);
            }

            return ValueTask.CompletedTask;
        }

        public void Complete() => lines.Writer.TryComplete();
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
