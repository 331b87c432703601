using System.Diagnostics;
using VoiceAgent.Platform.Telephony.Audio;

namespace VoiceAgent.Platform.Tests.Telephony;

public sealed class FramePacerTests
{
    [Fact]
    public async Task Lead_frames_go_at_once_then_one_frame_per_20_ms_without_drift()
    {
        var pacer = new FramePacer(leadFrames: 10);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 10; i++)
        {
            await pacer.FrameSentAsync();
        }

        Assert.True(clock.ElapsedMilliseconds < 15, $"lead frames took {clock.ElapsedMilliseconds} ms");

        // 50 paced frames are due 50 × 20 ms after the start, whatever each single wait did (fixed schedule).
        for (var i = 0; i < 50; i++)
        {
            await pacer.FrameSentAsync();
        }

        Assert.InRange(clock.ElapsedMilliseconds, 995, 1600);
    }

    [Fact]
    public async Task A_stall_restarts_the_schedule_instead_of_bursting()
    {
        var pacer = new FramePacer(leadFrames: 2);
        for (var i = 0; i < 3; i++)
        {
            await pacer.FrameSentAsync();
        }

        await Task.Delay(300); // far more than the lead (40 ms) behind
        var clock = Stopwatch.StartNew();
        await pacer.FrameSentAsync();
        await pacer.FrameSentAsync();
        Assert.True(clock.ElapsedMilliseconds >= 15, $"after a stall frames burst out ({clock.ElapsedMilliseconds} ms for two)");
    }

    [Fact]
    public async Task Many_streams_share_the_clock_and_all_finish_on_time()
    {
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
        {
            var pacer = new FramePacer(leadFrames: 0);
            for (var i = 0; i < 10; i++)
            {
                await pacer.FrameSentAsync();
            }
        }));
        Assert.InRange(clock.ElapsedMilliseconds, 175, 1500);
    }
}
