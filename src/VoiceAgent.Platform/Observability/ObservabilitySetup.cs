using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace VoiceAgent.Platform.Observability;

/// <summary>
/// OpenTelemetry in one place: traces (ASP.NET Core, HttpClient, Npgsql, our <c>VoiceAgent.*</c> sources — call turns,
/// Hangfire jobs) and metrics (the same plus the .NET runtime and our <c>VoiceAgent.*</c> meters), exported over OTLP when
/// <see cref="ObservabilityOptions.OtlpEndpoint"/> is set and scraped by Prometheus on a port of its own
/// (<see cref="ObservabilityOptions.PrometheusPort"/>); structured JSON console logs with scopes.
/// </summary>
public static class ObservabilitySetup
{
    public const string ScrapePath = "/metrics";

    public static void AddObservability(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ObservabilityOptions>().Bind(builder.Configuration.GetSection(ObservabilityOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        // Read now as well: the listeners, exporters and log format are chosen while the host is built.
        var options = builder.Configuration.GetSection(ObservabilityOptions.Section).Get<ObservabilityOptions>() ?? new ObservabilityOptions();

        if (options.JsonLogs ?? !builder.Environment.IsDevelopment())
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }

        if (options.PrometheusPort > 0)
        {
            builder.WebHost.UseUrls([.. AppUrls(builder.WebHost), .. MetricsUrls(AppUrls(builder.WebHost), options.PrometheusPort)]);
        }

        var exportOtlp = !string.IsNullOrWhiteSpace(options.OtlpEndpoint);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(options.ServiceName,
                serviceVersion: typeof(ObservabilitySetup).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
                serviceInstanceId: Environment.MachineName))
            .WithTracing(tracing => tracing
                // Without a collector nothing would read the spans: none are recorded (tests add their own exporter and sampler).
                .SetSampler(exportOtlp ? new ParentBasedSampler(new AlwaysOnSampler()) : new AlwaysOffSampler())
                .AddSource(Telemetry.AllOurs)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => IsTraced(context, options.PrometheusPort))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddProcessor(new UnparentedDatabaseSpans()))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Telemetry.AllOurs)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation();
                if (options.PrometheusPort > 0)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        if (exportOtlp)
        {
            telemetry.UseOtlpExporter(options.OtlpProtocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc,
                new Uri(options.OtlpEndpoint!));
        }
    }

    /// <summary>
    /// First in the pipeline: on the metrics port only <see cref="ScrapePath"/> is served (everything else is 404 there), and
    /// the app's own port answers <see cref="ScrapePath"/> with 404, whether Prometheus is on or not.
    /// </summary>
    public static void UseObservability(this WebApplication app)
    {
        var port = app.Services.GetRequiredService<IOptions<ObservabilityOptions>>().Value.PrometheusPort;
        if (port > 0)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(context => context.Connection.LocalPort == port && context.Request.Path == ScrapePath);
        }

        app.Use((context, next) =>
        {
            var onMetricsPort = port > 0 && context.Connection.LocalPort == port;
            if (!onMetricsPort && !context.Request.Path.StartsWithSegments(ScrapePath))
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    }

    /// <summary>The app's addresses as Kestrel would take them: <c>urls</c>, else <c>http_ports</c>/<c>https_ports</c>, else its default.</summary>
    private static string[] AppUrls(IWebHostBuilder host)
    {
        static string[] Split(string? value) => value?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        var urls = Split(host.GetSetting(WebHostDefaults.ServerUrlsKey));
        if (urls.Length > 0)
        {
            return urls;
        }

        var ports = Split(host.GetSetting(WebHostDefaults.HttpPortsKey)).Select(p => $"http://*:{p}")
            .Concat(Split(host.GetSetting(WebHostDefaults.HttpsPortsKey)).Select(p => $"https://*:{p}")).ToArray();
        return ports.Length > 0 ? ports : ["http://localhost:5000"];
    }

    /// <summary>The metrics listener binds where the app does (loopback stays loopback, <c>+</c> stays every interface), over http.</summary>
    public static string[] MetricsUrls(IEnumerable<string> appUrls, int port) =>
        appUrls.Select(url => $"http://{BindingAddress.Parse(url).Host}:{port}").Distinct(StringComparer.OrdinalIgnoreCase).ToArray();

    // Health probes, scrapes, static files and the Blazor circuit's connection would drown the requests worth a trace.
    private static bool IsTraced(HttpContext context, int metricsPort)
    {
        var path = context.Request.Path;
        return (metricsPort <= 0 || context.Connection.LocalPort != metricsPort)
               && !path.StartsWithSegments("/api/health") && !path.StartsWithSegments("/_blazor") && !path.StartsWithSegments("/_framework")
               && !path.StartsWithSegments("/_content") && !Path.HasExtension(path.Value);
    }

    /// <summary>
    /// Database commands that belong to no request, job or call turn (Hangfire's queue polling, background timers) would
    /// be a stream of root spans: they are not recorded. A command inside a traced operation is its child as usual.
    /// </summary>
    private sealed class UnparentedDatabaseSpans : BaseProcessor<Activity>
    {
        public override void OnStart(Activity data)
        {
            if (data.Source.Name == "Npgsql" && data.Parent is null && data.ParentSpanId == default)
            {
                data.IsAllDataRequested = false;
                data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            }
        }
    }
}
