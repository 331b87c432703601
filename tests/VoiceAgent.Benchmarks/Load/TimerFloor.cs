using System.Diagnostics;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;

namespace VoiceAgent.Benchmarks.Load;

/// <summary>
/// How exact <c>await Task.Delay(AudioFrames.FrameDuration)</c> in a loop is on this machine with no sockets and no other
/// work in the process: the floor under the agent's outbound jitter. <see cref="Loops"/> loops run at once, started at
/// phases spread over one frame like independent calls. .NET's timer queue counts in <c>Environment.TickCount64</c>,
/// which on Linux reads CLOCK_MONOTONIC_COARSE: with a 250 Hz kernel that moves in 4 ms steps, so how late a 20 ms
/// delay fires depends on where it started within a step, whatever the load.
/// </summary>
internal sealed record TimerFloor(double JitterP50Ms, double JitterP99Ms, double JitterMaxMs, double MeanIntervalMs, double CoarseClockStepMs)
{
    public const int Loops = 20;

    public static async Task<TimerFloor> MeasureAsync(TimeSpan duration)
    {
        var perLoop = (int)(duration / AudioFrames.FrameDuration);
        var loops = new List<Task<double[]>>(Loops);
        var start = Stopwatch.GetTimestamp();
        for (var loop = 0; loop < Loops; loop++)
        {
            // Spin to this loop's phase (at most one frame in all), then let it run on its own.
            var phase = start + loop * AudioFrames.FrameDuration.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond / Loops;
            while (Stopwatch.GetTimestamp() < phase)
            {
                Thread.SpinWait(100);
            }

            loops.Add(Task.Run(() => RunLoopAsync(perLoop)));
        }

        var intervals = await Task.WhenAll(loops);
        var all = intervals.SelectMany(i => i.Skip(1)).ToArray();
        var jitter = all.Select(i => Math.Abs(i - AudioFrames.FrameDuration.TotalMilliseconds)).Order().ToArray();
        return new TimerFloor(Percentiles.Of(jitter, 50), Percentiles.Of(jitter, 99), jitter[^1], all.Average(), CoarseClockStep());
    }

    private static async Task<double[]> RunLoopAsync(int count)
    {
        var result = new double[count];
        var previous = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            await Task.Delay(AudioFrames.FrameDuration);
            var now = Stopwatch.GetTimestamp();
            result[i] = Stopwatch.GetElapsedTime(previous, now).TotalMilliseconds;
            previous = now;
        }

        return result;
    }

    // The smallest change of Environment.TickCount64 seen in a short busy loop (bounded to 200 ms).
    private static double CoarseClockStep()
    {
        var watch = Stopwatch.StartNew();
        var last = Environment.TickCount64;
        var smallest = long.MaxValue;
        var changes = 0;
        while (watch.ElapsedMilliseconds < 200 && changes < 20)
        {
            var now = Environment.TickCount64;
            if (now != last)
            {
                smallest = Math.Min(smallest, now - last);
                last = now;
                changes++;
            }
        }

        return changes == 0 ? double.NaN : smallest;
    }
}
