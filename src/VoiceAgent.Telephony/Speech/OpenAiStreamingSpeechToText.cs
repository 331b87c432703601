using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OpenAI.Realtime;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Security;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Realtime;

// The SDK marks its Realtime client experimental (OPENAI002); the wire protocol it speaks is OpenAI's GA interface.
#pragma warning disable OPENAI002

namespace VoiceAgent.Telephony.Speech;

/// <summary>
/// Streaming recognition over OpenAI's Realtime transcription session (<c>/v1/realtime?intent=transcription</c>, GA
/// interface): the caller's μ-law goes up as it is heard (<c>input_audio_buffer.append</c>, <c>audio/pcmu</c>: no
/// resampling), turn detection is ours (<c>turn_detection: null</c>), and a commit is answered with the transcript of the
/// audio since the previous one (<c>input_audio_buffer.committed</c> names the item, its
/// <c>conversation.item.input_audio_transcription.completed</c> carries the text). Only the "gpt-4o…transcribe" models
/// stream; whisper-1 does not (see <see cref="Streams"/>).
/// </summary>
public sealed class OpenAiStreamingSpeechToText : IStreamingSpeechToText
{
    private readonly OpenAiOptions options;
    private readonly TimeProvider time;
    private readonly string keyHint;

    /// <param name="options">Needs <see cref="OpenAiOptions.ApiKey"/>; uses <see cref="OpenAiOptions.TranscriptionModel"/>,
    /// and <see cref="OpenAiOptions.Timeout"/> for opening and for each commit's transcript.</param>
    public OpenAiStreamingSpeechToText(OpenAiOptions options, TimeProvider time)
    {
        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            throw new ArgumentException("An OpenAI API key is required for speech recognition.", nameof(options));
        }

        (this.options, this.time, keyHint) = (options, time, SecretHint.For(options.ApiKey));
    }

    /// <summary>Whether a transcription model streams in a Realtime transcription session.</summary>
    public static bool Streams(string model) =>
        model.StartsWith("gpt-4o", StringComparison.Ordinal) && model.Contains("transcribe", StringComparison.Ordinal);

    /// <summary>The GA <c>session.update</c> of a transcription session: μ-law 8 kHz in, German, no server turn detection.</summary>
    public static JsonObject SessionUpdate(string model) => new()
    {
        ["type"] = "session.update",
        ["session"] = new JsonObject
        {
            ["type"] = "transcription",
            ["audio"] = new JsonObject
            {
                ["input"] = new JsonObject
                {
                    ["format"] = new JsonObject { ["type"] = "audio/pcmu" },
                    ["transcription"] = new JsonObject { ["model"] = model, ["language"] = OpenAiSpeechToText.Language },
                    ["turn_detection"] = null,
                },
            },
        },
    };

    /// <summary>Connects and configures the session; the stream is returned once OpenAI confirmed the configuration.</summary>
    /// <exception cref="PortException">Refused (401, 429, an <c>error</c> for the session), unreachable, or not within the budget.</exception>
    public async ValueTask<ISpeechToTextStream> OpenAsync(CancellationToken cancellationToken)
    {
        RealtimeSessionClient? session = null;
        Stream? stream = null;
        try
        {
            session = await OpenAiRealtimeSockets.ConnectAsync(options, options.ApiKey!, null, time, cancellationToken);
            stream = new Stream(session, options.Timeout, keyHint, time);
            await stream.StartAsync(SessionUpdate(options.TranscriptionModel), cancellationToken);
            return stream;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }
            else
            {
                session?.Dispose();
            }

            throw ex as PortException
                  ?? new PortException($"OpenAI streaming transcription ({keyHint}) could not be opened: {OpenAiCalls.OneLine(ex.Message)}", ex);
        }
    }

    /// <summary>One call's transcription session. Sends go through one writer in order (appends, commits, clears); commits
    /// are answered in order, so the n-th <c>committed</c> belongs to the n-th commit, and its item id to its transcript.</summary>
    private sealed class Stream(RealtimeSessionClient session, TimeSpan timeout, string keyHint, TimeProvider time) : ISpeechToTextStream
    {
        /// <summary>OpenAI refuses to commit less than 100 ms of audio (8 kHz μ-law: one byte per sample).</summary>
        private const int MinCommitBytes = 800;

        private readonly Channel<string> outgoing = Channel.CreateUnbounded<string>(new() { SingleReader = true });
        private readonly Lock gate = new();
        private readonly Queue<TaskCompletionSource<string?>> awaitingCommit = new();
        private readonly Dictionary<string, TaskCompletionSource<string?>> awaitingTranscript = new(StringComparer.Ordinal);
        private readonly TaskCompletionSource configured = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource stop = new();
        private int uncommittedBytes;
        private PortException? failure;
        private Task reader = Task.CompletedTask;
        private Task writer = Task.CompletedTask;
        private int disposed;

        public async Task StartAsync(JsonObject sessionUpdate, CancellationToken ct)
        {
            outgoing.Writer.TryWrite(sessionUpdate.ToJsonString());
            writer = Task.Run(WriteAsync, CancellationToken.None);
            reader = Task.Run(ReadAsync, CancellationToken.None);
            try
            {
                await configured.Task.WaitAsync(timeout, time, ct);
            }
            catch (TimeoutException)
            {
                throw new PortException($"OpenAI streaming transcription ({keyHint}) did not confirm the session within {timeout.TotalMilliseconds} ms.");
            }
        }

        public void Append(ReadOnlyMemory<byte> mulaw)
        {
            if (mulaw.IsEmpty)
            {
                return;
            }

            var json = new JsonObject { ["type"] = "input_audio_buffer.append", ["audio"] = Convert.ToBase64String(mulaw.Span) }.ToJsonString();
            lock (gate)
            {
                if (failure is null)
                {
                    uncommittedBytes += mulaw.Length;
                    outgoing.Writer.TryWrite(json);
                }
            }
        }

        public void Clear()
        {
            lock (gate)
            {
                if (failure is null && uncommittedBytes > 0)
                {
                    uncommittedBytes = 0;
                    outgoing.Writer.TryWrite("""{"type":"input_audio_buffer.clear"}""");
                }
            }
        }

        public async Task<string?> CommitAsync(CancellationToken cancellationToken)
        {
            var answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (gate)
            {
                if (failure is not null)
                {
                    throw failure;
                }

                if (uncommittedBytes < MinCommitBytes)
                {
                    // Too little to transcribe (OpenAI would answer an error): discarded, nothing was said.
                    if (uncommittedBytes > 0)
                    {
                        outgoing.Writer.TryWrite("""{"type":"input_audio_buffer.clear"}""");
                    }

                    uncommittedBytes = 0;
                    return null;
                }

                uncommittedBytes = 0;
                awaitingCommit.Enqueue(answer);
                outgoing.Writer.TryWrite("""{"type":"input_audio_buffer.commit"}""");
            }

            try
            {
                return await answer.Task.WaitAsync(timeout, time, cancellationToken);
            }
            catch (TimeoutException)
            {
                var late = new PortException($"OpenAI streaming transcription ({keyHint}) gave no transcript within {timeout.TotalMilliseconds} ms.");
                Fail(late);
                throw late;
            }
        }

        private async Task WriteAsync()
        {
            try
            {
                await foreach (var json in outgoing.Reader.ReadAllAsync(stop.Token))
                {
                    await OpenAiRealtimeSockets.SendAsync(session, json, stop.Token);
                }
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                Fail(new PortException($"OpenAI streaming transcription ({keyHint}) could not send: {OpenAiCalls.OneLine(ex.Message)}", ex));
            }
            catch (OperationCanceledException)
            {
                // Disposed.
            }
        }

        private async Task ReadAsync()
        {
            try
            {
                await foreach (var message in OpenAiRealtimeSockets.ReceiveAsync(session, stop.Token))
                {
                    OnEvent(message);
                }

                Fail(new PortException($"OpenAI streaming transcription ({keyHint}) closed the session."));
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                Fail(new PortException($"OpenAI streaming transcription ({keyHint}) dropped: {OpenAiCalls.OneLine(ex.Message)}", ex));
            }
            catch (OperationCanceledException)
            {
                // Disposed.
            }
        }

        private void OnEvent(JsonObject message)
        {
            switch ((string?)message["type"])
            {
                case "session.updated" or "transcription_session.updated":
                    configured.TrySetResult();
                    break;
                case "input_audio_buffer.committed" when (string?)message["item_id"] is { } item:
                    lock (gate)
                    {
                        if (awaitingCommit.TryDequeue(out var answer))
                        {
                            awaitingTranscript[item] = answer;
                        }
                    }

                    break;
                case "conversation.item.input_audio_transcription.completed" when (string?)message["item_id"] is { } item:
                    TaskCompletionSource<string?>? done;
                    lock (gate)
                    {
                        awaitingTranscript.Remove(item, out done);
                    }

                    var text = ((string?)message["transcript"])?.Trim();
                    done?.TrySetResult(string.IsNullOrEmpty(text) ? null : text);
                    break;
                // Deltas (conversation.item.input_audio_transcription.delta) carry nothing the completed transcript does not.
                case "conversation.item.input_audio_transcription.failed":
                    Fail(new PortException($"OpenAI streaming transcription ({keyHint}) failed for item {(string?)message["item_id"]}: " +
                                           $"{(string?)message["error"]?["code"]} {(string?)message["error"]?["message"]}"));
                    break;
                case "error":
                    Fail(new PortException($"OpenAI streaming transcription ({keyHint}) answered an error: " +
                                           $"{(string?)message["error"]?["code"]} {(string?)message["error"]?["message"]}"));
                    break;
            }
        }

        /// <summary>The stream is unusable from now on: waiting commits fail, appends are ignored.</summary>
        private void Fail(PortException reason)
        {
            List<TaskCompletionSource<string?>> waiting;
            lock (gate)
            {
                if (failure is not null)
                {
                    return;
                }

                failure = reason;
                waiting = [.. awaitingCommit, .. awaitingTranscript.Values];
                awaitingCommit.Clear();
                awaitingTranscript.Clear();
            }

            outgoing.Writer.TryComplete();
            configured.TrySetException(reason);
            foreach (var answer in waiting)
            {
                answer.TrySetException(reason);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 1)
            {
                return;
            }

            Fail(new PortException($"OpenAI streaming transcription ({keyHint}) was closed."));
            // What was queued goes out before the close (the writer ends with the channel); a stuck send is cut short.
            await writer.WaitAsync(TimeSpan.FromSeconds(2), time).ContinueWith(_ => { }, TaskScheduler.Default);
            await OpenAiRealtimeSockets.CloseQuietlyAsync(session);
            await stop.CancelAsync();
            await reader.ContinueWith(_ => { }, TaskScheduler.Default);
            session.Dispose();
            stop.Dispose();
        }
    }
}
