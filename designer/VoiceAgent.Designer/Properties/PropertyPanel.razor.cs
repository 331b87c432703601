using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using VoiceAgent.CallFlows;
using VoiceAgent.Designer.Canvas;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Validation;

namespace VoiceAgent.Designer.Properties;

public sealed partial class PropertyPanel
{
    private static readonly CompareInfo Collation = CultureInfo.GetCultureInfo("de-DE").CompareInfo;

    private CanvasSelection? _shown;
    private JsonObject _inputs = [];
    private Dictionary<string, string?> _targets = [];
    private IReadOnlyList<CanvasNodeRef>? _nodesSeen;
    private List<CanvasNodeRef> _sortedNodes = [];
    private Dictionary<string, string> _labels = [];

    [Parameter, EditorRequired]
    public CanvasSelection Selection { get; set; } = CanvasSelection.None;

    /// <summary>The activity descriptors by type (from the activity registry, as /api/activities).</summary>
    [Parameter, EditorRequired]
    public IReadOnlyDictionary<string, ActivityDescriptor> Descriptors { get; set; } = new Dictionary<string, ActivityDescriptor>();

    [Parameter]
    public DesignerOptionsResult Options { get; set; } = PropertyEditorBase.EmptyOptions;

    /// <summary>Variable names for completion.</summary>
    [Parameter]
    public IReadOnlyList<string> Variables { get; set; } = [];

    [Parameter]
    public DesignerProblems Problems { get; set; } = DesignerProblems.None;

    /// <summary>All activity nodes of the flow (outcome targets, "find activity").</summary>
    [Parameter]
    public IReadOnlyList<CanvasNodeRef> Nodes { get; set; } = [];

    [Parameter]
    public string FlowName { get; set; } = "";

    /// <summary>"de" or "en": the language of the descriptor texts.</summary>
    [Parameter]
    public string Language { get; set; } = "de";

    /// <summary>An input of the selected node changed: preview while typing, commit on change/blur/click.</summary>
    [Parameter]
    public EventCallback<PropertyEdit> OnInput { get; set; }

    [Parameter]
    public EventCallback<NoteEdit> OnNoteText { get; set; }

    /// <summary>An outcome's target was chosen (Target null: disconnect).</summary>
    [Parameter]
    public EventCallback<OutcomeLink> OnConnect { get; set; }

    /// <summary>Delete what is selected (the connection, the note, the several cells).</summary>
    [Parameter]
    public EventCallback OnDeleteSelection { get; set; }

    /// <summary>Select a node and bring it into view (a problem's button, "find activity").</summary>
    [Parameter]
    public EventCallback<string> OnFocusNode { get; set; }

    protected override void OnParametersSet()
    {
        if (!ReferenceEquals(Selection, _shown))
        {
            // A new selection (or the same node changed by undo/redo): its values as the canvas has them. Edits made
            // here are kept locally until then, so the panel shows them even if the page keeps the old selection.
            _shown = Selection;
            _inputs = Selection.Inputs?.DeepClone().AsObject() ?? [];
            _targets = (Selection.Outcomes ?? []).GroupBy(o => o.Name).ToDictionary(g => g.Key, g => g.First().Target);
        }

        if (!ReferenceEquals(Nodes, _nodesSeen))
        {
            _nodesSeen = Nodes;
            _sortedNodes = [.. Nodes.OrderBy(n => n.Id, Comparer<string>.Create((a, b) => Collation.Compare(a, b)))];
            _labels = Nodes.GroupBy(n => n.Id).ToDictionary(g => g.Key, g => g.First().Label);
        }
    }

    private string NodeLabel(string? id) => id is null ? "?" : _labels.GetValueOrDefault(id, id);

    private ActivityDescriptor? Descriptor => Selection.Type is { } type ? Descriptors.GetValueOrDefault(type) : null;

    /// <summary>The node's outcomes in port order: the descriptor's (with the intents edited here), then any other the
    /// canvas reports.</summary>
    private List<string> Outcomes()
    {
        var reported = (Selection.Outcomes ?? []).Select(o => o.Name);
        if (Descriptor is not { } descriptor)
        {
            return [.. reported.Distinct()];
        }

        // Reported outcomes beyond the descriptor's (a connection on an outcome the activity no longer has) stay; an
        // intent removed here disappears at once (the canvas drops its connection with the commit).
        var outcomes = EditorValues.OutcomesOf(descriptor, _inputs);
        var declared = EditorValues.OutcomesOf(descriptor, Selection.Inputs);
        outcomes.AddRange(reported.Where(r => !outcomes.Contains(r) && !declared.Contains(r)).Distinct());
        return outcomes;
    }

    private async Task EditAsync(string name, JsonNode? value, EditMode mode)
    {
        var nodeId = Selection.Id ?? "";
        if (value is null)
        {
            _inputs.Remove(name);
        }
        else
        {
            _inputs[name] = value.DeepClone();
        }

        await OnInput.InvokeAsync(new PropertyEdit(nodeId, name, value, mode));
    }

    private async Task ConnectAsync(string outcome, ChangeEventArgs e)
    {
        var target = e.Value?.ToString() is { Length: > 0 } id ? id : null;
        _targets[outcome] = target;
        await OnConnect.InvokeAsync(new OutcomeLink(Selection.Id ?? "", outcome, target));
    }

    private async Task FindAsync(ChangeEventArgs e)
    {
        if (e.Value?.ToString() is { Length: > 0 } id)
        {
            await OnFocusNode.InvokeAsync(id);
        }
    }

    private Dictionary<string, object?> EditorParameters(InputDescriptor input, string id)
    {
        var name = input.Name;
        return PropertyEditors.Parameters(
            input, _inputs[name], id, $"{id}-label", $"{id}-hint", Language, Options, Variables,
            EventCallback.Factory.Create<JsonNode?>(this, v => EditAsync(name, v, EditMode.Preview)),
            EventCallback.Factory.Create<JsonNode?>(this, v => EditAsync(name, v, EditMode.Commit)));
    }
}
