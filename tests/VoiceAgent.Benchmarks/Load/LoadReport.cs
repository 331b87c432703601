using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text;

namespace VoiceAgent.Benchmarks.Load;

/// <summary>The markdown the <c>load</c> mode prints and saves as <c>BenchmarkDotNet.Artifacts/results/load-report.md</c>.</summary>
internal sealed class LoadReport(LoadOptions options)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public IReadOnlyList<StreamStep> Echo { get; set; } = [];

    public IReadOnlyList<StreamStep> Agent { get; set; } = [];

    public List<WebhookResult> Webhooks { get; } = [];

    public TimerFloor? Timer { get; set; }

    public string? RealAppSkipped { get; set; }

    public static int LargestPassing(IReadOnlyList<StreamStep> steps) => steps.Where(s => s.Passed).Select(s => s.Streams).DefaultIfEmpty(0).Max();

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("# Load report").AppendLine();
        var gc = GCSettings.IsServerGC ? "server" : "workstation";
        text.AppendLine(Invariant, $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, {gc} GC, {(options.Quick ? "quick" : "full")} run. Client and servers share this process and its cores.");
        text.AppendLine();
        if (options.Streams)
        {
            AppendStreams(text);
        }

        if (options.Webhooks)
        {
            AppendWebhooks(text);
        }

        return text.ToString();
    }

    private void AppendStreams(StringBuilder text)
    {
        var agent = LargestPassing(Agent);
        var echo = LargestPassing(Echo);
        var top = options.StreamCounts[^1];
        text.AppendLine("## Concurrent media streams").AppendLine();
        text.AppendLine(Invariant, $"Target: the largest count with outbound frame-jitter p99 ≤ {StreamStep.JitterTargetMs} ms and no dropped frames, ≥ 200 streams and ≥ 60 % of the echo baseline. " +
            $"Each stream lasts {options.StreamDuration.TotalSeconds:0} s ({options.StreamDuration.TotalMilliseconds / 20:0} frames of 20 ms).");
        text.AppendLine();
        text.AppendLine(Invariant, $"- `/echo` (bare Kestrel WebSocket echo): **{Count(echo, Echo, top)}** streams");
        text.AppendLine(Invariant, $"- `/agent` (MediaStreamSession's parse, VAD and paced send): **{Count(agent, Agent, top)}** streams");
        if (echo > 0)
        {
            var ratio = 100.0 * agent / echo;
            text.AppendLine(Invariant, $"- agent / echo: **{ratio:0} %**; targets ≥ 200 streams: {Met(agent >= 200)}, ≥ 60 % of echo: {Met(ratio >= 60)}");
        }

        if (Timer is { } timer)
        {
            text.AppendLine(Invariant, $"- floor: `await Task.Delay(20 ms)` in a loop with nothing else running: jitter p50 {timer.JitterP50Ms:0.00} ms, p99 {timer.JitterP99Ms:0.00} ms, max {timer.JitterMaxMs:0.0} ms, mean interval {timer.MeanIntervalMs:0.00} ms (Environment.TickCount64 moves in {timer.CoarseClockStepMs:0} ms steps here)");
        }

        text.AppendLine();
        text.AppendLine("| Endpoint | Streams | Jitter p50 | Jitter p99 | Jitter max | Inter-arrival p99 | Mean interval | Dropped | Errors client/server | CPU own / others | GC pauses | Allocated | Result |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var s in Echo.OrderBy(s => s.Streams).Concat(Agent.OrderBy(s => s.Streams)))
        {
            text.AppendLine(Invariant,
                $"| `{s.Endpoint}` | {s.Streams} | {s.JitterP50Ms:0.00} ms | {s.JitterP99Ms:0.00} ms | {s.JitterMaxMs:0.0} ms | {s.InterArrivalP99Ms:0.00} ms | {s.MeanIntervalMs:0.00} ms | {s.Dropped} | {s.ClientErrors}/{s.ServerErrors} | {s.CpuPercent:0} / {s.OthersCpuPercent:0} % | {s.GcPauseMs:0} ms | {s.AllocatedMegabytesPerSecond:0} MB/s | {Result(s.Passed ? "pass" : "fail", s.Attempts, s.Disturbed)} |");
        }

        text.AppendLine();
        AppendDisturbanceNote(text);
        foreach (var s in Echo.Concat(Agent).Where(s => s.FirstError is not null))
        {
            text.AppendLine(Invariant, $"- `{s.Endpoint}` at {s.Streams}: first client error: {s.FirstError}");
        }

        text.AppendLine();
    }

    private void AppendWebhooks(StringBuilder text)
    {
        text.AppendLine("## Inbound webhook → TwiML").AppendLine();
        text.AppendLine(Invariant, $"Target: p99 ≤ {WebhookResult.P99TargetMs} ms at {options.WebhookRate} requests/s (open loop: requests go out on a fixed schedule whatever the responses do; " +
            $"latency from dispatch to the complete response; {options.WebhookDuration.TotalSeconds:0} s per line).");
        text.AppendLine();
        text.AppendLine("| Endpoint | Rate | Requests | OK | Busy (shed) | Errors | p50 | p95 | p99 | Max | Achieved | Dispatch lag p99 | CPU own / PostgreSQL / others | p99 ≤ 15 ms |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var w in Webhooks)
        {
            text.AppendLine(Invariant,
                $"| {w.Name} | {w.Rate}/s | {w.Requests} | {w.Succeeded} | {w.Shed} | {w.Failed} | {w.P50Ms:0.00} ms | {w.P95Ms:0.00} ms | {w.P99Ms:0.00} ms | {w.MaxMs:0.0} ms | {w.AchievedRate:0}/s | {w.DispatchLagP99Ms:0.0} ms | {w.CpuPercent:0} / {(double.IsNaN(w.DatabaseCpuPercent) ? "–" : w.DatabaseCpuPercent.ToString("0", Invariant))} / {w.OthersCpuPercent:0} % | {Result(Met(w.Met), w.Attempts, w.Disturbed)} |");
        }

        text.AppendLine();
        AppendDisturbanceNote(text);
        foreach (var w in Webhooks.Where(w => w.FirstError is not null))
        {
            text.AppendLine(Invariant, $"- {w.Name}: first error: {w.FirstError}");
        }

        if (RealAppSkipped is not null)
        {
            text.AppendLine(Invariant, $"- real app not measured: {RealAppSkipped}");
        }

        text.AppendLine();
    }

    private static void AppendDisturbanceNote(StringBuilder text) =>
        text.AppendLine(Invariant, $"† other processes used ≥ {CpuUsage.QuietOthersPercent:0} % of the machine's CPU during the measurement. A failed step or missed line that was disturbed is repeated (at most 3 runs) after waiting for a quiet machine; the last run is shown.").AppendLine();

    private static string Count(int largest, IReadOnlyList<StreamStep> steps, int top) =>
        largest == 0 ? "none passed" : largest == top && steps.All(s => s.Passed) ? $"≥ {largest} (every step passed)" : largest.ToString(Invariant);

    private static string Met(bool met) => met ? "met" : "missed";

    private static string Result(string result, int attempts, bool disturbed) =>
        result + (attempts > 1 ? $" (run {attempts})" : "") + (disturbed ? " †" : "");
}
