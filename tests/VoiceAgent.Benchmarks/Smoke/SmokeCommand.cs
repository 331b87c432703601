using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using VoiceAgent.Benchmarks.Billing;
using VoiceAgent.Benchmarks.Latency;
using VoiceAgent.Benchmarks.Load;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Benchmarks.Smoke;

/// <summary>
/// <c>dotnet run -c Release --project tests/VoiceAgent.Benchmarks -- smoke</c>: proves in seconds that every benchmark
/// and load driver still runs and still checks what it checks — the engine/baseline equivalence, each BenchmarkDotNet
/// benchmark method once per parameter value (found by reflection, so a new benchmark is covered without listing it),
/// tiny bounded load runs against loopback servers and the real app, a small billing aggregation and the portal
/// dashboards' quick mode (consistency only), B6's quick mode (the app role's and the owner's results equal), the soak's
/// quick mode (stream and gather calls across two app hosts without an error) and the portal pages' quick mode (every page
/// of both roles interactive in Chromium, the circuits open). Nothing is measured
/// against a target: durations on a shared machine say nothing here. deploy/local/test.sh runs it, so a benchmark that
/// stops working fails CI. Ends with a summary line in the format of <c>dotnet test</c>, which the test script sums up.
/// </summary>
internal static class SmokeCommand
{
    private static readonly TimeSpan StreamDuration = TimeSpan.FromSeconds(1);
    private const int Streams = 3;
    private const int WebhookRate = 20;
    private static readonly TimeSpan WebhookDuration = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync()
    {
        var checks = new List<(string Name, Func<Task<string?>> Run)>
        {
            ("engine and hand-written baseline are equivalent", () =>
            {
                var steps = Equivalence.CheckAndCountSteps();
                return Task.FromResult<string?>($"{steps} steps per call");
            }),
        };
        checks.AddRange(BenchmarkMethods());
        checks.Add(("load: Task.Delay timer floor", async () =>
        {
            var floor = await TimerFloor.MeasureAsync(TimeSpan.FromMilliseconds(200));
            return double.IsFinite(floor.MeanIntervalMs) ? null : "no interval measured";
        }));
        checks.Add(("load: media streams against /echo and /agent", StreamsAsync));
        checks.Add(("load: webhooks against the minimal endpoints", MinimalWebhooksAsync));
        checks.Add(("load: webhooks against the real app (PostgreSQL)", RealAppWebhooksAsync));
        checks.Add(("latency: all three pipelines answer every turn over the real media path, streaming and realtime first (B5)", async () =>
        {
            // One call, two turns each: proves the benchmark still runs end to end. The order is the pipelines' logic
            // (with the default profile the sequential baseline waits seconds longer), not a timing on a shared machine.
            var profile = FakeLatencyProfile.Load(Path.Combine(AppContext.BaseDirectory, "Latency", "latency-profile.json"));
            var baseline = await LatencyCommand.MeasureAsync(LatencyCommand.Sequential, profile, 1, 2);
            var streaming = await LatencyCommand.MeasureAsync(LatencyCommand.Streaming, profile, 1, 2);
            var realtime = await LatencyCommand.MeasureAsync(LatencyCommand.Realtime, profile, 1, 2);
            if (baseline.Count != 2 || streaming.Count != 2 || realtime.Count != 2)
            {
                throw new InvalidOperationException($"answered turns: sequential {baseline.Count}, streaming {streaming.Count}, realtime {realtime.Count} of 2");
            }

            static string Figures(List<double> ms) => string.Join('/', ms.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)));
            return streaming.Max() < baseline.Min() && realtime.Max() < baseline.Min()
                ? $"sequential {Figures(baseline)} ms, streaming {Figures(streaming)} ms, realtime {Figures(realtime)} ms"
                : throw new InvalidOperationException($"streaming {Figures(streaming)} ms / realtime {Figures(realtime)} ms not before sequential {Figures(baseline)} ms");
        }));
        checks.Add(("soak: stream and gather calls across two real app hosts on one PostgreSQL, no error (quick)", async () =>
        {
            // Two streams and a few gather calls for seconds: the soak driver still drives the real paths end to end.
            var output = new StringWriter();
            var exit = await VoiceAgent.Benchmarks.Soak.SoakCommand.RunAsync(VoiceAgent.Benchmarks.Soak.SoakOptions.Parse(["--quick"]), output);
            var verdict = output.ToString().Split('\n').LastOrDefault(l => l.StartsWith("SOAK", StringComparison.Ordinal))?.Trim();
            return exit == 0 ? verdict : throw new InvalidOperationException($"soak --quick exited with {exit}: {output}");
        }));
        checks.Add(("billing: aggregation path agrees with a raw GROUP BY (PostgreSQL)", async () =>
        {
            var exit = await BillingAggregationCommand.RunAsync(["--rows", "2000", "--tenants", "10", "--runs", "1"], TextWriter.Null, save: false);
            return exit == 0 ? null : throw new InvalidOperationException($"billing exited with {exit}");
        }));

        checks.Add(("portal: dashboard queries agree with the seeded data and each other (PostgreSQL)", async () =>
        {
            var exit = await VoiceAgent.Benchmarks.Portal.PortalDashboardsCommand.RunAsync(["--quick"], TextWriter.Null);
            return exit == 0 ? null : throw new InvalidOperationException($"portal exited with {exit}");
        }));

        checks.Add(("rls (B6): every hot query returns the same as the app role (row-level security, query filters) and as the owner without them (PostgreSQL)", async () =>
        {
            var exit = await VoiceAgent.Benchmarks.Isolation.RlsCommand.RunAsync(["--quick"], TextWriter.Null);
            return exit == 0 ? null : throw new InvalidOperationException($"rls exited with {exit}");
        }));

        checks.Add(("portal: every page interactive and circuits counted, both roles (PostgreSQL, real app, Chromium)", async () =>
        {
            var exit = await VoiceAgent.Benchmarks.Portal.PortalPagesCommand.RunAsync(["--quick"], TextWriter.Null);
            return exit == 0 ? null : throw new InvalidOperationException($"portal-pages exited with {exit}");
        }));

        checks.Add(("designer: a large flow opens, its heap is read and property edits reach the canvas (real app, Chromium)", async () =>
        {
            var output = new StringWriter();
            var exit = await VoiceAgent.Benchmarks.Designer.DesignerCommand.RunAsync(["--quick"], output);
            return exit == 0 ? null : throw new InvalidOperationException($"designer exited with {exit}: {output}");
        }));

        int passed = 0, failed = 0;
        var total = Stopwatch.StartNew();
        foreach (var (name, run) in checks)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                var note = await run();
                passed++;
                Console.WriteLine($"  Passed {name}{(note is null ? "" : $" ({note})")} [{watch.Elapsed.TotalSeconds:0.0} s]");
            }
            catch (Exception ex)
            {
                failed++;
                Console.WriteLine($"  Failed {name} [{watch.Elapsed.TotalSeconds:0.0} s]");
                Console.WriteLine($"    {ex.GetType().Name}: {ex.Message}");
                Console.WriteLine($"    {ex.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}");
            }
        }

        // The same shape as dotnet test's closing line, so deploy/local/test.sh counts these checks into its total.
        Console.WriteLine(
            $"{(failed == 0 ? "Passed!" : "Failed!")}  - Failed: {failed,5}, Passed: {passed,5}, Skipped: {0,5}, Total: {passed + failed,5}, Duration: {total.Elapsed.TotalSeconds:0} s - VoiceAgent.Benchmarks (smoke)");
        return failed == 0 ? 0 : 1;
    }

    /// <summary>Every [Benchmark] method of every benchmark class, once per [Params] value, with its setup and cleanup.</summary>
    private static IEnumerable<(string, Func<Task<string?>>)> BenchmarkMethods()
    {
        foreach (var type in typeof(SmokeCommand).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false }).OrderBy(t => t.Name))
        {
            var methods = type.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null).ToList();
            if (methods.Count == 0)
            {
                continue;
            }

            var parameter = type.GetProperties().SingleOrDefault(p => p.GetCustomAttribute<ParamsAttribute>() is not null);
            if (type.GetProperties().Count(p => p.GetCustomAttribute<ParamsAttribute>() is not null) > 1)
            {
                yield return ($"{type.Name}: more than one [Params] property", () => throw new NotSupportedException("Teach SmokeCommand to combine several [Params]."));
                continue;
            }

            var values = parameter?.GetCustomAttribute<ParamsAttribute>()!.Values ?? [null];
            foreach (var value in values)
            {
                foreach (var method in methods)
                {
                    var label = parameter is null ? $"{type.Name}.{method.Name}" : $"{type.Name}.{method.Name}({parameter.Name}={value})";
                    yield return ($"benchmark {label}", () => RunBenchmarkAsync(type, method, parameter, value));
                }
            }
        }
    }

    private static async Task<string?> RunBenchmarkAsync(Type type, MethodInfo benchmark, PropertyInfo? parameter, object? value)
    {
        var instance = Activator.CreateInstance(type)!;
        parameter?.SetValue(instance, value);
        await InvokeAllAsync<GlobalSetupAttribute>(instance);
        try
        {
            // Twice: a benchmark is invoked many times on one instance, so a second call must work as well as the first.
            for (var i = 0; i < 2; i++)
            {
                await AwaitResultAsync(benchmark.Invoke(instance, null));
            }
        }
        finally
        {
            await InvokeAllAsync<GlobalCleanupAttribute>(instance);
        }

        return null;
    }

    private static async Task InvokeAllAsync<TAttribute>(object instance)
        where TAttribute : Attribute
    {
        foreach (var method in instance.GetType().GetMethods().Where(m => m.GetCustomAttribute<TAttribute>() is not null))
        {
            await AwaitResultAsync(method.Invoke(instance, null));
        }
    }

    private static async Task AwaitResultAsync(object? result)
    {
        switch (result)
        {
            case Task task:
                await task;
                break;
            case null:
                break;
            default:
                // ValueTask and ValueTask<T>: AsTask() exists on both.
                if (result.GetType().GetMethod("AsTask") is { } asTask && asTask.Invoke(result, null) is Task wrapped)
                {
                    await wrapped;
                }

                break;
        }
    }

    private static async Task<string?> StreamsAsync()
    {
        await using var server = await MediaStreamServer.StartAsync();
        var echo = await StreamRamp.RunStepAsync(server, agent: false, Streams, StreamDuration, TextWriter.Null);
        var agent = await StreamRamp.RunStepAsync(server, agent: true, Streams, StreamDuration, TextWriter.Null);
        foreach (var step in new[] { echo, agent })
        {
            // No jitter target here (a shared machine decides that); every frame must arrive and nothing may fail.
            if (step.Connected != step.Streams || step.Dropped != 0 || step.ClientErrors != 0 || step.ServerErrors != 0 || !double.IsFinite(step.JitterP99Ms))
            {
                throw new InvalidOperationException(
                    $"{step.Endpoint}: {step.Connected}/{step.Streams} connected, {step.Received}/{step.Expected} frames, errors {step.ClientErrors}/{step.ServerErrors}, first error: {step.FirstError}");
            }
        }

        if (server.Counters.UnexpectedSpeechEvents > 0)
        {
            throw new InvalidOperationException("The agent endpoint detected speech in the caller's line noise: the benchmark audio is wrong.");
        }

        return $"{Streams} streams × {echo.Expected / Streams} frames each";
    }

    private static async Task<string?> MinimalWebhooksAsync()
    {
        using var client = WebhookLoad.CreateClient();
        await using var server = await WebhookServer.StartAsync();
        await WebhooksAsync(client, new Uri(server.Origin, "/check/voice"), RealApp.BoundNumber, (status, body) => Expect(status, body.Length == 0, body), 1);
        await WebhooksAsync(client, new Uri(server.Origin, "/twiml/voice"), RealApp.BoundNumber, (status, body) => Expect(status, body.Contains("<Gather", StringComparison.Ordinal), body), 2);
        return null;
    }

    private static async Task<string?> RealAppWebhooksAsync()
    {
        using var client = WebhookLoad.CreateClient();
        await using var app = await RealApp.StartAsync(WebhookServer.AuthToken);
        var voice = new Uri(app.Origin, RealApp.VoicePath);
        await WebhooksAsync(client, voice, RealApp.UnknownNumber, (status, body) => Expect(status, body.Contains("<Hangup", StringComparison.Ordinal), body), 3);
        await WebhooksAsync(client, voice, RealApp.BoundNumber, (status, body) => Expect(status, body.Contains("<Gather", StringComparison.Ordinal), body), 4);
        return null;
    }

    private static async Task WebhooksAsync(HttpClient client, Uri url, string to, Action<HttpStatusCode, string> check, int run)
    {
        var count = (int)(WebhookRate * WebhookDuration.TotalSeconds);
        var requests = SignedWebhook.InboundCalls(url.ToString(), WebhookServer.AuthToken, to, count, run);
        var result = await WebhookLoad.RunAsync(url.AbsolutePath, client, url, requests, WebhookRate, WebhookDuration, check, null, TextWriter.Null);
        if (result.Failed != 0 || result.Shed != 0 || result.Succeeded != count - 1)
        {
            throw new InvalidOperationException($"{url} ({to}): {result.Succeeded}/{result.Requests} ok, {result.Shed} busy, first error: {result.FirstError}");
        }
    }

    private static void Expect(HttpStatusCode status, bool bodyOk, string body)
    {
        if (status != HttpStatusCode.OK || !bodyOk)
        {
            throw new InvalidOperationException($"Unexpected answer {(int)status}: {body[..Math.Min(body.Length, 300)]}");
        }
    }
}
