using VoiceAgent.Activities.Calls;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Activities.Telephony;

/// <summary>
/// Hands the caller to a human: transfers when someone is reachable, otherwise (or when nobody answers) takes a
/// message, which is e-mailed to the business with a summary of the call.
/// </summary>
[Activity("Handoff", "Telefonie", "An Mitarbeiter übergeben", "Hand off to a human", Waits = true,
    DescriptionDe = "Verbindet mit einem Menschen oder nimmt eine Nachricht auf.", DescriptionEn = "Connects to a human or takes a message.")]
[Outcome(CallOutcomes.Transferred, "Verbunden", "Transferred")]
[Outcome(CallOutcomes.MessageTaken, "Nachricht aufgenommen", "Message taken")]
[Outcome(Outcomes.Failed, "Fehler", "Failed")]
public sealed class Handoff : Activity
{
    private const string Phase = "phase";
    private const int Dialling = 1;
    private const int Recording = 2;

    [Input("Ziel (leer = Standard)", "Target (empty = default)", UiHint = CallUiHints.TransferTarget)]
    public string? Target { get; set; }

    [Input("Ansage", "Announcement", UiHint = UiHints.Template, Syntax = InputSyntax.Template)]
    public string Announcement { get; set; } = "Ich verbinde Sie mit einer Mitarbeiterin oder einem Mitarbeiter.";

    [Input("Bitte um Nachricht", "Message prompt", UiHint = UiHints.Template, Syntax = InputSyntax.Template)]
    public string MessagePrompt { get; set; } =
        "Leider ist gerade niemand erreichbar. Bitte sagen Sie mir Ihr Anliegen, wir rufen Sie zurück.";

    [Input("Bestätigung", "Confirmation", UiHint = UiHints.Template, Syntax = InputSyntax.Template)]
    public string Confirmation { get; set; } = "Vielen Dank, ich habe Ihre Nachricht weitergegeben.";

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var targets = context.Port<ITransferTargets>();
        var target = string.IsNullOrWhiteSpace(Target)
            ? await targets.ReachableHandoffTargetAsync(context.CancellationToken)
            : await targets.IsAllowedAsync(Target, context.CancellationToken) ? Target : null;
        if (target is null)
        {
            return await AskForMessageAsync(context);
        }

        await context.SayAsync(Announcement);
        await context.Channel.TransferAsync(target, context.CancellationToken);
        context.Instance.Counters[$"{context.NodeId}:{Phase}"] = Dialling;
        return context.Suspend(BookmarkKinds.DialResult);
    }

    public override async ValueTask<ActivityResult> ResumeAsync(ActivityContext context, Stimulus stimulus)
    {
        if (context.Counter(Phase) == Dialling)
        {
            return stimulus is DialResult { Status: DialStatus.Connected } ? Outcome(CallOutcomes.Transferred) : await AskForMessageAsync(context);
        }

        var message = (stimulus as CallerInput)?.Text.Trim() ?? "";
        context.Set(Variables.Message, message);
        var summary = string.Join(Environment.NewLine, context.Instance.Transcript.TakeLast(12)
            .Select(t => $"{(t.Role == TranscriptRole.Caller ? "Anrufer" : "Assistent")}: {t.Text}"));
        await context.Port<IMessageBox>().LeaveMessageAsync(
            new CallerMessage(Calendar.CalendarJson.CallerNumber(context), message, summary), context.CancellationToken);
        await context.SayAsync(Confirmation);
        return Outcome(CallOutcomes.MessageTaken);
    }

    private async ValueTask<ActivityResult> AskForMessageAsync(ActivityContext context)
    {
        await context.SayAsync(MessagePrompt);
        context.Instance.Counters[$"{context.NodeId}:{Phase}"] = Recording;
        return context.Suspend(BookmarkKinds.CallerInput, 30);
    }
}
