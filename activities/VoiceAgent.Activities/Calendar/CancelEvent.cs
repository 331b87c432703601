using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Activities.Calendar;

/// <summary>Cancels one of the caller's appointments (by default the next one found by ListEvents).</summary>
[Activity("CancelEvent", "Kalender", "Termin absagen", "Cancel appointment",
    DescriptionDe = "Sagt einen Termin des Anrufers ab.", DescriptionEn = "Cancels one of the caller's appointments.")]
[Outcome(Outcomes.Cancelled, "Abgesagt", "Cancelled")]
[Outcome(Outcomes.NotFound, "Nicht gefunden", "Not found")]
[Outcome(Outcomes.Failed, "Fehler", "Failed")]
public sealed class CancelEvent : Activity
{
    [Input("Termin", "Appointment", UiHint = UiHints.Expression, Syntax = InputSyntax.Expression)]
    public string? EventId { get; set; }

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var id = EventId ?? (context.Get(Variables.NextEvent) as System.Text.Json.Nodes.JsonObject)?["id"]?.GetValue<string>();
        if (string.IsNullOrEmpty(id) || CalendarJson.CallerNumber(context) is not { } number)
        {
            return Outcome(Outcomes.NotFound);
        }

        return Outcome(await context.Port<ICalendarGateway>().CancelEventAsync(id, number, context.CancellationToken)
            ? Outcomes.Cancelled
            : Outcomes.NotFound);
    }
}
