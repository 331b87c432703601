using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Trace;
using VoiceAgent.Billing;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Telephony;
using VoiceAgent.Telephony.Twilio;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// Traces, metrics and logs of a real host: the Prometheus endpoint only on its own port, our meters after a call, spans
/// down to the database, JSON log lines naming tenant and call (and no secret), and a dashboard that asks only for metrics
/// the app exports.
/// </summary>
public sealed partial class ObservabilityTests : IntegrationTest
{
    private const int MetricsPort = 19464;
    private const int AppPort = 80;
    private const string AuthToken = "0123456789abcdef0123456789abcdef";
    private const string CallSid = "CA0b5e7a11ce0b5e7a11ce0b5e7a11ce00";
    private const string Number = "+49301111111";

    private readonly List<Activity> spans = [];

    protected override Dictionary<string, string?> AppSettings => new()
    {
        ["Observability:PrometheusPort"] = MetricsPort.ToString(CultureInfo.InvariantCulture),
        ["Observability:JsonLogs"] = "true",
        ["Logging:LogLevel:VoiceAgent"] = "Information",
    };

    protected override Action<IServiceCollection>? AppServices => services =>
    {
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.SetSampler(new AlwaysOnSampler()).AddInMemoryExporter(spans));
        services.AddSingleton<ILoggerProvider>(sp => new JsonLogLines(sp.GetServices<ConsoleFormatter>().Single(f => f.Name == ConsoleFormatterNames.Json)));
    };

    [Fact]
    public async Task Metrics_are_served_on_the_metrics_port_only()
    {
        var scrape = await GetAsync("/metrics", MetricsPort);
        Assert.Equal(StatusCodes.Status200OK, scrape.StatusCode);
        Assert.Contains("# TYPE ", scrape.Body, StringComparison.Ordinal);

        // The app's port has no scrape endpoint, and the metrics port serves nothing of the app.
        Assert.Equal(StatusCodes.Status404NotFound, (await GetAsync("/metrics", AppPort)).StatusCode);
        Assert.Equal(StatusCodes.Status404NotFound, (await GetAsync("/api/health", MetricsPort)).StatusCode);
        Assert.Equal(StatusCodes.Status404NotFound, (await GetAsync("/", MetricsPort)).StatusCode);
        Assert.Equal(StatusCodes.Status200OK, (await GetAsync("/api/health/live", AppPort)).StatusCode);
    }

    [Fact]
    public void The_metrics_listener_binds_where_the_app_does()
    {
        Assert.Equal(["http://127.0.0.1:9464"], Platform.Observability.ObservabilitySetup.MetricsUrls(["http://127.0.0.1:5000"], 9464));
        Assert.Equal(["http://+:9464"], Platform.Observability.ObservabilitySetup.MetricsUrls(["http://+:8080", "https://+:8443"], 9464));
    }

    [Fact]
    public async Task A_gather_call_is_counted_traced_and_logged_with_tenant_and_call_sid()
    {
        var tenantId = await GatherCallWithBookingAsync();

        var metrics = PrometheusScrape.Parse((await GetAsync("/metrics", MetricsPort)).Body);
        var twilioGather = new Dictionary<string, string> { ["provider"] = "twilio", ["mode"] = "gather" };
        Assert.Equal(1, metrics.Sum("voiceagent_calls_started_total", twilioGather));
        Assert.Equal(1, metrics.Sum("voiceagent_calls_ended_total", new() { ["provider"] = "twilio", ["status"] = "completed" }));
        Assert.Equal(0, metrics.Sum("voiceagent_calls_active", twilioGather));
        Assert.Equal(4, metrics.Sum("voiceagent_calls_turns_total", twilioGather));
        Assert.Equal(4, metrics.Sum("voiceagent_calls_turn_latency_seconds_count", twilioGather));
        Assert.Equal(1, metrics.Sum("voiceagent_bookings_total", new() { ["provider"] = "sandbox", ["outcome"] = "created" }));
        // No tenant, call or number on any metric of ours.
        Assert.DoesNotContain(metrics.Samples, s => s.Name.StartsWith("voiceagent_", StringComparison.Ordinal)
            && s.Labels.Values.Any(v => v.Contains(tenantId.ToString(), StringComparison.Ordinal) || v.Contains(CallSid, StringComparison.Ordinal) || v.Contains("+49", StringComparison.Ordinal)));

        // Each webhook is a server span; the call's database work and its flow turn are its children.
        await Eventually.UntilAsync(() => Task.FromResult(Spans().Count(s => s.Source.Name == "Microsoft.AspNetCore" && s.DisplayName.Contains("/telephony/twilio/gather", StringComparison.Ordinal)) >= 3),
            "the gather requests' spans");
        var all = Spans();
        var requests = all.Where(s => s.Source.Name == "Microsoft.AspNetCore").ToDictionary(s => s.SpanId);
        Assert.Contains(all, s => s.Source.Name == "Npgsql" && requests.ContainsKey(s.ParentSpanId));
        var turns = all.Where(s => s.OperationName == "call.turn").ToList();
        Assert.Equal(4, turns.Count);
        Assert.All(turns, t => Assert.True(requests.ContainsKey(t.ParentSpanId)));
        Assert.All(turns, t => Assert.Equal(CallSid, t.GetTagItem("voiceagent.call_sid")));
        Assert.Contains(all, s => s.Source.Name == "Npgsql" && turns.Any(t => t.SpanId == s.ParentSpanId));
        // Database work outside any request, job or turn (Hangfire polling) is not recorded as root spans.
        Assert.All(all.Where(s => s.Source.Name == "Npgsql"), s => Assert.NotEqual(default, s.ParentSpanId));

        // JSON lines: the call's lines name tenant and call sid in their scope; no line holds the auth token.
        var lines = App.Services.GetServices<ILoggerProvider>().OfType<JsonLogLines>().Single().Lines;
        var parsed = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var ofCall = parsed.Where(l => Scopes(l).Any(s => s.TryGetProperty("CallSid", out var sid) && sid.GetString() == CallSid)).ToList();
        Assert.Contains(ofCall, l => l.GetProperty("Message").GetString()!.Contains("call taken", StringComparison.Ordinal));
        Assert.Contains(ofCall, l => l.GetProperty("Message").GetString()!.Contains("call ended", StringComparison.Ordinal));
        Assert.All(ofCall, l => Assert.Contains(Scopes(l), s => s.TryGetProperty("TenantId", out var t) && t.GetString() == tenantId.ToString()));
        Assert.DoesNotContain(lines, l => l.Contains(AuthToken, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("+491701234567", StringComparison.Ordinal) || l.Contains(Number, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_metric_the_dashboard_queries_is_exported()
    {
        // Traffic that makes every series of the dashboard appear: a call with a booking, a shed call, an invoice, Hangfire jobs.
        await GatherCallWithBookingAsync();
        App.Services.GetRequiredService<CallAdmission>().Overloaded("twilio", new TimeoutException(), () => 0);
        var seed = new BillingSeed(Database);
        var plan = await seed.PlanAsync("Standard", 4900, 100, 30, 12m, 9m);
        await seed.AssignAsync(await seed.TenantAsync("Alpha Praxis"), plan, new DateOnly(2025, 6, 1));
        var run = await App.Services.GetRequiredService<BillingRun>().RunAsync(new BillingPeriod(2026, 1), RunTriggers.Manual, new Actor(null, "admin@test.local"), finalize: true);
        Assert.Equal(1, run.Finalized);
        // The invoice's notice mail is sent by a Hangfire job.
        string body = "";
        await Eventually.UntilAsync(async () => (body = (await GetAsync("/metrics", MetricsPort)).Body).Contains("voiceagent_jobs_executed_total", StringComparison.Ordinal),
            "a Hangfire job run");

        Assert.DoesNotContain("Password=", body, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("db_client_connection_pool_name=\"voiceagent\"", body, StringComparison.Ordinal);
        var exported = PrometheusScrape.Parse(body).Samples.Select(s => s.Name).ToHashSet();
        var queried = DashboardMetricNames();
        Assert.NotEmpty(queried);
        var missing = queried.Except(exported).Order().ToList();
        Assert.True(missing.Count == 0, "Not exported: " + string.Join(", ", missing));

        // Each job run is a span of its own (Hangfire has no instrumentation): the mail job's database work is its child.
        await Eventually.UntilAsync(() => Task.FromResult(Spans().Any(s => s.OperationName == "hangfire.job MailJobs.SendAsync")), "a job span");
        var jobs = Spans().Where(s => s.Source.Name == "VoiceAgent.Jobs").ToList();
        Assert.Contains(Spans(), s => s.Source.Name == "Npgsql" && jobs.Any(j => j.SpanId == s.ParentSpanId));
    }

    /// <summary>A tenant with the sample flow on <see cref="Number"/>; a gather call that books the offered slot, then ends.</summary>
    private async Task<Guid> GatherCallWithBookingAsync()
    {
        var super = await App.LoginAsAdminAsync();
        (await super.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = AuthToken })).EnsureSuccessStatusCode();
        var (tenantId, admin) = await App.ApprovedTenantAsync("chef@a.de", "Praxis Alpha");
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/tenant/numbers", new { number = "030 1111111", region = "DE", flowId })).StatusCode);

        var twilio = App.CreateClient();
        await WebhookAsync(twilio, "/telephony/twilio/voice", new()
        {
            ["CallSid"] = CallSid, ["AccountSid"] = "AC" + new string('1', 32), ["From"] = "+491701234567", ["To"] = Number,
            ["CallStatus"] = "ringing", ["Direction"] = "inbound", ["ApiVersion"] = "2010-04-01",
        });
        foreach (var said in new[] { "Ich möchte einen Termin", "Ja, gerne", "Nein danke, tschüss" })
        {
            await WebhookAsync(twilio, "/telephony/twilio/gather", new() { ["CallSid"] = CallSid, ["SpeechResult"] = said });
        }

        await WebhookAsync(twilio, "/telephony/twilio/status", new() { ["CallSid"] = CallSid, ["CallStatus"] = "completed", ["CallDuration"] = "95" });
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM sandbox_events"));
        return tenantId;
    }

    private static async Task WebhookAsync(HttpClient client, string path, Dictionary<string, string> form)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(AuthToken, "http://localhost" + path, form));
        (await client.SendAsync(request)).EnsureSuccessStatusCode();
    }

    /// <summary>A request as it arrives on one of the host's listeners (TestServer has none: the local port is set by hand).</summary>
    private async Task<(int StatusCode, string Body)> GetAsync(string path, int localPort)
    {
        var context = await App.Server.SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Get;
            c.Request.Path = path;
            c.Connection.LocalPort = localPort;
        });
        using var reader = new StreamReader(context.Response.Body);
        return (context.Response.StatusCode, await reader.ReadToEndAsync());
    }

    private List<Activity> Spans()
    {
        lock (spans)
        {
            return [.. spans];
        }
    }

    private static IEnumerable<JsonElement> Scopes(JsonElement line) =>
        line.TryGetProperty("Scopes", out var scopes) ? scopes.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object) : [];

    /// <summary>The metric names in the dashboard's PromQL: label matchers and <c>by (…)</c> clauses removed, what is left that
    /// starts like one of our exporters' names.</summary>
    private static HashSet<string> DashboardMetricNames()
    {
        var path = RepositoryFiles.PathOf("deploy", "grafana", "voiceagent-dashboard.json");
        using var dashboard = JsonDocument.Parse(File.ReadAllText(path));
        var names = new HashSet<string>();
        foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
        {
            if (!panel.TryGetProperty("targets", out var targets))
            {
                continue;
            }

            foreach (var target in targets.EnumerateArray())
            {
                var expr = LabelSets().Replace(Grouping().Replace(target.GetProperty("expr").GetString()!, ""), "");
                names.UnionWith(MetricName().Matches(expr).Select(m => m.Value));
            }
        }

        return names;
    }

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelSets();

    [GeneratedRegex(@"\b(by|without)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\b(voiceagent|http|kestrel|db|dotnet|process|aspnetcore)_[a-z0-9_]+")]
    private static partial Regex MetricName();
}
