using VoiceAgent.Activities.Calls;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Activities.Telephony;

[Activity("Hangup", "Telefonie", "Auflegen", "Hang up",
    DescriptionDe = "Verabschiedet sich und beendet den Anruf.", DescriptionEn = "Says goodbye and ends the call.")]
public sealed class Hangup : Activity
{
    [Input("Verabschiedung", "Goodbye", UiHint = UiHints.Template, Syntax = InputSyntax.Template)]
    public string Goodbye { get; set; } = "";

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        await context.SayAsync(Goodbye, new SayOptions(Interruptible: false));
        await context.Channel.HangupAsync(context.CancellationToken);
        return End();
    }
}
