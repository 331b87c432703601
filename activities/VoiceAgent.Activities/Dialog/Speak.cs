using VoiceAgent.Activities.Calls;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Activities.Dialog;

[Activity("Speak", "Dialog", "Sprechen", "Speak",
    DescriptionDe = "Sagt dem Anrufer einen Text; Platzhalter wie {{ caller.name }} werden eingesetzt.",
    DescriptionEn = "Says a text to the caller; placeholders such as {{ caller.name }} are filled in.")]
[Outcome(Outcomes.Done, "Weiter", "Next")]
public sealed class Speak : Activity
{
    [Input("Text", "Text", UiHint = UiHints.Template, Syntax = InputSyntax.Template, Required = true)]
    public string Text { get; set; } = "";

    [Input("Stimme", "Voice", UiHint = UiHints.VoicePicker)]
    public string? Voice { get; set; }

    [Input("Unterbrechbar", "May be interrupted", UiHint = UiHints.Toggle,
        DescriptionDe = "Der Anrufer darf hineinsprechen (Barge-in).", DescriptionEn = "The caller may talk over it (barge-in).")]
    public bool Interruptible { get; set; } = true;

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        await context.SayAsync(Text, new SayOptions(Voice, Interruptible));
        return Outcome(Outcomes.Done);
    }
}
