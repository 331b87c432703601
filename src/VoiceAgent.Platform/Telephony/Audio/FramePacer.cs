using System.Diagnostics;

namespace VoiceAgent.Platform.Telephony.Audio;

/// <summary>
/// Paces outbound 20 ms audio frames: the first <c>leadFrames</c> go out at once (the far end's jitter buffer), then
/// frame n is due at start + (n − lead) × 20 ms. Waiting for a fixed schedule instead of "20 ms after the last frame"
/// keeps lateness under load from adding up into a growing delay and gaps at the caller. Waits use the shared
/// <see cref="FrameClock"/> (about 1 ms resolution, one thread for all streams) rather than a timer per stream. After a
/// stall longer than the lead, the schedule restarts instead of bursting.
/// </summary>
public sealed class FramePacer(int leadFrames)
{
    private static readonly long TicksPerFrame = Stopwatch.Frequency * AudioFrames.FrameDuration.Ticks / TimeSpan.TicksPerSecond;

    private long start;
    private int sent;

    /// <summary>Starts a new utterance: the next frames are lead frames again.</summary>
    public void Restart() => sent = 0;

    /// <summary>Call after each frame was handed to the socket; completes when the next frame is due.</summary>
    public ValueTask FrameSentAsync()
    {
        var now = Stopwatch.GetTimestamp();
        if (sent++ == 0)
        {
            start = now;
        }

        if (sent <= leadFrames)
        {
            return ValueTask.CompletedTask;
        }

        var due = start + (sent - leadFrames) * TicksPerFrame;
        if (now - due > leadFrames * TicksPerFrame)
        {
            // Far behind (a stall): continue the schedule from here, one frame period on.
            start = now + TicksPerFrame - (sent - leadFrames) * TicksPerFrame;
            due = now + TicksPerFrame;
        }

        return due <= now ? ValueTask.CompletedTask : new ValueTask(FrameClock.Shared.WaitUntilAsync(due));
    }
}
