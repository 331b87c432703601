using System.Globalization;
using System.Net.WebSockets;
using VoiceAgent.Platform.Telephony.Audio;
using VoiceAgent.Platform.Telephony.Twilio;

namespace VoiceAgent.Benchmarks.Load;

/// <summary>
/// The per-connection work of <c>src/VoiceAgent.Web/Telephony/MediaStreamSession.cs</c> that decides outbound jitter,
/// replicated without PostgreSQL, STT and TTS: the same receive loop (a fresh 8 KB buffer and a MemoryStream per
/// message, <see cref="MediaStreamMessage.Parse"/>, <c>Payload.ToArray()</c>, <see cref="VoiceActivityDetector"/> and the
/// pre-roll queue on every inbound frame) and the same send path (<see cref="OutboundMediaStreamMessage"/> serialized
/// with <c>ToUtf8Json()</c> under a send lock; the first <see cref="LeadFrames"/> frames at once, then
/// <c>Task.Delay(AudioFrames.FrameDuration)</c> after every frame, then a mark). The session's speech comes from the
/// <c>frames</c> custom parameter instead of a flow turn. Keep it in step with MediaStreamSession when that changes.
/// </summary>
internal sealed class AgentStream(WebSocket socket, StreamServerCounters counters)
{
    private const int LeadFrames = 10;
    private const int PreRollFrames = 15;
    private const int MaxStreamMessageBytes = 64 * 1024;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(15);

    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly VoiceActivityDetector vad = new();
    private readonly Queue<byte[]> preRoll = new();
    private readonly List<byte[]> utterance = [];
    private string? streamSid;

    public async Task RunAsync(CancellationToken ct)
    {
        Task? speaker = null;
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var bytes = await ReceiveAsync(ct);
                if (bytes is null)
                {
                    break;
                }

                switch (MediaStreamMessage.Parse(bytes))
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
            var sent = 0;
            for (var i = 0; i < frames; i++)
            {
                await SendAsync(new OutboundMediaStreamMessage.Media(streamSid!, TwilioStreamMessages.AgentSpeech[i % TwilioStreamMessages.AgentSpeech.Length]), ct);
                if (++sent > LeadFrames)
                {
                    await Task.Delay(AudioFrames.FrameDuration, CancellationToken.None);
                }
            }

            await SendAsync(new OutboundMediaStreamMessage.Mark(streamSid!, "end"), ct);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            counters.Dropped(ex);
        }
    }

    private async Task SendAsync(OutboundMediaStreamMessage message, CancellationToken ct)
    {
        await sendLock.WaitAsync(ct);
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(message.ToUtf8Json(), WebSocketMessageType.Text, true, ct);
            }
        }
        finally
        {
            sendLock.Release();
        }
    }

    private async Task<byte[]?> ReceiveAsync(CancellationToken ct)
    {
        var buffer = new byte[8 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (message.Length > MaxStreamMessageBytes)
            {
                await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, "message too big", ct);
                return null;
            }

            if (result.EndOfMessage)
            {
                return message.ToArray();
            }
        }
    }

    private async Task CloseQuietlyAsync()
    {
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
            }
            else if (socket.State == WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            counters.Dropped(ex);
        }
    }
}
