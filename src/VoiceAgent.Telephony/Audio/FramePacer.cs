using VoiceAgent.Platform.Audio;

namespace VoiceAgent.Telephony.Audio;

/// <summary>
/// Paces outbound 20 ms audio frames: the first <c>leadFrames</c> go out at once (the far end's jitter buffer), then
/// frame n is due at start + (n − lead) × 20 ms. Waiting for a fixed schedule instead of "20 ms after the last frame"
/// keeps lateness under load from adding up into a growing delay and gaps at the caller. Waits use the shared
/// <see cref="FrameClock"/> (about 1 ms resolution, one thread for all streams) rather than a timer per stream. After a
/// stall longer than the lead, the schedule restarts instead of bursting.
/// </summary>
public sealed class FramePacer
{
    private readonly int leadFrames;
    private readonly FrameClock clock;
    private readonly long ticksPerFrame;
    private long start;
    private int sent;

    /// <param name="clock">The process-wide <see cref="FrameClock.Shared"/> unless a test brings one on a fake time.</param>
    public FramePacer(int leadFrames, FrameClock? clock = null)
    {
        this.leadFrames = leadFrames;
        this.clock = clock ?? FrameClock.Shared;
        ticksPerFrame = this.clock.Time.TimestampFrequency * AudioFrames.FrameDuration.Ticks / TimeSpan.TicksPerSecond;
    }

    /// <summary>Starts a new utterance: the next frames are lead frames again.</summary>
    public void Restart() => sent = 0;

    /// <summary>Call after each frame was handed to the socket; completes when the next frame is due.</summary>
    public ValueTask FrameSentAsync()
    {
        var now = clock.Time.GetTimestamp();
        if (sent++ == 0)
        {
            start = now;
        }

        if (sent <= leadFrames)
        {
            return ValueTask.CompletedTask;
        }

        var due = start + (sent - leadFrames) * ticksPerFrame;
        if (now - due > leadFrames * ticksPerFrame)
        {
            // Far behind (a stall): continue the schedule from here, one frame period on.
            start = now + ticksPerFrame - (sent - leadFrames) * ticksPerFrame;
            due = now + ticksPerFrame;
        }

        return due <= now ? ValueTask.CompletedTask : new ValueTask(clock.WaitUntilAsync(due));
    }
}
