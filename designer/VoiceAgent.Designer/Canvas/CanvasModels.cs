using System.Text.Json.Nodes;
using VoiceAgent.Flows.Validation;

namespace VoiceAgent.Designer.Canvas;

/// <summary>How a property edit enters the canvas: <see cref="Preview"/> while typing (the canvas label follows, no undo
/// step yet), <see cref="Commit"/> for a finished edit (change/blur, a click) — one undo step, like a move.</summary>
public enum EditMode
{
    Preview,
    Commit,
}

/// <summary>What is selected on the canvas (sent by the canvas module on every selection change and when undo/redo
/// changes the selected node).</summary>
/// <param name="Kind">"none", "node", "note", "edge" or "many".</param>
/// <param name="Count">Number of selected cells.</param>
/// <param name="Id">The node, note or connection id (single selection).</param>
/// <param name="Type">The node's activity type.</param>
/// <param name="Inputs">The node's stored inputs (a missing key: the activity's default applies).</param>
/// <param name="Text">The note's text.</param>
/// <param name="Outcomes">The node's outcomes in port order (Ask: one per intent) and where each is connected.</param>
/// <param name="From">A connection's source node id.</param>
/// <param name="Outcome">A connection's outcome name.</param>
/// <param name="To">A connection's target node id.</param>
public sealed record CanvasSelection(
    string Kind,
    int Count = 0,
    string? Id = null,
    string? Type = null,
    JsonObject? Inputs = null,
    string? Text = null,
    IReadOnlyList<CanvasOutcome>? Outcomes = null,
    string? From = null,
    string? Outcome = null,
    string? To = null)
{
    public static readonly CanvasSelection None = new("none");
}

/// <param name="Name">The outcome name (the port is "out:" + name).</param>
/// <param name="Target">The node id it is connected to, or null.</param>
public sealed record CanvasOutcome(string Name, string? Target);

/// <summary>A node of the open flow, for pickers (outcome targets, "find node").</summary>
/// <param name="Label">"id (Activity display name)".</param>
public sealed record CanvasNodeRef(string Id, string Label);

/// <summary>A property edit from the panel: the node's input <paramref name="Name"/> gets <paramref name="Value"/>
/// (null = remove the key, the default applies).</summary>
public sealed record PropertyEdit(string NodeId, string Name, JsonNode? Value, EditMode Mode);

/// <summary>A note's new text from the panel.</summary>
public sealed record NoteEdit(string NoteId, string Text, EditMode Mode);

/// <summary>Connect a node's outcome to a target node, or disconnect it (<paramref name="Target"/> null).</summary>
public sealed record OutcomeLink(string NodeId, string Outcome, string? Target);

/// <summary>The validation state the panels show: every error of the open definition.</summary>
public sealed record DesignerProblems(IReadOnlyList<ValidationError> Errors)
{
    public static readonly DesignerProblems None = new([]);

    public IEnumerable<ValidationError> Of(string nodeId) => Errors.Where(e => e.NodeId == nodeId);
}
