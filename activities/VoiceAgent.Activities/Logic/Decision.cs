using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Activities.Logic;

[Activity("Decision", "Logik", "Entscheidung", "Decision",
    DescriptionDe = "Verzweigt nach einer Bedingung, z. B. intent == \"book_appointment\" and slots.count > 0.",
    DescriptionEn = "Branches on a condition, e.g. intent == \"book_appointment\" and slots.count > 0.")]
[Outcome(Outcomes.True, "Ja", "True")]
[Outcome(Outcomes.False, "Nein", "False")]
public sealed class Decision : Activity
{
    [Input("Bedingung", "Condition", UiHint = UiHints.Expression, Syntax = InputSyntax.Expression, Required = true)]
    public bool Condition { get; set; }

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) => Completed(Condition ? Outcomes.True : Outcomes.False);
}
