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
