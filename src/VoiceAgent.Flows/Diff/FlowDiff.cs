using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using VoiceAgent.Flows.Definitions;

namespace VoiceAgent.Flows.Diff;

public sealed record NodeRef(string Id, string Type);

public sealed record InputChange(string Name, JsonNode? Before, JsonNode? After);

/// <param name="TypeBefore">The node's former activity type, when the same id now holds another type.</param>
public sealed record NodeChange(string Id, string Type, IReadOnlyList<InputChange> Inputs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TypeBefore = null);

public sealed record VariableRef(string Name, JsonNode? Default);

public sealed record VariableChange(string Name, JsonNode? Before, JsonNode? After);

public sealed record NoteRef(string Id, string Text);

public sealed record NoteChange(string Id, string Before, string After);

/// <summary>What changed from one definition to another, in the order the nodes and connections appear.</summary>
public sealed record FlowDiffResult(
    IReadOnlyList<NodeRef> NodesAdded,
    IReadOnlyList<NodeRef> NodesRemoved,
    IReadOnlyList<NodeChange> NodesChanged,
    IReadOnlyList<FlowConnection> ConnectionsAdded,
    IReadOnlyList<FlowConnection> ConnectionsRemoved,
    IReadOnlyList<VariableRef> VariablesAdded,
    IReadOnlyList<VariableRef> VariablesRemoved,
    IReadOnlyList<VariableChange> VariablesChanged,
    IReadOnlyList<NoteRef> NotesAdded,
    IReadOnlyList<NoteRef> NotesRemoved,
    IReadOnlyList<NoteChange> NotesChanged)
{
    public bool Identical => NodesAdded.Count == 0 && NodesRemoved.Count == 0 && NodesChanged.Count == 0
                             && ConnectionsAdded.Count == 0 && ConnectionsRemoved.Count == 0
                             && VariablesAdded.Count == 0 && VariablesRemoved.Count == 0 && VariablesChanged.Count == 0
                             && NotesAdded.Count == 0 && NotesRemoved.Count == 0 && NotesChanged.Count == 0;
}

/// <summary>
/// Compares two flow definitions the way a person reviewing a change sees them: nodes by id, their inputs by name,
/// connections and variables as sets, notes by id with their text. Layout (<see cref="FlowNode.Position"/>, where a
/// note sits and its size) and the order of nodes, connections, notes, inputs and object properties are not changes; values are compared structurally (<see cref="JsonStructure"/>), and a
/// missing input equals an input set to null. Drafts may be invalid, so duplicate ids are tolerated (the first counts).
/// </summary>
public static class FlowDiff
{
    public static FlowDiffResult Compare(FlowDefinition before, FlowDefinition after)
    {
        var oldNodes = ById(before.Nodes);
        var newNodes = ById(after.Nodes);

        var added = newNodes.Values.Where(n => !oldNodes.ContainsKey(n.Id)).Select(n => new NodeRef(n.Id, n.Type ?? "")).ToList();
        var removed = oldNodes.Values.Where(n => !newNodes.ContainsKey(n.Id)).Select(n => new NodeRef(n.Id, n.Type ?? "")).ToList();
        var changed = new List<NodeChange>();
        foreach (var node in newNodes.Values)
        {
            if (!oldNodes.TryGetValue(node.Id, out var old))
            {
                continue;
            }

            var inputs = InputChanges(old.Inputs, node.Inputs);
            var typeChanged = !string.Equals(old.Type, node.Type, StringComparison.Ordinal);
            if (inputs.Count > 0 || typeChanged)
            {
                changed.Add(new NodeChange(node.Id, node.Type ?? "", inputs, typeChanged ? old.Type ?? "" : null));
            }
        }

        var oldConnections = Connections(before.Connections);
        var newConnections = Connections(after.Connections);

        var oldVariables = Variables(before.Variables);
        var newVariables = Variables(after.Variables);
        var variablesChanged = newVariables.Values
            .Where(v => oldVariables.TryGetValue(v.Name, out var o) && !JsonStructure.Equal(o.Default, v.Default))
            .Select(v => new VariableChange(v.Name, Clone(oldVariables[v.Name].Default), Clone(v.Default)))
            .ToList();

        var oldNotes = Notes(before.Notes);
        var newNotes = Notes(after.Notes);

        return new FlowDiffResult(
            added,
            removed,
            changed,
            newConnections.Where(c => !oldConnections.Contains(c)).ToList(),
            oldConnections.Where(c => !newConnections.Contains(c)).ToList(),
            newVariables.Values.Where(v => !oldVariables.ContainsKey(v.Name)).Select(v => new VariableRef(v.Name, Clone(v.Default))).ToList(),
            oldVariables.Values.Where(v => !newVariables.ContainsKey(v.Name)).Select(v => new VariableRef(v.Name, Clone(v.Default))).ToList(),
            variablesChanged,
            newNotes.Values.Where(n => !oldNotes.ContainsKey(n.Id)).Select(n => new NoteRef(n.Id, n.Text ?? "")).ToList(),
            oldNotes.Values.Where(n => !newNotes.ContainsKey(n.Id)).Select(n => new NoteRef(n.Id, n.Text ?? "")).ToList(),
            newNotes.Values
                .Where(n => oldNotes.TryGetValue(n.Id, out var o) && !string.Equals(o.Text ?? "", n.Text ?? "", StringComparison.Ordinal))
                .Select(n => new NoteChange(n.Id, oldNotes[n.Id].Text ?? "", n.Text ?? ""))
                .ToList());
    }

    private static List<InputChange> InputChanges(Dictionary<string, JsonNode?>? before, Dictionary<string, JsonNode?>? after)
    {
        before ??= [];
        after ??= [];
        var changes = new List<InputChange>();
        foreach (var name in after.Keys.Concat(before.Keys.Where(k => !after.ContainsKey(k))))
        {
            var old = before.GetValueOrDefault(name);
            var current = after.GetValueOrDefault(name);
            if (!JsonStructure.Equal(old, current))
            {
                changes.Add(new InputChange(name, Clone(old), Clone(current)));
            }
        }

        return changes;
    }

    // Insertion-ordered: a Dictionary enumerates in insertion order as long as nothing is removed.
    private static Dictionary<string, FlowNode> ById(IEnumerable<FlowNode?>? nodes)
    {
        var result = new Dictionary<string, FlowNode>(StringComparer.Ordinal);
        foreach (var node in nodes ?? [])
        {
            if (node?.Id is { } id)
            {
                result.TryAdd(id, node);
            }
        }

        return result;
    }

    private static List<FlowConnection> Connections(IEnumerable<FlowConnection?>? connections)
    {
        var seen = new HashSet<FlowConnection>();
        return (connections ?? []).Where(c => c is not null && seen.Add(c)).Select(c => c!).ToList();
    }

    private static Dictionary<string, FlowVariable> Variables(IEnumerable<FlowVariable?>? variables)
    {
        var result = new Dictionary<string, FlowVariable>(StringComparer.Ordinal);
        foreach (var variable in variables ?? [])
        {
            if (variable?.Name is { } name)
            {
                result.TryAdd(name, variable);
            }
        }

        return result;
    }

    private static Dictionary<string, FlowNote> Notes(IEnumerable<FlowNote?>? notes)
    {
        var result = new Dictionary<string, FlowNote>(StringComparer.Ordinal);
        foreach (var note in notes ?? [])
        {
            if (note?.Id is { } id)
            {
                result.TryAdd(id, note);
            }
        }

        return result;
    }

    // The result must not share nodes with the definitions: a JsonNode has one parent.
    private static JsonNode? Clone(JsonNode? node) => node?.DeepClone();
}
