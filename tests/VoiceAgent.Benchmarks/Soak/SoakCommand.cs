using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using VoiceAgent.Benchmarks.Load;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Cluster;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Benchmarks.Soak;

/// <summary>
/// <c>soak</c> (issue #18, item 7): the local cluster under a steady mix of realtime streams, gather calls and portal
/// users for a long time, to show what short benchmarks cannot — memory that creeps, errors that appear only after
/// thousands of calls, latency that drifts. Targets: resident memory of every instance within 5 % from the end of the
/// warm-up to the end, no error, gather webhooks p99 ≤ 15 ms (B3) and caller turns p50 ≤ 1,100 ms (B5, end of speech →
/// first agent audio). Against the cluster deploy/local/soak.sh starts; <c>--quick</c> runs two in-process app hosts on
/// a private PostgreSQL instead, for seconds, and checks only that nothing fails (the smoke run uses it).
/// </summary>
internal static class SoakCommand
{
    private const double GrowthLimitPercent = 5;
    private const double WebhookP99LimitMs = 15;
    private const double TurnP50LimitMs = 1100;
    private const string AuthenticatorKey = "KRSXG5CTMVRXEZLUKN2XAZLSNVQWY3DF";

    /// <summary>Stream calls last about half a minute (the fake's speech is 50 ms per character): 10 streams are ≈ 20 new
    /// calls a minute, well under a tenant's 60 call set-ups a minute. Gather calls: 40 a minute per tenant.</summary>
    private const int StreamsPerTenant = 10, GatherCallsPerTenantPerMinute = 40;

    public static async Task<int> RunAsync(string[] args) => await RunAsync(SoakOptions.Parse(args), Console.Out);

    public static async Task<int> RunAsync(SoakOptions options, TextWriter output)
    {
        await using var openAi = await FakeOpenAiServer.StartAsync(options.Quick ? 0
            : int.Parse(Environment.GetEnvironmentVariable("VOICEAGENT_DRILL_OPENAI_PORT") ?? "5099", CultureInfo.InvariantCulture));
        openAi.TranscribeWith(SoakDriver.Transcribe);
        // The sample flow's Listen asks the model only when the offline rules understand nothing; answer that case too.
        openAi.ChatWith(_ => new FakeChatReply.Completion("Wie bitte?", "unknown"));
        return options.Quick ? await QuickAsync(options, openAi, output) : await ClusterAsync(options, output);
    }

    private static async Task<int> ClusterAsync(SoakOptions options, TextWriter output)
    {
        var count = int.Parse(Environment.GetEnvironmentVariable("VOICEAGENT_SOAK_INSTANCES") ?? "3", CultureInfo.InvariantCulture);
        var numbers = Enumerable.Range(1, count).ToList();
        foreach (var i in numbers)
        {
            using var client = ClusterApi.Client(i);
            if (!(await client.GetAsync("/api/health")).IsSuccessStatusCode)
            {
                output.WriteLine($"no cluster: instance {i} ({ClusterApi.Instance(i)}) is not ready (run deploy/local/soak.sh)");
                return 1;
            }
        }

        var email = $"soak-{DateTime.UtcNow:yyyyMMddHHmmss}@voiceagent.local";
        var password = "Soak-" + Guid.NewGuid().ToString("N")[..16] + "1";
        await ClusterApi.CreateSuperAdminAsync(email, password, AuthenticatorKey);
        var admin = await ClusterApi.LoginAsync(1, email, password, Totp.Code(AuthenticatorKey));
        await ClusterApi.ConfigureTwilioAsync(admin);
        await ClusterApi.ConfigureOpenAiAsync(admin);
        var tenants = new List<SoakTenant>();
        async Task AddAsync(bool streams, object speech)
        {
            var (_, token) = await ClusterApi.TenantAsync(admin, speech, "soak", "Soak Praxis GmbH");
            tenants.Add(new SoakTenant(await ClusterApi.NumberAsync(token, "Soak"), token, streams));
        }

        for (var t = 0; t < Math.Ceiling(options.Streams / (double)StreamsPerTenant); t++)
        {
            await AddAsync(true, new { provider = "OpenAi", voice = "coral" });
        }

        for (var t = 0; t < Math.Ceiling(options.GatherPerMinute / (double)GatherCallsPerTenantPerMinute); t++)
        {
            await AddAsync(false, new { provider = "Offline" });
        }

        var clusterDirectory = Environment.GetEnvironmentVariable("VOICEAGENT_CLUSTER_DIR");
        if (clusterDirectory is null)
        {
            output.WriteLine("VOICEAGENT_CLUSTER_DIR is not set: the instances' pid files (and so their RSS) are unknown (run deploy/local/soak.sh).");
        }

        var sampler = new MemorySampler(numbers, clusterDirectory,
            int.Parse(Environment.GetEnvironmentVariable("VOICEAGENT_PROMETHEUS_PORT_BASE") ?? "9463", CultureInfo.InvariantCulture));
        return await SoakAsync(options, [.. numbers.Select(ClusterApi.Instance)], tenants, sampler, output);
    }

    /// <summary>Two real app hosts on one private PostgreSQL in this process (Kestrel on loopback, realtime mode against
    /// the OpenAI fake): a stream tenant, a gather tenant, everything crossing between the two hosts.</summary>
    private static async Task<int> QuickAsync(SoakOptions options, FakeOpenAiServer openAi, TextWriter output)
    {
        var database = await PostgresServer.StartAsync();
        Environment.SetEnvironmentVariable("Logging__Console__LogLevel__Default", "None");
        var settings = new Dictionary<string, string?> { ["Telephony:Mode"] = "realtime", ["OpenAi:Endpoint"] = openAi.Endpoint.ToString() };
        var factories = new List<VoiceAgentFactory>();
        try
        {
            var origins = new List<Uri>();
            for (var i = 0; i < 2; i++)
            {
                var factory = new VoiceAgentFactory(database, "Production") { Settings = settings };
                factories.Add(factory);
                origins.Add(new Uri(RealApp.StartOnLoopback(factory)));
            }

            var first = factories[0];
            await first.CreateSuperAdminAsync();
            using var admin = await first.LoginAsAdminAsync();
            (await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = ClusterApi.AuthToken })).EnsureSuccessStatusCode();
            (await admin.PutAsJsonAsync("/api/admin/settings/openai.api_key", new { value = "sk-soak-" + new string('k', 40) })).EnsureSuccessStatusCode();
            var tenants = new List<SoakTenant>();
            foreach (var (streams, number) in new[] { (true, "+49302222222"), (false, "+49303333333") })
            {
                var (tenantId, tenantAdmin) = await first.ApprovedTenantAsync($"chef@praxis-soak-{(streams ? "stream" : "gather")}.de", "Praxis Soak");
                var flowId = await first.SeedSampleFlowAsync(tenantId);
                (await tenantAdmin.PostAsJsonAsync("/api/tenant/numbers", new { number, region = "DE", flowId })).EnsureSuccessStatusCode();
                object speech = streams ? new { provider = "OpenAi", voice = "coral" } : new { provider = "Offline" };
                (await tenantAdmin.PutAsJsonAsync("/api/tenant/speech", speech)).EnsureSuccessStatusCode();
                tenants.Add(new SoakTenant(number, tenantAdmin.DefaultRequestHeaders.Authorization!.Parameter!, streams));
            }

            return await SoakAsync(options, origins, tenants, new MemorySampler([], null, 0), output);
        }
        finally
        {
            foreach (var factory in factories)
            {
                await factory.DisposeAsync();
            }

            Environment.SetEnvironmentVariable("Logging__Console__LogLevel__Default", null);
            database.Stop();
        }
    }

    private static async Task<int> SoakAsync(SoakOptions options, IReadOnlyList<Uri> instances, IReadOnlyList<SoakTenant> tenants,
        MemorySampler sampler, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Soak: {options.Duration.TotalMinutes:0.##} min on {instances.Count} instances, {options.Streams} concurrent streams, {options.GatherPerMinute} gather calls/min, {options.PortalUsers} portal users; warm-up {options.WarmUp.TotalMinutes:0.##} min; {tenants.Count(t => t.Streams)} stream and {tenants.Count(t => !t.Streams)} gather tenants"));
        var stats = new SoakStats();
        var driver = new SoakDriver(instances, tenants, stats, options);
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(options.Duration);
        var load = driver.RunAsync(stop.Token);
        if (!options.Quick)
        {
            await SampleAsync(sampler, clock, TimeSpan.Zero, stats, output);
            for (var minute = 1; TimeSpan.FromMinutes(minute) < options.Duration; minute++)
            {
                var due = TimeSpan.FromMinutes(minute) - clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due);
                }

                await SampleAsync(sampler, clock, TimeSpan.FromMinutes(minute), stats, output);
            }

            var end = options.Duration - clock.Elapsed;
            if (end > TimeSpan.Zero)
            {
                await Task.Delay(end);
            }

            await SampleAsync(sampler, clock, options.Duration, stats, output);
        }

        // Calls in flight finish (bounded by the callers' own timeouts).
        await load;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Load ended after {clock.Elapsed.TotalMinutes:0.0} min (calls in flight finished)."));
        return Report(options, stats, sampler, output);
    }

    private static async Task SampleAsync(MemorySampler sampler, Stopwatch clock, TimeSpan at, SoakStats stats, TextWriter output)
    {
        var sample = await sampler.TakeAsync(at);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  min {sample.Minute,5:0.0}  RSS MB {string.Join(" / ", sample.RssMb.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))}  managed heap MB {string.Join(" / ", sample.HeapMb.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))}  calls {stats.StreamCalls} stream + {stats.GatherCalls} gather, errors {stats.Errors}  [{clock.Elapsed.TotalMinutes:0.0}]"));
    }

    private static int Report(SoakOptions options, SoakStats stats, MemorySampler sampler, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Calls completed: {stats.StreamCalls} stream, {stats.GatherCalls} gather; portal requests {stats.PortalRequests}; errors {stats.Errors}"));
        foreach (var kind in new[] { SoakStats.GatherWebhook, SoakStats.StreamWebhook, SoakStats.Greeting, SoakStats.Turn, SoakStats.Portal })
        {
            output.WriteLine(stats.Line(kind));
        }

        foreach (var (kind, count, examples) in stats.ErrorKinds)
        {
            output.WriteLine($"  error {kind}: {count}");
            foreach (var example in examples)
            {
                output.WriteLine($"    {example}");
            }
        }

        if (options.Quick)
        {
            var quickOk = stats.Errors == 0 && stats.StreamCalls >= options.Streams && stats.GatherCalls > 0;
            output.WriteLine($"SOAK quick: {(quickOk ? "pass" : "fail")} ({stats.StreamCalls} stream + {stats.GatherCalls} gather calls, {stats.Errors} errors)");
            return quickOk ? 0 : 1;
        }

        var rss = sampler.GrowthPercent(options.WarmUp, s => s.RssMb);
        var heap = sampler.GrowthPercent(options.WarmUp, s => s.HeapMb);
        var counted = sampler.Samples.Where(s => s.Minute >= options.WarmUp.TotalMinutes - 0.01).ToList();
        for (var n = 0; n < rss.Length; n++)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  instance {n + 1}: RSS {counted.FirstOrDefault()?.RssMb[n]:F0} → {counted.LastOrDefault()?.RssMb[n]:F0} MB ({rss[n]:+0.0;-0.0} %), managed heap {counted.FirstOrDefault()?.HeapMb[n]:F0} → {counted.LastOrDefault()?.HeapMb[n]:F0} MB ({heap[n]:+0.0;-0.0} %)"));
        }

        var growth = rss.Max();
        var webhookP99 = stats.Percentile(SoakStats.GatherWebhook, 99);
        var turnP50 = stats.Percentile(SoakStats.Turn, 50);
        var memoryOk = double.IsFinite(growth) && growth <= GrowthLimitPercent;
        var webhookOk = options.GatherPerMinute == 0 || webhookP99 <= WebhookP99LimitMs;
        var turnOk = options.Streams == 0 || turnP50 <= TurnP50LimitMs;
        var pass = memoryOk && stats.Errors == 0 && webhookOk && turnOk;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SOAK {(pass ? "pass" : "fail")}: RSS growth max {growth:+0.0;-0.0} % (≤ {GrowthLimitPercent} %: {Met(memoryOk)}), errors {stats.Errors} ({Met(stats.Errors == 0)}), gather webhook p99 {webhookP99:F1} ms (≤ {WebhookP99LimitMs} ms, B3: {Met(webhookOk)}), stream turn p50 {turnP50:F0} ms (≤ {TurnP50LimitMs} ms, B5: {Met(turnOk)})"));
        return pass ? 0 : 1;
    }

    private static string Met(bool ok) => ok ? "met" : "missed";
}
