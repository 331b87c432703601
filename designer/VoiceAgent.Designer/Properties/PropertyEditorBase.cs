using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using VoiceAgent.CallFlows;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Platform.Resources;

namespace VoiceAgent.Designer.Properties;

/// <summary>
/// What every property editor gets: the input's descriptor, its stored value, the ids the field's label and hint carry,
/// and two ways to hand a new value back — <see cref="Preview"/> while typing (the canvas follows, no undo step) and
/// <see cref="Commit"/> for a finished edit (change/blur, a click: one undo step). A null value removes the input, so the
/// activity's default applies.
/// </summary>
public abstract class PropertyEditorBase : ComponentBase
{
    private JsonNode? _seen;
    private bool _initialized;

    [Inject]
    protected IStringLocalizer<Texts> T { get; set; } = null!;

    [Parameter, EditorRequired]
    public InputDescriptor Input { get; set; } = null!;

    /// <summary>The stored value; null = not set (the descriptor's default applies).</summary>
    [Parameter]
    public JsonNode? Value { get; set; }

    /// <summary>The control's id, so the field's <c>&lt;label for&gt;</c> points at it.</summary>
    [Parameter, EditorRequired]
    public string FieldId { get; set; } = "";

    /// <summary>The field label's id (composite editors name their group with aria-labelledby).</summary>
    [Parameter, EditorRequired]
    public string LabelId { get; set; } = "";

    /// <summary>The id of the field's description (aria-describedby).</summary>
    [Parameter, EditorRequired]
    public string DescribedById { get; set; } = "";

    /// <summary>"de" or "en": the language of the descriptor texts.</summary>
    [Parameter]
    public string Language { get; set; } = "de";

    [Parameter]
    public DesignerOptionsResult Options { get; set; } = EmptyOptions;

    /// <summary>Variable names for completion (run variables, flow variables, SetVariable targets).</summary>
    [Parameter]
    public IReadOnlyList<string> Variables { get; set; } = [];

    [Parameter]
    public EventCallback<JsonNode?> Preview { get; set; }

    [Parameter]
    public EventCallback<JsonNode?> Commit { get; set; }

    public static readonly DesignerOptionsResult EmptyOptions = new([], [], [], [], []);

    /// <summary>The value that applies: the stored one, else the descriptor's default.</summary>
    protected JsonNode? Effective => Value ?? Input.Default;

    protected override void OnParametersSet()
    {
        // The editor keeps what is being typed; only a value that really changed from outside (another node, undo)
        // resets the control.
        if (!_initialized || !JsonNode.DeepEquals(_seen, Value))
        {
            _initialized = true;
            _seen = Value?.DeepClone();
            Load();
        }
    }

    /// <summary>Reads <see cref="Value"/> into the control's state.</summary>
    protected abstract void Load();

    protected Task PreviewAsync(JsonNode? value)
    {
        // The panel hands a previewed value back as Value: that is no change from outside.
        _seen = value?.DeepClone();
        return Preview.InvokeAsync(value);
    }

    protected Task CommitAsync(JsonNode? value)
    {
        _seen = value?.DeepClone();
        return Commit.InvokeAsync(value);
    }
}
