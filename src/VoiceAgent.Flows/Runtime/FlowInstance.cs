using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using VoiceAgent.Flows.Definitions;

namespace VoiceAgent.Flows.Runtime;

public enum FlowStatus
{
    Running,
    Suspended,
    Completed,
    Faulted,
}

/// <summary>
/// The state of one run (one call or simulator session). It round-trips through JSON, so a run suspended on one node of
/// the cluster resumes on any other.
/// </summary>
public sealed class FlowInstance
{
    // Stored once per caller turn: compact, not indented like definitions.
    private static readonly JsonSerializerOptions CompactOptions = new(FlowJson.Options) { WriteIndented = false };

    public string Id { get; set; } = Guid.NewGuid().ToString("n");
    public FlowStatus Status { get; set; } = FlowStatus.Running;
    public string? CurrentNodeId { get; set; }
    public Bookmark? Bookmark { get; set; }
    public JsonObject Variables { get; set; } = [];
    public List<TranscriptEntry> Transcript { get; set; } = [];

    /// <summary>Per-node counters (retries, offers) keyed "nodeId:name"; reset when a node is entered afresh.</summary>
    public Dictionary<string, int> Counters { get; set; } = [];

    public int Steps { get; set; }
    public List<Incident> Incidents { get; set; } = [];

    public string ToJson() => JsonSerializer.Serialize(this, CompactOptions);

    public static FlowInstance FromJson(string json) =>
        JsonSerializer.Deserialize<FlowInstance>(json, FlowJson.Options) ?? throw new JsonException("Empty flow instance.");
}

public sealed record TranscriptEntry(TranscriptRole Role, string Text, string? NodeId, DateTimeOffset At);

[JsonConverter(typeof(JsonStringEnumConverter<TranscriptRole>))]
public enum TranscriptRole
{
    Agent,
    Caller,
    System,
}

/// <summary>Something an operator should look at: a runaway flow, a failing port, an activity bug.</summary>
public sealed record Incident(string Kind, string? NodeId, string Message, DateTimeOffset At);

public static class IncidentKinds
{
    public const string StepLimit = "step_limit";
    public const string PortFailure = "port_failure";
    public const string ActivityError = "activity_error";
}
