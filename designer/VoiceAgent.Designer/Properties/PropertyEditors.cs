using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;
using VoiceAgent.Activities.Calls;
using VoiceAgent.CallFlows;
using VoiceAgent.Designer.Properties.Editors;
using VoiceAgent.Flows.Descriptors;

namespace VoiceAgent.Designer.Properties;

/// <summary>
/// The one place that maps a UI hint (<see cref="UiHints"/>, and hints a module keeps next to its activities such as
/// <see cref="CallUiHints.TransferTarget"/>) to its editor component. A new hint = one editor deriving from
/// <see cref="PropertyEditorBase"/> + one line here; an unknown hint gets the single-line text field.
/// </summary>
public static class PropertyEditors
{
    public static IReadOnlyDictionary<string, Type> ByHint { get; } = new Dictionary<string, Type>
    {
        [UiHints.SingleLine] = typeof(SingleLineEditor),
        [UiHints.Template] = typeof(TextTemplateEditor),
        [UiHints.MultiLine] = typeof(MultiLineEditor),
        [UiHints.Expression] = typeof(ExpressionEditor),
        [UiHints.Number] = typeof(NumberEditor),
        [UiHints.Duration] = typeof(DurationEditor),
        [UiHints.Toggle] = typeof(ToggleEditor),
        [UiHints.Choice] = typeof(ChoiceEditor),
        [UiHints.BusinessHours] = typeof(BusinessHoursEditor),
        [UiHints.VoicePicker] = typeof(VoicePickerEditor),
        [UiHints.CalendarPicker] = typeof(CalendarPickerEditor),
        [CallUiHints.TransferTarget] = typeof(TransferTargetEditor),
        [UiHints.IntentList] = typeof(IntentListEditor),
        [UiHints.Url] = typeof(UrlEditor),
        [UiHints.VariableName] = typeof(VariableNameEditor),
    };

    /// <summary>The editor component for a UI hint; an unknown (or missing) hint gets a single-line text field.</summary>
    public static Type For(string? hint) =>
        hint is not null && ByHint.TryGetValue(hint, out var editor) ? editor : typeof(SingleLineEditor);

    /// <summary>The parameters of an editor (<see cref="PropertyEditorBase"/>) for a DynamicComponent.</summary>
    public static Dictionary<string, object?> Parameters(
        InputDescriptor input,
        JsonNode? value,
        string fieldId,
        string labelId,
        string describedById,
        string language,
        DesignerOptionsResult options,
        IReadOnlyList<string> variables,
        EventCallback<JsonNode?> preview,
        EventCallback<JsonNode?> commit) => new()
    {
        [nameof(PropertyEditorBase.Input)] = input,
        [nameof(PropertyEditorBase.Value)] = value,
        [nameof(PropertyEditorBase.FieldId)] = fieldId,
        [nameof(PropertyEditorBase.LabelId)] = labelId,
        [nameof(PropertyEditorBase.DescribedById)] = describedById,
        [nameof(PropertyEditorBase.Language)] = language,
        [nameof(PropertyEditorBase.Options)] = options,
        [nameof(PropertyEditorBase.Variables)] = variables,
        [nameof(PropertyEditorBase.Preview)] = preview,
        [nameof(PropertyEditorBase.Commit)] = commit,
    };
}
