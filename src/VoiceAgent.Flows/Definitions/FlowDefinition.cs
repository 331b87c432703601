using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace VoiceAgent.Flows.Definitions;

/// <summary>A flow as stored and exchanged (designer, import/export, CLI). See README.md for the format.</summary>
public sealed class FlowDefinition
{
    public string Name { get; set; } = "";
    public List<FlowNode> Nodes { get; set; } = [];
    public List<FlowConnection> Connections { get; set; } = [];
    public List<FlowVariable> Variables { get; set; } = [];

    /// <summary>Sticky notes on the canvas: comments for the people editing the flow. Optional (older definitions have
    /// none, and a flow without notes stores none); the engine never reads them.</summary>
    public List<FlowNote?>? Notes { get; set; }
}

public sealed class FlowNode
{
    public string Id { get; set; } = "";
    public string Type { get; set; } = "";

    /// <summary>Input values by input name: strings (templates, expressions), numbers, booleans, lists, objects.</summary>
    public Dictionary<string, JsonNode?> Inputs { get; set; } = [];

    public NodePosition? Position { get; set; }
}

public sealed record NodePosition(double X, double Y);

public sealed record FlowConnection(string From, string Outcome, string To);

/// <summary>A sticky note: its text and its box on the canvas (designer units, like <see cref="NodePosition"/>).</summary>
public sealed record FlowNote(string Id, string? Text, double X, double Y, double Width, double Height)
{
    public const int MaxCount = 100;
    public const int MaxTextLength = 2000;
    public const double MinSize = 40;
    public const double MaxSize = 2000;
}

public sealed class FlowVariable
{
    public string Name { get; set; } = "";
    public JsonNode? Default { get; set; }
}

public static class FlowJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        MaxDepth = 64,
    };

    /// <exception cref="JsonException">The text is not a flow definition.</exception>
    public static FlowDefinition Parse(string json) =>
        JsonSerializer.Deserialize<FlowDefinition>(json, Options) ?? throw new JsonException("Empty flow definition.");

    public static string Write(FlowDefinition definition) => JsonSerializer.Serialize(definition, Options);
}
