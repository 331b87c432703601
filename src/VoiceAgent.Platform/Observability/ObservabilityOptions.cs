using System.ComponentModel.DataAnnotations;

namespace VoiceAgent.Platform.Observability;

/// <summary>Traces, metrics and logs (section <c>Observability</c>).</summary>
public sealed class ObservabilityOptions
{
    public const string Section = "Observability";

    /// <summary>OTLP collector base URL (e.g. <c>http://otel-collector:4317</c>); empty: traces and metrics are not exported over OTLP
    /// and no spans are recorded.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (port 4317) or <c>http/protobuf</c> (port 4318; the signal paths <c>/v1/traces</c> … are appended).</summary>
    [RegularExpression("^(grpc|http/protobuf)$")]
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>Port of the Prometheus scrape endpoint <c>/metrics</c>, a listener of its own on the app's addresses; 0: off.
    /// Nothing else is served on it, and <c>/metrics</c> is not served on the app's port.</summary>
    [Range(0, 65535)]
    public int PrometheusPort { get; set; }

    /// <summary>One JSON object per log line on stdout, with scopes (tenant id, call sid). Null: on outside Development.</summary>
    public bool? JsonLogs { get; set; }

    /// <summary>The service name in traces and metrics (resource attribute <c>service.name</c>).</summary>
    [Required]
    public string ServiceName { get; set; } = "voiceagent";
}
