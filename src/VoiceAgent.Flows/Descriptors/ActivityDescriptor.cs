using System.Text.Json.Nodes;

namespace VoiceAgent.Flows.Descriptors;

/// <summary>What the designer knows about an activity; generated from the attributes on its class.</summary>
public sealed record ActivityDescriptor(
    string Type,
    string Category,
    LocalizedText DisplayName,
    LocalizedText Description,
    IReadOnlyList<InputDescriptor> Inputs,
    IReadOnlyList<OutcomeDescriptor> Outcomes,
    bool Waits,
    string? OutcomesFromInput);

public sealed record InputDescriptor(
    string Name,
    string Type,
    LocalizedText DisplayName,
    LocalizedText Description,
    string UiHint,
    bool Required,
    string Syntax,
    JsonNode? Default,
    IReadOnlyList<string>? Options);

public sealed record OutcomeDescriptor(string Name, LocalizedText DisplayName);

public sealed record LocalizedText(string De, string En)
{
    public string For(string language) => language == "en" && En.Length > 0 ? En : De;
}
