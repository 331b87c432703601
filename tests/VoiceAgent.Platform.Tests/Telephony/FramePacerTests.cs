using Microsoft.Extensions.Time.Testing;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;

namespace VoiceAgent.Platform.Tests.Telephony;

/// <summary>
/// The pacing schedule on a fake clock: which frame may go when. How exactly frames leave on a real, busy machine is
/// measured by the load driver (tests/VoiceAgent.Benchmarks, <c>load --only streams</c>), not here.
/// </summary>
public sealed class FramePacerTests
{
    // Only a guard against a hang: nothing here waits for real time to pass.
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider time = new();

    private static readonly TimeSpan Frame = AudioFrames.FrameDuration;

    [Fact]
    public async Task Lead_frames_go_at_once_then_one_frame_per_20_ms_on_a_fixed_schedule_without_drift()
    {
        var pacer = new FramePacer(leadFrames: 10, new FrameClock(time));
        var begin = time.GetTimestamp();
        for (var i = 0; i < 10; i++)
        {
            Assert.True(pacer.FrameSentAsync().IsCompletedSuccessfully, $"lead frame {i + 1} had to wait");
        }

        // Each paced frame comes 5 ms late; the next one is still due on the schedule (start + n × 20 ms), not 20 ms
        // after the late one, so lateness does not add up.
        for (var n = 1; n <= 50; n++)
        {
            var wait = pacer.FrameSentAsync().AsTask();
            Assert.False(wait.IsCompleted, $"paced frame {n} did not wait");
            time.Advance(n == 1 ? Frame - TimeSpan.FromMilliseconds(1) : Frame - TimeSpan.FromMilliseconds(6));
            Assert.False(wait.IsCompleted, $"paced frame {n} went early");
            time.Advance(TimeSpan.FromMilliseconds(6));
            await wait.WaitAsync(Hang);
        }

        // 50 paced frames took 50 frame periods plus the last one's 5 ms lateness, not 50 × 25 ms.
        Assert.Equal(50 * Frame + TimeSpan.FromMilliseconds(5), time.GetElapsedTime(begin));
    }

    [Fact]
    public async Task A_stall_restarts_the_schedule_instead_of_bursting()
    {
        var pacer = new FramePacer(leadFrames: 2, new FrameClock(time));
        Assert.True(pacer.FrameSentAsync().IsCompletedSuccessfully);
        Assert.True(pacer.FrameSentAsync().IsCompletedSuccessfully);
        var paced = pacer.FrameSentAsync().AsTask();
        time.Advance(Frame);
        await paced.WaitAsync(Hang);

        time.Advance(TimeSpan.FromMilliseconds(300)); // far more than the lead (40 ms) behind

        // Without the restart the frames due during the stall would all go at once; instead each waits a frame period.
        for (var n = 1; n <= 3; n++)
        {
            var wait = pacer.FrameSentAsync().AsTask();
            Assert.False(wait.IsCompleted, $"frame {n} after the stall burst out");
            time.Advance(Frame - TimeSpan.FromMilliseconds(1));
            Assert.False(wait.IsCompleted, $"frame {n} after the stall went early");
            time.Advance(TimeSpan.FromMilliseconds(1));
            await wait.WaitAsync(Hang);
        }
    }

    [Fact]
    public async Task Many_streams_share_one_clock_and_all_finish_on_schedule()
    {
        const int Streams = 200, Frames = 10;
        var clock = new FrameClock(time);
        using var queued = new SemaphoreSlim(0);
        async Task StreamAsync()
        {
            var pacer = new FramePacer(leadFrames: 0, clock);
            for (var i = 0; i < Frames; i++)
            {
                var wait = pacer.FrameSentAsync();
                queued.Release();
                await wait;
            }
        }

        // Each call runs synchronously up to its first wait, so all streams start at the same fake instant.
        var streams = Enumerable.Range(0, Streams).Select(_ => StreamAsync()).ToArray();
        for (var frame = 1; frame <= Frames; frame++)
        {
            // Every stream waits for its next frame before the clock moves on (no stream falls behind the fake time).
            for (var i = 0; i < Streams; i++)
            {
                Assert.True(await queued.WaitAsync(Hang), "a stream stopped sending");
            }

            Assert.DoesNotContain(streams, s => s.IsCompleted);
            time.Advance(Frame - TimeSpan.FromMilliseconds(1));
            Assert.Equal(0, queued.CurrentCount);
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        await Task.WhenAll(streams).WaitAsync(Hang);
    }
}
