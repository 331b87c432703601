using System.Diagnostics;
using System.Diagnostics.Metrics;
using VoiceAgent.Platform.Observability;

namespace VoiceAgent.Telephony.Calls;

/// <summary>
/// The telephony meter and activity source (<c>VoiceAgent.Telephony</c>): calls started, ended and in progress, turns and
/// their latency, calls shed by the admission gate, and one span per call turn. Tags are provider, mode, status and
/// reason only; the tenant and the call sid go on the span and the log scope, never on a metric.
/// </summary>
public sealed class CallTelemetry
{
    public const string Name = Telemetry.Prefix + "Telephony";

    private static readonly ActivitySource Source = new(Name);

    /// <summary>The statuses a provider ends a call with; anything else is counted as "other".</summary>
    private static readonly HashSet<string> EndStatuses = ["completed", "busy", "failed", "no-answer", "canceled"];

    private readonly Counter<long> started;
    private readonly Counter<long> ended;
    private readonly UpDownCounter<long> active;
    private readonly Counter<long> turns;
    private readonly Histogram<double> turnLatency;
    private readonly Counter<long> shed;
    private readonly Counter<long> sessionReads;

    public CallTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        started = meter.CreateCounter<long>("voiceagent.calls.started", description: "Calls taken (a flow session was created)");
        ended = meter.CreateCounter<long>("voiceagent.calls.ended", description: "Calls ended, by final status");
        active = meter.CreateUpDownCounter<long>("voiceagent.calls.active",
            description: "Calls taken and not yet ended (per instance: a call may start on one instance and end on another; sum over instances)");
        turns = meter.CreateCounter<long>("voiceagent.calls.turns", description: "Flow turns run for calls");
        turnLatency = meter.CreateHistogram("voiceagent.calls.turn_latency", unit: "s",
            description: "Turn latency: realtime end of caller speech to first agent audio (mouth to ear); gather the webhook's processing time",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10] });
        shed = meter.CreateCounter<long>("voiceagent.calls.shed", description: "New calls turned away with the busy announcement");
        sessionReads = meter.CreateCounter<long>("voiceagent.calls.session_reads",
            description: "Flow session states read for a turn with Redis configured, by source: the hot copy (redis) or PostgreSQL (postgres)");
    }

    public void Started(Call call)
    {
        var tags = Tags(call);
        started.Add(1, tags);
        active.Add(1, tags);
    }

    /// <summary>The first end of a call (repeated status callbacks are not counted).</summary>
    public void Ended(Call call)
    {
        var withStatus = Tags(call);
        withStatus.Add("status", EndStatuses.Contains(call.Status) ? call.Status : "other");
        ended.Add(1, withStatus);
        active.Add(-1, Tags(call));
    }

    public void Turn(Call call) => turns.Add(1, Tags(call));

    public void TurnLatencies(Call call, IEnumerable<int> milliseconds)
    {
        foreach (var ms in milliseconds)
        {
            turnLatency.Record(ms / 1000.0, Tags(call));
        }
    }

    /// <summary>A turn's session state came from the hot copy in Redis (true) or from PostgreSQL.</summary>
    public void SessionRead(bool fromRedis) =>
        sessionReads.Add(1, new KeyValuePair<string, object?>("source", fromRedis ? "redis" : "postgres"));

    /// <param name="reason">"no set-up slot" or "database".</param>
    public void Shed(string provider, string reason) =>
        shed.Add(1, new KeyValuePair<string, object?>("provider", provider), new KeyValuePair<string, object?>("reason", reason));

    /// <summary>The span of one flow turn of a call (its database commands and model requests are children).</summary>
    public static Activity? StartTurn(Call call)
    {
        var activity = Source.StartActivity("call.turn");
        activity?.SetTag("voiceagent.call.provider", call.Provider);
        activity?.SetTag("voiceagent.call.mode", call.Mode);
        activity?.SetTag(Telemetry.TenantIdTag, call.TenantId);
        activity?.SetTag(Telemetry.CallSidTag, call.ProviderCallId);
        return activity;
    }

    private static TagList Tags(Call call) => new() { { "provider", call.Provider }, { "mode", call.Mode } };
}
