using System.Diagnostics;
using System.Globalization;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;

namespace VoiceAgent.Benchmarks.Load;

/// <summary>Raises the number of concurrent streams on one endpoint until a step misses the jitter or drop target.</summary>
internal static class StreamRamp
{
    private const int FirstPacedFrame = 11;
    private const int ConnectConcurrency = 25;
    private const int MaxAttempts = 3;
    private static readonly TimeSpan QuietWait = TimeSpan.FromMinutes(2);

    public static async Task<IReadOnlyList<StreamStep>> RunAsync(MediaStreamServer server, bool agent, IReadOnlyList<int> counts,
        TimeSpan duration, bool refine, TextWriter log)
    {
        var steps = new List<StreamStep>();
        StreamStep? lastPassed = null;
        foreach (var count in counts)
        {
            var step = await RunUndisturbedAsync(server, agent, count, duration, log);
            steps.Add(step);
            if (!step.Passed)
            {
                // One more step halfway between the last pass and this failure narrows the answer down.
                var passed = lastPassed?.Streams ?? 0;
                var middle = passed + (count - passed) / 2 / 25 * 25;
                if (refine && middle > passed && middle < count)
                {
                    steps.Add(await RunUndisturbedAsync(server, agent, middle, duration, log));
                }

                break;
            }

            lastPassed = step;
        }

        return steps;
    }

    private static async Task<StreamStep> RunUndisturbedAsync(MediaStreamServer server, bool agent, int count, TimeSpan duration, TextWriter log)
    {
        for (var attempt = 1; ; attempt++)
        {
            var step = await RunStepAsync(server, agent, count, duration, log);
            if (step.Passed || !step.Disturbed || attempt == MaxAttempts)
            {
                return step with { Attempts = attempt };
            }

            log.WriteLine("    other processes used the CPU during this step: repeating it when the machine is quiet");
            await CpuUsage.WaitForQuietAsync(QuietWait);
        }
    }

    public static async Task<StreamStep> RunStepAsync(MediaStreamServer server, bool agent, int count, TimeSpan duration, TextWriter log)
    {
        var endpoint = agent ? "/agent" : "/echo";
        var uri = agent ? server.Agent : server.Echo;
        var frames = (int)(duration / AudioFrames.FrameDuration);
        var calls = Enumerable.Range(0, count).Select(i => new SimulatedCall(i, frames, agent)).ToArray();
        // A hard bound on the whole step, whatever happens to the sockets.
        using var cts = new CancellationTokenSource(duration * 2 + TimeSpan.FromSeconds(60));

        using (var gate = new SemaphoreSlim(ConnectConcurrency))
        {
            await Task.WhenAll(calls.Select(async call =>
            {
                await gate.WaitAsync(cts.Token);
                try
                {
                    await call.ConnectAsync(uri, cts.Token);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var serverErrorsBefore = server.Counters.Aborted;
        var cpu = CpuUsage.Start();
        var gcBefore = GC.GetTotalPauseDuration();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var wall = Stopwatch.StartNew();

        // Calls start spread over one frame period, as independent calls are; all within half a second from now.
        var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 2;
        var deadline = start + (long)((duration * 1.5 + TimeSpan.FromSeconds(5)).TotalSeconds * Stopwatch.Frequency);
        var ticksPerFrame = Stopwatch.Frequency * AudioFrames.FrameDuration.Ticks / TimeSpan.TicksPerSecond;
        await Task.WhenAll(calls.Select((call, i) => call.RunAsync(start + i * ticksPerFrame / count, deadline, cts.Token)));

        var share = cpu.Stop();
        var gcPause = (GC.GetTotalPauseDuration() - gcBefore).TotalMilliseconds;
        var allocatedMegabytesPerSecond = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 1e6 / wall.Elapsed.TotalSeconds;
        // Sockets the server still holds close in the background; give them a moment before the next step.
        await Task.Delay(TimeSpan.FromSeconds(1));

        var step = Measure(endpoint, !agent, calls, server.Counters.Aborted - serverErrorsBefore, share.OwnPercent, share.OthersPercent, gcPause, allocatedMegabytesPerSecond);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {endpoint,-6} {count,5} streams: jitter p50 {step.JitterP50Ms:0.00} ms, p99 {step.JitterP99Ms:0.00} ms, max {step.JitterMaxMs:0.0} ms, inter-arrival p99 {step.InterArrivalP99Ms:0.00} ms, mean interval {step.MeanIntervalMs:0.00} ms, dropped {step.Dropped}, errors {step.ClientErrors}/{step.ServerErrors}, CPU {step.CpuPercent:0}% (others {step.OthersCpuPercent:0}%), GC pauses {step.GcPauseMs:0} ms, allocated {step.AllocatedMegabytesPerSecond:0} MB/s → {(step.Passed ? "pass" : "FAIL")}"));
        return step;
    }

    private static StreamStep Measure(string endpoint, bool echo, SimulatedCall[] calls, int serverErrors, double cpu, double othersCpu, double gcPause,
        double allocatedMegabytesPerSecond)
    {
        var capacity = calls.Length * (calls.FirstOrDefault()?.Frames ?? 0);
        var jitter = new List<double>(capacity);
        var interArrival = new List<double>(capacity);
        var msPerTick = 1000.0 / Stopwatch.Frequency;
        var frameMs = AudioFrames.FrameDuration.TotalMilliseconds;
        double intervalSum = 0;
        long intervals = 0;
        foreach (var call in calls)
        {
            var arrivals = call.Arrivals;
            var sends = call.Sends;
            for (var i = FirstPacedFrame; i < arrivals.Length; i++)
            {
                var deviation = Math.Abs((arrivals[i] - arrivals[i - 1]) * msPerTick - frameMs);
                interArrival.Add(deviation);
                // An echo can only add delay variation to what the caller sent: compare with the caller's own spacing,
                // so the caller's timer granularity does not count against the server.
                jitter.Add(echo && i < sends.Length ? Math.Abs((arrivals[i] - arrivals[i - 1] - (sends[i] - sends[i - 1])) * msPerTick) : deviation);
            }

            if (arrivals.Length > FirstPacedFrame)
            {
                intervalSum += (arrivals[^1] - arrivals[FirstPacedFrame - 1]) * msPerTick;
                intervals += arrivals.Length - FirstPacedFrame;
            }
        }

        var sorted = jitter.ToArray();
        Array.Sort(sorted);
        var sortedInterArrival = interArrival.ToArray();
        Array.Sort(sortedInterArrival);
        return new StreamStep(
            endpoint,
            calls.Length,
            calls.Count(c => c.Connected),
            calls.Sum(c => (long)c.Frames),
            calls.Sum(c => (long)c.Received),
            calls.Count(c => c.Error is not null),
            serverErrors,
            Percentiles.Of(sorted, 50),
            Percentiles.Of(sorted, 99),
            sorted.Length == 0 ? double.NaN : sorted[^1],
            Percentiles.Of(sortedInterArrival, 99),
            intervals == 0 ? double.NaN : intervalSum / intervals,
            cpu,
            othersCpu,
            gcPause,
            allocatedMegabytesPerSecond,
            calls.Select(c => c.Error).FirstOrDefault(e => e is not null));
    }
}
