using System.Text.Json.Nodes;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Activities.Logic;

[Activity("SetVariable", "Logik", "Variable setzen", "Set variable",
    DescriptionDe = "Speichert einen Wert (Ausdruck) in einer Variablen.", DescriptionEn = "Stores a value (expression) in a variable.")]
[Outcome(Outcomes.Done, "Weiter", "Next")]
public sealed class SetVariable : Activity
{
    [Input("Variable", "Variable", UiHint = UiHints.VariableName, Required = true)]
    public string Name { get; set; } = "";

    [Input("Wert", "Value", UiHint = UiHints.Expression, Syntax = InputSyntax.Expression, Required = true,
        DescriptionDe = "Fester Wert (\"Text\", 42, true) oder Ausdruck (slots.count).", DescriptionEn = "A literal (\"text\", 42, true) or an expression (slots.count).")]
    public JsonNode? Value { get; set; }

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        context.Set(Name, Value);
        return Completed(Outcomes.Done);
    }
}
