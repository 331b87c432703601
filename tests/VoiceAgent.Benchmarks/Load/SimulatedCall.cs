using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;

namespace VoiceAgent.Benchmarks.Load;

/// <summary>
/// One simulated Twilio call on a media stream: sends connected, start and then a 160-byte μ-law media frame every
/// 20 ms on a fixed schedule (no drift, like Twilio; each send as exact as .NET timers allow), and records when each of
/// its media frames was sent and when each outbound media frame arrives. Against <c>/agent</c> the frames to time are
/// the agent's speech (<see cref="Frames"/> of them, then a mark); against <c>/echo</c> they are the echoes of the
/// caller's own first <see cref="Frames"/> frames.
/// </summary>
internal sealed class SimulatedCall(int index, int frames, bool agent)
{
    private static readonly long TicksPerFrame = Stopwatch.Frequency * AudioFrames.FrameDuration.Ticks / TimeSpan.TicksPerSecond;

    private readonly ClientWebSocket socket = new();
    private readonly long[] arrivals = new long[frames];
    private readonly long[] sends = new long[frames];
    private readonly TaskCompletionSource allReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string streamSid = string.Create(CultureInfo.InvariantCulture, $"MZ{index:x32}");
    private readonly string callSid = string.Create(CultureInfo.InvariantCulture, $"CA{index:x32}");
    private int sent;

    public int Frames => frames;

    public int Received { get; private set; }

    public bool Connected { get; private set; }

    public string? Error { get; private set; }

    /// <summary>Stopwatch timestamps of the outbound media frames received, in order.</summary>
    public ReadOnlySpan<long> Arrivals => arrivals.AsSpan(0, Received);

    /// <summary>Stopwatch timestamps at which the caller's first media frames were handed to the socket.</summary>
    public ReadOnlySpan<long> Sends => sends.AsSpan(0, Math.Min(sent, frames));

    public async Task ConnectAsync(Uri uri, CancellationToken ct)
    {
        socket.Options.Proxy = null;
        try
        {
            await socket.ConnectAsync(uri, ct);
            Connected = true;
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or OperationCanceledException)
        {
            Error = $"connect: {ex.Message}";
        }
    }

    /// <summary>Streams from <paramref name="start"/> until every expected frame arrived or <paramref name="deadline"/>
    /// (Stopwatch timestamps), then stops and closes. Never throws for socket failures: they end up in <see cref="Error"/>.</summary>
    public async Task RunAsync(long start, long deadline, CancellationToken ct)
    {
        if (!Connected)
        {
            return;
        }

        var receiving = ReceiveAsync(ct);
        try
        {
            await SendTextAsync(TwilioStreamMessages.Connected(), ct);
            await SendTextAsync(TwilioStreamMessages.Start(streamSid, callSid, agent ? frames : 0), ct);
            var buffer = new byte[1024];
            var chunk = 0;
            // Against the echo the caller sends exactly the frames to time; against the agent it keeps sending (bounded)
            // until the agent has finished speaking, as a caller's line does.
            var maxChunks = agent ? 2 * frames + 500 : frames;
            while (chunk < maxChunks && !allReceived.Task.IsCompleted)
            {
                var due = start + chunk * TicksPerFrame;
                var now = Stopwatch.GetTimestamp();
                if (now >= deadline)
                {
                    break;
                }

                if (due > now)
                {
                    await Task.Delay(Stopwatch.GetElapsedTime(now, due), ct);
                }

                var length = TwilioStreamMessages.WriteMedia(buffer, streamSid, chunk);
                if (chunk < frames)
                {
                    sends[chunk] = Stopwatch.GetTimestamp();
                }

                await socket.SendAsync(buffer.AsMemory(0, length), WebSocketMessageType.Text, true, ct);
                sent = ++chunk;
            }

            // Running out of time is no error here: the frames still missing count as dropped.
            var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (remaining > TimeSpan.Zero)
            {
                await allReceived.Task.WaitAsync(remaining, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            await SendTextAsync(TwilioStreamMessages.Stop(streamSid, callSid, chunk + 2), ct);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "hangup", ct);
            await receiving.WaitAsync(TimeSpan.FromSeconds(10), ct);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or TimeoutException)
        {
            Error ??= ex.Message;
        }
        finally
        {
            socket.Abort();
            socket.Dispose();
            await receiving.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private Task SendTextAsync(byte[] message, CancellationToken ct) =>
        socket.SendAsync(new ArraySegment<byte>(message), WebSocketMessageType.Text, true, ct);

    private async Task ReceiveAsync(CancellationToken ct)
    {
        var buffer = new byte[4 * 1024];
        try
        {
            while (true)
            {
                // Messages are far below the buffer size; a split message is still timed once, at its first part.
                var result = await socket.ReceiveAsync(buffer.AsMemory(), ct);
                var at = Stopwatch.GetTimestamp();
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                var message = buffer.AsSpan(0, result.Count);
                if (TwilioStreamMessages.IsMedia(message) && Received < frames)
                {
                    arrivals[Received++] = at;
                    if (!agent && Received == frames)
                    {
                        allReceived.TrySetResult();
                    }
                }
                else if (agent && TwilioStreamMessages.IsMark(message))
                {
                    allReceived.TrySetResult();
                }

                while (!result.EndOfMessage)
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(), ct);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // After a normal end the socket is aborted on purpose; only a failure before all frames arrived counts.
            if (!allReceived.Task.IsCompleted)
            {
                Error ??= $"receive: {ex.Message}";
            }
        }
    }
}
