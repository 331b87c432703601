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
/// The state of one run (one conversation, e.g. a phone call or a simulator session). It round-trips through JSON, so a
/// run suspended on one node of the cluster resumes on any other.
/// </summary>
public sealed class FlowInstance
{
    // Stored once per turn: compact, not indented like definitions.
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

    /// <summary>The steps of the run for replaying it; null until the runner first runs it (and in runs stored before).</summary>
    public FlowTrace? Trace { get; set; }

    public string ToJson() => JsonSerializer.Serialize(this, CompactOptions);

    public static FlowInstance FromJson(string json) =>
        JsonSerializer.Deserialize<FlowInstance>(json, FlowJson.Options) ?? throw new JsonException("Empty flow instance.");
}

public sealed record TranscriptEntry(TranscriptRole Role, string Text, string? NodeId, DateTimeOffset At);

/// <summary>
/// Who a transcript line is from. An open name like a bookmark kind: the engine knows the flow's own voice and the
/// system; the other parties (e.g. the caller of a phone call) are named by the activities that record them. Stored
/// as its name, e.g. <c>"Agent"</c>.
/// </summary>
[JsonConverter(typeof(TranscriptRoleJsonConverter))]
public readonly record struct TranscriptRole
{
    private readonly string? name;

    public TranscriptRole(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        this.name = name;
    }

    /// <summary>The flow itself: what its activities said.</summary>
    public static TranscriptRole Agent { get; } = new("Agent");

    public static TranscriptRole System { get; } = new("System");

    public string Name => name ?? "";

    public override string ToString() => Name;
}

internal sealed class TranscriptRoleJsonConverter : JsonConverter<TranscriptRole>
{
    public override TranscriptRole Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && reader.GetString() is { } name && !string.IsNullOrWhiteSpace(name)
            ? new TranscriptRole(name)
            : throw new JsonException("A transcript role is a non-empty string.");

    public override void Write(Utf8JsonWriter writer, TranscriptRole value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name);
}

/// <summary>Something an operator should look at: a runaway flow, a failing port, an activity bug.</summary>
public sealed record Incident(string Kind, string? NodeId, string Message, DateTimeOffset At);

public static class IncidentKinds
{
    public const string StepLimit = "step_limit";
    public const string PortFailure = "port_failure";
    public const string ActivityError = "activity_error";
}
