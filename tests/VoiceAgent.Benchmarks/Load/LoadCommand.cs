using System.Diagnostics;
using System.Net;
using System.Runtime;

namespace VoiceAgent.Benchmarks.Load;

/// <summary>
/// <c>dotnet run -c Release --project tests/VoiceAgent.Benchmarks -- load [--quick]</c>: the load drivers for the
/// streaming and webhook targets. Everything listens on and talks to 127.0.0.1 only. Runs with server GC, as the web
/// app does (the Web SDK's default); this project keeps workstation GC so the BenchmarkDotNet jobs stay as they were.
/// </summary>
internal static class LoadCommand
{
    private const int MaxAttempts = 3;
    private const string ServerGcVariable = "DOTNET_gcServer";
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan QuietWait = TimeSpan.FromMinutes(2);

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        if (LoadOptions.Parse(args) is not { } options)
        {
            await Console.Error.WriteLineAsync($"Usage: dotnet run -c Release --project tests/VoiceAgent.Benchmarks -- {LoadOptions.Usage}");
            return 2;
        }

        if (!GCSettings.IsServerGC && Environment.GetEnvironmentVariable(ServerGcVariable) is null)
        {
            return await RestartWithServerGcAsync(args);
        }

        var log = Console.Out;
        var report = new LoadReport(options);
        if (options.Streams)
        {
            await MeasureStreamsAsync(options, report, log);
        }

        if (options.Webhooks)
        {
            await MeasureWebhooksAsync(options, report, log);
        }

        var markdown = report.ToMarkdown();
        var directory = Path.Combine(Directory.GetCurrentDirectory(), "BenchmarkDotNet.Artifacts", "results");
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "load-report.md");
        await File.WriteAllTextAsync(file, markdown);
        log.WriteLine();
        log.WriteLine(markdown);
        log.WriteLine($"Saved to {file}");
        return 0;
    }

    private static async Task<int> RestartWithServerGcAsync(IReadOnlyList<string> args)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("No process path to restart with server GC.");
        var info = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            info.ArgumentList.Add(typeof(LoadCommand).Assembly.Location);
        }

        info.ArgumentList.Add("load");
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment[ServerGcVariable] = "1";
        using var child = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {host}.");
        await child.WaitForExitAsync();
        return child.ExitCode;
    }

    private static async Task MeasureStreamsAsync(LoadOptions options, LoadReport report, TextWriter log)
    {
        await using var server = await MediaStreamServer.StartAsync();
        log.WriteLine($"Media streams: {options.StreamDuration.TotalSeconds:0} s per step; warming up …");
        await StreamRamp.RunStepAsync(server, agent: false, 20, WarmUp, TextWriter.Null);
        await StreamRamp.RunStepAsync(server, agent: true, 20, WarmUp, TextWriter.Null);
        report.Timer = await TimerFloor.MeasureAsync(TimeSpan.FromSeconds(3));
        log.WriteLine($"  Task.Delay(20 ms) alone: jitter p50 {report.Timer.JitterP50Ms:0.00} ms, p99 {report.Timer.JitterP99Ms:0.00} ms, mean interval {report.Timer.MeanIntervalMs:0.00} ms, TickCount64 step {report.Timer.CoarseClockStepMs:0} ms");

        report.Echo = await StreamRamp.RunAsync(server, agent: false, options.StreamCounts, options.StreamDuration, refine: !options.Quick, log);
        report.Agent = await StreamRamp.RunAsync(server, agent: true, options.StreamCounts, options.StreamDuration, refine: !options.Quick, log);
        if (server.Counters.UnexpectedSpeechEvents > 0)
        {
            throw new InvalidOperationException("The agent endpoint detected speech in the caller's line noise: the benchmark audio is wrong.");
        }
    }

    private static async Task MeasureWebhooksAsync(LoadOptions options, LoadReport report, TextWriter log)
    {
        log.WriteLine($"Webhooks: {options.WebhookRate} requests/s open loop, {options.WebhookDuration.TotalSeconds:0} s per line");
        using var client = WebhookLoad.CreateClient();
        var run = 0;

        await using (var server = await WebhookServer.StartAsync())
        {
            var check = new Uri(server.Origin, "/check/voice");
            var twiml = new Uri(server.Origin, "/twiml/voice");
            await MeasureAsync("Minimal: signature check only, empty 200 (baseline)", check, RealApp.BoundNumber, Empty, options.WebhookRate, null);
            await MeasureAsync("Minimal: signature check + TwiML Gather", twiml, RealApp.BoundNumber, Contains("<Gather"), options.WebhookRate, null);
        }

        if (!options.RealApp)
        {
            report.RealAppSkipped = "--no-app";
            return;
        }

        log.WriteLine("Starting PostgreSQL and the real app …");
        RealApp app;
        try
        {
            app = await RealApp.StartAsync(WebhookServer.AuthToken);
        }
        catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or IOException)
        {
            report.RealAppSkipped = ex.Message;
            log.WriteLine($"  real app not started: {ex.Message}");
            return;
        }

        await using (app)
        {
            var voice = new Uri(app.Origin, RealApp.VoicePath);
            await MeasureAsync("Real app, unknown number (route lookup → announcement + Hangup)", voice, RealApp.UnknownNumber, Contains("<Hangup"),
                options.WebhookRate, app.PostgresPid);
            // Every request starts a new call. When the target rate is too much, lower rates show what the path carries.
            foreach (var rate in new[] { options.WebhookRate }.Concat(options.WebhookFallbackRates))
            {
                var bound = await MeasureAsync("Real app, bound number (new call + flow session → Gather)", voice, RealApp.BoundNumber, Contains("<Gather"),
                    rate, app.PostgresPid);
                if (bound.Met)
                {
                    break;
                }
            }
        }

        async Task<WebhookResult> MeasureAsync(string name, Uri url, string to, Action<HttpStatusCode, string> expect, int rate, int? database)
        {
            // A gentle warm-up: JIT, connection pools and caches, without leaving a backlog for the measured run.
            var warmUpRate = Math.Min(rate, 100);
            var warmUp = SignedWebhook.InboundCalls(url.ToString(), WebhookServer.AuthToken, to, (int)(warmUpRate * WarmUp.TotalSeconds), ++run);
            await WebhookLoad.RunAsync(name, client, url, warmUp, warmUpRate, WarmUp, expect, database, TextWriter.Null);
            for (var attempt = 1; ; attempt++)
            {
                var requests = SignedWebhook.InboundCalls(url.ToString(), WebhookServer.AuthToken, to, (int)(rate * options.WebhookDuration.TotalSeconds), ++run);
                var result = await WebhookLoad.RunAsync(name, client, url, requests, rate, options.WebhookDuration, expect, database, log) with { Attempts = attempt };
                // Let an overloaded server finish what it still holds before the next run.
                await Task.Delay(TimeSpan.FromSeconds(3));
                if (result.Met || !result.Disturbed || attempt == MaxAttempts)
                {
                    report.Webhooks.Add(result);
                    return result;
                }

                log.WriteLine("    other processes used the CPU during this run: repeating it when the machine is quiet");
                await CpuUsage.WaitForQuietAsync(QuietWait);
            }
        }
    }

    private static void Empty(HttpStatusCode status, string body)
    {
        if (status != HttpStatusCode.OK || body.Length != 0)
        {
            throw new InvalidOperationException($"Expected an empty 200, got {(int)status}: {body}");
        }
    }

    private static Action<HttpStatusCode, string> Contains(string fragment) => (status, body) =>
    {
        if (status != HttpStatusCode.OK || !body.Contains(fragment, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Expected 200 with {fragment}, got {(int)status}: {body}");
        }
    };
}
