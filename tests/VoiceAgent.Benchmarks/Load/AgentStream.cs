using System.Globalization;
using System.Net.WebSockets;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;
using VoiceAgent.Telephony.Twilio;

namespace VoiceAgent.Benchmarks.Load;

/// <summary>
/// The per-connection work of <c>src/VoiceAgent.Telephony/MediaStreamSession.cs</c> that decides outbound jitter,
/// replicated without PostgreSQL, STT and TTS: the same <see cref="MediaStreamSocket"/> (reused receive buffer and JSON
/// writer, send lock), <see cref="MediaStreamMessage.Parse"/>, <c>Payload.ToArray()</c>, <see cref="VoiceActivityDetector"/>
/// and the pre-roll queue on every inbound frame (under the session's frame lock, issue #17), and the same <see cref="FramePacer"/> (the first
/// <see cref="LeadFrames"/> frames at once, then one frame per 20 ms on a fixed schedule, then a mark). The session's
/// speech comes from the <c>frames</c> custom parameter instead of a flow turn. Keep it in step with MediaStreamSession.
/// </summary>
internal sealed class AgentStream(WebSocket webSocket, StreamServerCounters counters)
{
    private const int LeadFrames = 10;
    private const int PreRollFrames = 15;
    private const int MaxStreamMessageBytes = 64 * 1024;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(15);

    private readonly MediaStreamSocket socket = new(webSocket, MaxStreamMessageBytes);
    private readonly FramePacer pacer = new(LeadFrames);
    private readonly VoiceActivityDetector vad = new();
    private readonly Queue<byte[]> preRoll = new();
    private readonly List<byte[]> utterance = [];
    private readonly Lock frames = new();
    private string? streamSid;

    public async Task RunAsync(CancellationToken ct)
    {
        Task? speaker = null;
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
                        streamSid = start.StreamSid;
                        var frames = int.Parse(start.CustomParameters.GetValueOrDefault("frames") ?? "0", CultureInfo.InvariantCulture);
                        speaker = Task.Run(() => SpeakAsync(frames, ct), ct);
                        break;
                    case MediaStreamMessage.Media media when streamSid is not null && media.Track is "inbound" or "inbound_track":
                        OnFrame(media.Payload.ToArray());
                        break;
                    case MediaStreamMessage.Stop:
                        return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            counters.Dropped(ex);
        }
        finally
        {
            if (speaker is not null)
            {
                await speaker.WaitAsync(DrainTimeout, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            await CloseQuietlyAsync();
        }
    }

    private void OnFrame(byte[] frame)
    {
        lock (frames)
        {
            OnFrameLocked(frame);
        }
    }

    private void OnFrameLocked(byte[] frame)
    {
        var detected = vad.Process(frame);

        if (detected is VoiceActivityEvent.SpeechStarted)
        {
            // The simulated caller never speaks (see TwilioStreamMessages); a barge-in here would be a benchmark bug.
            counters.UnexpectedSpeech();
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
    }

    private async Task SpeakAsync(int frames, CancellationToken ct)
    {
        try
        {
            pacer.Restart();
            for (var i = 0; i < frames; i++)
            {
                await socket.SendAsync(new OutboundMediaStreamMessage.Media(streamSid!, TwilioStreamMessages.AgentSpeech[i % TwilioStreamMessages.AgentSpeech.Length]), ct);
                await pacer.FrameSentAsync();
            }

            await socket.SendAsync(new OutboundMediaStreamMessage.Mark(streamSid!, "end"), ct);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            counters.Dropped(ex);
        }
    }

    private async Task CloseQuietlyAsync()
    {
        if (!await socket.CloseQuietlyAsync(WebSocketCloseStatus.NormalClosure, "bye"))
        {
            counters.Dropped(new WebSocketException("closed abruptly"));
        }
    }
}
