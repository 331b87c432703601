namespace VoiceAgent.Platform.Observability;

/// <summary>
/// Our meters and activity sources are named <c>VoiceAgent.&lt;Module&gt;</c> (each module owns its own, created through
/// <see cref="System.Diagnostics.Metrics.IMeterFactory"/>); OpenTelemetry listens to all of them by this prefix. Metric tags
/// stay low-cardinality: provider, mode, outcome, kind — never a tenant id, a call id or a phone number (those go on spans
/// and log scopes).
/// </summary>
public static class Telemetry
{
    public const string Prefix = "VoiceAgent.";

    /// <summary>Wildcard for <c>AddMeter</c>/<c>AddSource</c>.</summary>
    public const string AllOurs = Prefix + "*";

    /// <summary>Span attribute names shared by the modules.</summary>
    public const string TenantIdTag = "voiceagent.tenant_id";

    public const string CallSidTag = "voiceagent.call_sid";
}
