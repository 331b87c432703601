using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bunit;
using VoiceAgent.CallFlows;
using VoiceAgent.Designer.Properties;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Web.Tests.Components;

namespace VoiceAgent.Web.Tests.Designer;

/// <summary>Renders one property editor with recorded Preview and Commit values.</summary>
public abstract class EditorsTestBase : MudComponentTest
{
    protected List<JsonNode?> Previews { get; } = [];

    protected List<JsonNode?> Commits { get; } = [];

    protected static readonly DesignerOptionsResult Options = new(
        Voices: [new("de-thorsten", "Thorsten (offline)"), new("alloy", "Alloy")],
        Calendars: [new("sandbox", "Testkalender")],
        TransferTargets: [new("+4930123456", "030 123456")],
        Intents: [new("book_appointment", "Termin buchen"), new("human", "Mit einem Menschen sprechen")],
        Variables: ["slot.text", "slots.count", "answer", "intent", "kunde"]);

    protected static InputDescriptor Input(string name, string hint, JsonNode? @default = null, bool required = false,
        IReadOnlyList<string>? options = null) =>
        new(name, "string", new LocalizedText(name, name), new LocalizedText("", ""), hint, required, "literal", @default, options);

    protected IRenderedComponent<TEditor> Editor<TEditor>(InputDescriptor input, JsonNode? value = null) where TEditor : PropertyEditorBase =>
        Render<TEditor>(p => p
            .Add(x => x.Input, input)
            .Add(x => x.Value, value)
            .Add(x => x.FieldId, "va-in-" + input.Name)
            .Add(x => x.LabelId, "va-in-" + input.Name + "-label")
            .Add(x => x.DescribedById, "va-in-" + input.Name + "-hint")
            .Add(x => x.Language, "de")
            .Add(x => x.Options, Options)
            .Add(x => x.Variables, Options.Variables)
            .Add(x => x.Preview, Previews.Add)
            .Add(x => x.Commit, Commits.Add));

    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    protected static string? Json(JsonNode? node) => node?.ToJsonString(Readable);
}
