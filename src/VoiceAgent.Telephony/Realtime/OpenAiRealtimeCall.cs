using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenAI.Realtime;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Ports;
using VoiceAgent.Platform.Security;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Calls;
using VoiceAgent.Telephony.Speech;
using VoiceAgent.Telephony.Twilio;

// The SDK marks its Realtime client experimental (OPENAI002); the wire protocol it speaks is OpenAI's GA interface.
#pragma warning disable OPENAI002

namespace VoiceAgent.Telephony.Realtime;

/// <summary>
/// A call in a tenant's OpenAI Realtime mode: the caller's μ-law frames go to the speech model as they come
/// (<c>input_audio_buffer.append</c>, base64 as Twilio sent it) and its μ-law audio goes straight back to Twilio in 160-byte
/// frames — no transcoding, no resampling. The model detects the end of the caller's turn itself (server VAD); when the
/// caller speaks over the agent, Twilio's buffer is cleared and the running response cancelled, and no delta of that response
/// is forwarded afterwards. Calendar actions of the flow are function calls (<see cref="RealtimeFlowTools"/>) run in the
/// tenant's scope. The transcript goes into the call's flow session like any call's, turn latencies (end of caller speech →
/// first audio frame out) and barge-in reaction times into the call's metrics, and the call is completed with its duration
/// (<see cref="CallCompleted"/>), so billing counts the minutes.
/// <para>
/// Transport: the OpenAI .NET SDK's <see cref="RealtimeClient"/> opens the WebSocket (endpoint from
/// <see cref="OpenAiOptions.Endpoint"/> with "/realtime?model=…", bearer key, the "realtime" sub-protocol); the events are sent
/// and read as the GA wire JSON through its protocol methods. Its typed session options are not used: we need the exact GA
/// shape (<c>audio.input.format.type = "audio/pcmu"</c>, transcription language) and the unparsed events to forward audio
/// without a copy through its models.
/// </para>
/// </summary>
public sealed class OpenAiRealtimeCall
{
    private readonly MediaStreamSocket twilio;
    private readonly string streamSid;
    private readonly Guid tenantId;
    private readonly Guid callId;
    private readonly IServiceScopeFactory scopes;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly string keyHint;
    private readonly RealtimeSetup setup;
    private readonly object state = new();
    private readonly List<TranscriptEntry> transcript = [];
    private readonly List<int> turnLatencies = [];
    private readonly List<int> bargeIns = [];
    private readonly HashSet<string> cancelled = new(StringComparer.Ordinal);
    private readonly List<byte> pendingAudio = [];
    private readonly Dictionary<string, TaskCompletionSource> marks = new(StringComparer.Ordinal);

    private RealtimeSessionClient? openAi;
    private string? activeResponse;
    private string? greetingResponse;
    private long? speechStoppedAt;
    private bool toolOutputsPending;
    private RealtimeToolResult? finalAction;
    private int markCount;
    private int stopReading;
    private bool sessionReady;
    private bool sessionRefused;

    private OpenAiRealtimeCall(MediaStreamSocket twilio, string streamSid, Guid tenantId, Guid callId, IServiceScopeFactory scopes, TimeProvider time,
        ILogger logger, string keyHint, RealtimeSetup setup)
    {
        (this.twilio, this.streamSid, this.tenantId, this.callId, this.scopes, this.time, this.logger, this.keyHint, this.setup) =
            (twilio, streamSid, tenantId, callId, scopes, time, logger, keyHint, setup);
    }

    /// <summary>The transfer target the model chose (allow-listed), when the call leaves the stream to dial.</summary>
    public const string TransferOutcome = "realtime-transfer";

    /// <summary>The call's outcome once the model ended the call (end_call): the stream's close is planned, not a drop.</summary>
    public const string EndOutcome = "realtime-end";

    /// <summary>
    /// Runs the call in Realtime mode when the tenant chose it. Returns false when it did not, or when the Realtime
    /// connection could not be opened or dropped: the media stream then goes on with the normal pipeline (never silence).
    /// </summary>
    /// <param name="onMedia">Called for every caller frame (the media stream's idle watchdog).</param>
    public static async Task<bool> TryRunAsync(MediaStreamSocket twilio, string streamSid, Guid tenantId, Guid callId, IServiceScopeFactory scopes,
        Action onMedia, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        if (await services.GetRequiredService<TenantSpeechSettings>().RealtimeAsync(tenantId, ct) is not { } choice)
        {
            return false;
        }

        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<OpenAiRealtimeCall>();
        var db = services.GetRequiredService<VoiceAgentDb>();
        var prompts = services.GetService<ITenantPromptText>();
        var setup = await services.GetRequiredService<TenantCalls>().InCallAsync(tenantId, callId, call => RealtimeSetup.LoadAsync(db, prompts, call, ct), ct);
        if (setup is null)
        {
            return false;
        }

        var options = services.GetRequiredService<IOptions<OpenAiOptions>>().Value;
        var call = new OpenAiRealtimeCall(twilio, streamSid, tenantId, callId, scopes, time, logger, SecretHint.For(choice.ApiKey), setup);
        return await call.RunAsync(options, choice, onMedia, ct);
    }

    private async Task<bool> RunAsync(OpenAiOptions options, RealtimeChoice choice, Action onMedia, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        try
        {
            openAi = await ConnectAsync(options, choice.ApiKey, ct);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException or ClientResultException
                                       || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            logger.LogWarning("OpenAI Realtime connection for call {CallId} failed (key {KeyHint}): {Message}; using the normal pipeline",
                callId, keyHint, ex.Message);
            return false;
        }

        using var session = openAi;
        using var modelStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bool dropped;
        try
        {
            await SendAsync(setup.SessionUpdate(options.TranscriptionModel, choice.Voice, options.RealtimeSilenceMs), ct);
            await SendAsync(setup.GreetingResponse(), ct);
            var fromCaller = CallerToModelAsync(onMedia, ct);
            var fromModel = ModelToCallerAsync(modelStop.Token);
            var first = await Task.WhenAny(fromCaller, fromModel);
            // The caller's loop also ends when forwarding a frame to a model that is gone: that is a drop, not a hang-up,
            // as long as Twilio's socket is still open.
            if (first == fromCaller && (fromCaller.IsCompletedSuccessfully || twilio.State != WebSocketState.Open))
            {
                // The caller hung up: the model's side is closed and its reader stopped.
                dropped = false;
                await CloseQuietlyAsync(session);
                await modelStop.CancelAsync();
            }
            else
            {
                dropped = first == fromCaller || !await Succeeded(fromModel) || sessionRefused;
                if (first == fromCaller)
                {
                    await modelStop.CancelAsync();
                }
                else if (dropped)
                {
                    // Reading from Twilio ends after the next frame (cancelling the read would abort the caller's socket).
                    Volatile.Write(ref stopReading, 1);
                }
                else
                {
                    // Only our close: the caller's reader sees Twilio's side of the handshake and ends.
                    await twilio.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, finalAction?.Action.ToString() ?? "end", ct);
                }
            }

            await Succeeded(fromCaller);
            await Succeeded(fromModel);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            dropped = !ct.IsCancellationRequested && finalAction is null;
            logger.LogWarning("OpenAI Realtime session of call {CallId} (key {KeyHint}) ended: {Message}", callId, keyHint, ex.Message);
        }

        await CloseQuietlyAsync(session);
        if (dropped && !ct.IsCancellationRequested && twilio.State == WebSocketState.Open)
        {
            // The model is gone mid-call: what was said is kept, and the normal pipeline answers from here.
            logger.LogWarning("OpenAI Realtime session of call {CallId} (key {KeyHint}) dropped; using the normal pipeline", callId, keyHint);
            await FlushAsync(CancellationToken.None);
            return false;
        }

        await FinishAsync(time.GetElapsedTime(started));
        return true;
    }

    /// <summary>Awaits a loop; a socket failure or cancellation counts as "did not end as planned" (logged, not thrown).</summary>
    private async Task<bool> Succeeded(Task loop)
    {
        try
        {
            await loop;
            return loop is not Task<bool> planned || planned.Result;
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            logger.LogInformation("OpenAI Realtime call {CallId}: a stream ended: {Message}", callId, ex.Message);
            return false;
        }
    }

    private Task<RealtimeSessionClient> ConnectAsync(OpenAiOptions options, string key, CancellationToken ct) =>
        OpenAiRealtimeSockets.ConnectAsync(options, key, options.RealtimeModel, time, ct);

    /// <returns>When the caller hung up (stop, close) or the call ends.</returns>
    private async Task CallerToModelAsync(Action onMedia, CancellationToken ct)
    {
        while (twilio.State == WebSocketState.Open && !ct.IsCancellationRequested && Volatile.Read(ref stopReading) == 0)
        {
            if (await twilio.ReceiveAsync(ct) is not { } bytes)
            {
                return;
            }

            switch (MediaStreamMessage.Parse(bytes.Span))
            {
                case MediaStreamMessage.Media media when media.Track is "inbound" or "inbound_track" && Volatile.Read(ref stopReading) == 0:
                    onMedia();
                    await SendAsync(new JsonObject
                    {
                        ["type"] = "input_audio_buffer.append",
                        ["audio"] = Convert.ToBase64String(media.Payload.Span),
                    }, ct);
                    break;
                case MediaStreamMessage.Mark mark:
                    lock (state)
                    {
                        if (marks.Remove(mark.Name, out var played))
                        {
                            played.TrySetResult();
                        }
                    }

                    break;
                case MediaStreamMessage.Stop:
                    return;
            }
        }
    }

    /// <returns>True when the session ended as planned (end_call, transfer), false when the model's socket closed or failed.</returns>
    private async Task<bool> ModelToCallerAsync(CancellationToken ct)
    {
        await foreach (var message in OpenAiRealtimeSockets.ReceiveAsync(openAi!, ct))
        {
            if (!await OnModelEventAsync(message, ct))
            {
                return true;
            }
        }

        return false;
    }

    /// <returns>False when the call is over.</returns>
    private async Task<bool> OnModelEventAsync(JsonObject message, CancellationToken ct)
    {
        switch ((string?)message["type"])
        {
            case "response.created":
                lock (state)
                {
                    activeResponse = (string?)message["response"]?["id"];
                    greetingResponse ??= activeResponse;
                }

                break;
            case "response.output_audio.delta":
                await ForwardAudioAsync((string?)message["response_id"], (string?)message["delta"], ct);
                break;
            case "response.output_audio.done":
                await FlushAudioAsync((string?)message["response_id"], ct);
                break;
            case "input_audio_buffer.speech_started":
                await BargeInAsync(ct);
                break;
            case "input_audio_buffer.speech_stopped":
                lock (state)
                {
                    speechStoppedAt = time.GetTimestamp();
                }

                break;
            case "conversation.item.input_audio_transcription.completed" when (string?)message["transcript"] is { Length: > 0 } heard:
                Transcribe(TranscriptRole.Caller, heard);
                break;
            case "response.output_audio_transcript.done" when (string?)message["transcript"] is { Length: > 0 } said:
                // The greeting's words are in the transcript already: the flow's first turn recorded them.
                if ((string?)message["response_id"] != greetingResponse)
                {
                    Transcribe(TranscriptRole.Agent, said);
                }

                break;
            case "response.function_call_arguments.done":
                await RunToolAsync((string?)message["call_id"] ?? "", (string?)message["name"] ?? "", (string?)message["arguments"] ?? "{}", ct);
                break;
            case "response.done":
                return await ResponseDoneAsync((string?)message["response"]?["id"], ct);
            case "session.updated":
                sessionReady = true;
                break;
            case "error" when !sessionReady:
                // The session was not configured (μ-law, tools): its audio would not be the caller's format. The normal
                // pipeline takes the call instead.
                logger.LogWarning("OpenAI Realtime refused the session of call {CallId} (key {KeyHint}): {Code} {Message}", callId, keyHint,
                    (string?)message["error"]?["code"], (string?)message["error"]?["message"]);
                sessionRefused = true;
                return false;
            case "error":
                // Logged, not spoken: the model's error must not reach the caller as stale or invented speech.
                logger.LogWarning("OpenAI Realtime error in call {CallId} (key {KeyHint}): {Type} {Code} {Message}", callId, keyHint,
                    (string?)message["error"]?["type"], (string?)message["error"]?["code"], (string?)message["error"]?["message"]);
                break;
        }

        return true;
    }

    private async Task ForwardAudioAsync(string? responseId, string? delta, CancellationToken ct)
    {
        if (delta is null)
        {
            return;
        }

        var frames = new List<byte[]>();
        int? latency = null;
        lock (state)
        {
            if (responseId is not null && cancelled.Contains(responseId))
            {
                return; // a delta of the response the caller interrupted: never played after the clear
            }

            pendingAudio.AddRange(Convert.FromBase64String(delta));
            while (pendingAudio.Count >= VoiceAgent.Platform.Audio.AudioFrames.FrameBytes)
            {
                frames.Add([.. pendingAudio.GetRange(0, VoiceAgent.Platform.Audio.AudioFrames.FrameBytes)]);
                pendingAudio.RemoveRange(0, VoiceAgent.Platform.Audio.AudioFrames.FrameBytes);
            }

            if (frames.Count > 0 && speechStoppedAt is { } stopped)
            {
                latency = (int)time.GetElapsedTime(stopped).TotalMilliseconds;
                turnLatencies.Add(latency.Value);
                speechStoppedAt = null;
            }
        }

        foreach (var frame in frames)
        {
            await twilio.SendAsync(new OutboundMediaStreamMessage.Media(streamSid, frame), ct);
        }
    }

    /// <summary>The rest of a response's audio (less than a frame) goes out as it is: what the model said, byte for byte.</summary>
    private async Task FlushAudioAsync(string? responseId, CancellationToken ct)
    {
        byte[] rest;
        lock (state)
        {
            if (pendingAudio.Count == 0 || (responseId is not null && cancelled.Contains(responseId)))
            {
                return;
            }

            rest = [.. pendingAudio];
            pendingAudio.Clear();
        }

        await twilio.SendAsync(new OutboundMediaStreamMessage.Media(streamSid, rest), ct);
    }

    private async Task BargeInAsync(CancellationToken ct)
    {
        var heard = time.GetTimestamp();
        string? interrupted;
        lock (state)
        {
            interrupted = activeResponse;
            speechStoppedAt = null;
            if (interrupted is not null)
            {
                cancelled.Add(interrupted);
            }

            pendingAudio.Clear();
        }

        // Twilio's buffer is cleared even when the response is complete: its audio may still be playing.
        await twilio.SendAsync(new OutboundMediaStreamMessage.Clear(streamSid), ct);
        if (interrupted is not null)
        {
            await SendAsync(new JsonObject { ["type"] = "response.cancel", ["response_id"] = interrupted }, ct);
            lock (state)
            {
                bargeIns.Add((int)time.GetElapsedTime(heard).TotalMilliseconds);
            }
        }
    }

    private async Task RunToolAsync(string toolCallId, string name, string arguments, CancellationToken ct)
    {
        RealtimeToolResult result;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var services = scope.ServiceProvider;
            var db = services.GetRequiredService<VoiceAgentDb>();
            result = await services.GetRequiredService<TenantCalls>().InCallAsync(tenantId, callId, async call =>
            {
                var calendar = await services.GetRequiredService<ITenantCalendars>().ForTenantAsync(tenantId, ct);
                var outcome = await setup.Tools.RunAsync(name, arguments, calendar, db, tenantId, setup.CallerNumber, setup.InstanceId, ct);
                if (outcome.Action != RealtimeCallAction.None && call is not null)
                {
                    // Recorded before the goodbye plays: when the stream closes, CallStream.AfterAsync knows the end (or the
                    // transfer and its target) was planned and not a dropped connection.
                    call.Call.Outcome = outcome.Action == RealtimeCallAction.Transfer ? TransferOutcome : EndOutcome;
                    call.Call.DialTarget = outcome.Action == RealtimeCallAction.Transfer ? outcome.Target : call.Call.DialTarget;
                    await db.SaveChangesAsync(ct);
                }

                return outcome;
            }, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Realtime tool {Tool} of call {CallId} failed", name, callId);
            result = new RealtimeToolResult("""{"error":"failed"}""");
        }

        lock (state)
        {
            toolOutputsPending = true;
            if (result.Action != RealtimeCallAction.None)
            {
                finalAction = result;
            }
        }

        await SendAsync(new JsonObject
        {
            ["type"] = "conversation.item.create",
            ["item"] = new JsonObject { ["type"] = "function_call_output", ["call_id"] = toolCallId, ["output"] = result.Output },
        }, ct);
    }

    /// <returns>False when the call is over (end_call or a transfer, after the response's audio played).</returns>
    private async Task<bool> ResponseDoneAsync(string? responseId, CancellationToken ct)
    {
        bool answerTools;
        RealtimeToolResult? action;
        lock (state)
        {
            if (activeResponse == responseId)
            {
                activeResponse = null;
            }

            answerTools = toolOutputsPending;
            toolOutputsPending = false;
            action = finalAction;
        }

        await FlushAudioAsync(responseId, ct);
        await FlushAsync(ct);
        if (action is not null)
        {
            await PlayedAsync(ct);
            return false;
        }

        if (answerTools)
        {
            // The model answers with what the tools returned (a new response, once the one that called them is done).
            await SendAsync(new JsonObject { ["type"] = "response.create" }, ct);
        }

        return true;
    }

    /// <summary>Waits until Twilio played what was sent (a mark comes back), so the goodbye is heard before the stream ends.</summary>
    private async Task PlayedAsync(CancellationToken ct)
    {
        var played = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var name = $"rt{Interlocked.Increment(ref markCount)}";
        lock (state)
        {
            marks[name] = played;
        }

        await twilio.SendAsync(new OutboundMediaStreamMessage.Mark(streamSid, name), ct);
        await played.Task.WaitAsync(TimeSpan.FromSeconds(15), time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private void Transcribe(TranscriptRole role, string text)
    {
        lock (state)
        {
            transcript.Add(new TranscriptEntry(role, text.Trim(), null, time.GetUtcNow()));
        }
    }

    /// <summary>Stores the transcript lines and metrics gathered since the last flush with the call's flow session.</summary>
    private async Task FlushAsync(CancellationToken ct)
    {
        List<TranscriptEntry> lines;
        List<int> latencies;
        List<int> reactions;
        lock (state)
        {
            (lines, latencies, reactions) = ([.. transcript], [.. turnLatencies], [.. bargeIns]);
            transcript.Clear();
            turnLatencies.Clear();
            bargeIns.Clear();
        }

        if (lines.Count == 0 && latencies.Count == 0 && reactions.Count == 0)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        var stream = scope.ServiceProvider.GetRequiredService<CallStream>();
        await scope.ServiceProvider.GetRequiredService<TenantCalls>().InCallAsync(tenantId, callId, async call =>
        {
            if (call is not { Call.SessionId: { } sessionId })
            {
                return false;
            }

            if (lines.Count > 0)
            {
                var session = await db.FlowSessions.FromSqlInterpolated($"SELECT *, xmin FROM flow_sessions WHERE id = {sessionId} FOR UPDATE").SingleAsync(ct);
                var instance = FlowInstance.FromJson(session.State);
                instance.Transcript.AddRange(lines);
                session.State = instance.ToJson();
                session.UpdatedAt = time.GetUtcNow();
            }

            return await stream.RecordMetricsAsync(call, latencies, reactions, ct);
        }, ct);
    }

    /// <summary>The call's books: transcript and metrics, a transfer target to dial, then the end with its duration.</summary>
    private async Task FinishAsync(TimeSpan duration)
    {
        try
        {
            await FlushAsync(CancellationToken.None);
            await using var scope = scopes.CreateAsyncScope();
            var completed = scope.ServiceProvider.GetRequiredService<CallCompleted>();
            var action = finalAction;
            await scope.ServiceProvider.GetRequiredService<TenantCalls>().InCallAsync(tenantId, callId, async call =>
            {
                if (call is null)
                {
                    return false;
                }

                if (action is { Action: RealtimeCallAction.Transfer, Target: { } target })
                {
                    // Dialled when the stream's TwiML action asks what comes next (CallStream.AfterAsync); the call is not over.
                    call.Call.DialTarget = target;
                    call.Call.Outcome = TransferOutcome;
                    await scope.ServiceProvider.GetRequiredService<VoiceAgentDb>().SaveChangesAsync(CancellationToken.None);
                    return true;
                }

                await completed.HandleAsync(call, null, (int)Math.Ceiling(duration.TotalSeconds), CancellationToken.None);
                return true;
            }, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Closing OpenAI Realtime call {CallId} failed; the status callback will close it", callId);
        }
    }

    private Task SendAsync(JsonObject message, CancellationToken ct) => OpenAiRealtimeSockets.SendAsync(openAi!, message, ct);

    private async Task CloseQuietlyAsync(RealtimeSessionClient session)
    {
        if (!await OpenAiRealtimeSockets.CloseQuietlyAsync(session))
        {
            logger.LogDebug("OpenAI Realtime socket of call {CallId} closed abruptly", callId);
        }
    }
}
