using VoiceAgent.Activities.Calls;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Activities.Telephony;

/// <summary>Connects the caller to a number on the tenant's allow-list and waits for the dial result.</summary>
[Activity("Transfer", "Telefonie", "Weiterleiten", "Transfer", Waits = true,
    DescriptionDe = "Verbindet mit einer freigegebenen Rufnummer.", DescriptionEn = "Connects to an allow-listed number.")]
[Outcome(CallOutcomes.Connected, "Verbunden", "Connected")]
[Outcome(CallOutcomes.NoAnswer, "Keine Annahme", "No answer")]
[Outcome(CallOutcomes.Busy, "Besetzt", "Busy")]
[Outcome(Outcomes.Failed, "Fehler", "Failed")]
public sealed class Transfer : Activity
{
    [Input("Ziel", "Target", UiHint = CallUiHints.TransferTarget, Required = true)]
    public string Target { get; set; } = "";

    [Input("Ansage", "Announcement", UiHint = UiHints.Template, Syntax = InputSyntax.Template)]
    public string Announcement { get; set; } = "Einen Moment bitte, ich verbinde Sie.";

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        if (!await context.Port<ITransferTargets>().IsAllowedAsync(Target, context.CancellationToken))
        {
            throw new PortException($"Transfer target {Target} is not on the tenant's allow-list.");
        }

        await context.SayAsync(Announcement);
        await context.Channel.TransferAsync(Target, context.CancellationToken);
        return context.Suspend(BookmarkKinds.DialResult);
    }

    public override ValueTask<ActivityResult> ResumeAsync(ActivityContext context, Stimulus stimulus) =>
        Completed(stimulus is DialResult dial ? OutcomeOf(dial.Status) : Outcomes.Failed);

    internal static string OutcomeOf(DialStatus status) => status switch
    {
        DialStatus.Connected => CallOutcomes.Connected,
        DialStatus.NoAnswer => CallOutcomes.NoAnswer,
        DialStatus.Busy => CallOutcomes.Busy,
        _ => Outcomes.Failed,
    };
}
