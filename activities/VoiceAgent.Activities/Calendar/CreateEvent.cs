using System.Text.Json.Nodes;
using VoiceAgent.Activities.Calls;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Activities.Calendar;

/// <summary>
/// Books the chosen slot (variable slot). Idempotent per call and slot: a retry never books twice. When the calendar does
/// not answer within the call's time budget the booking is finished in the background: the caller hears
/// <see cref="PendingText"/>, <c>event.pending</c> is true and the outcome is still Created (nothing is lost).
/// </summary>
[Activity("CreateEvent", "Kalender", "Termin eintragen", "Book appointment",
    DescriptionDe = "Trägt den gewählten Termin (slot) in den Kalender ein.", DescriptionEn = "Books the chosen slot in the calendar.")]
[Outcome(Outcomes.Created, "Eingetragen", "Created")]
[Outcome(Outcomes.Conflict, "Schon belegt", "Conflict")]
[Outcome(Outcomes.Failed, "Fehler", "Failed")]
public sealed class CreateEvent : Activity
{
    [Input("Titel", "Title", UiHint = UiHints.Template, Syntax = InputSyntax.Template)]
    public string Title { get; set; } = "Termin {{ caller.name | default: caller.number }}";

    [Input("Beschreibung", "Description", UiHint = UiHints.MultiLine, Syntax = InputSyntax.Template)]
    public string Description { get; set; } = "Telefonisch gebucht über VoiceAgent. Anrufer: {{ caller.number }}.";

    [Input("Ansage bei späterer Bestätigung", "Announcement when confirmed later", UiHint = UiHints.MultiLine, Syntax = InputSyntax.Template,
        DescriptionDe = "Wird gesprochen, wenn der Kalender nicht rechtzeitig antwortet und die Buchung im Hintergrund abgeschlossen wird.",
        DescriptionEn = "Spoken when the calendar does not answer in time and the booking is finished in the background.")]
    public string PendingText { get; set; } =
        "Ich habe Ihren Wunschtermin am {{ slot.text }} notiert. Die Buchung dauert gerade etwas länger; Sie erhalten die Bestätigung in Kürze.";

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var slot = context.Get(Variables.Slot) as JsonObject;
        if (CalendarJson.Time(slot?["start"]) is not { } start || CalendarJson.Time(slot?["end"]) is not { } end)
        {
            throw new PortException("CreateEvent needs a chosen slot (run FindSlots first).");
        }

        var key = $"{context.Instance.Id}:{CalendarJson.Iso(start)}";
        var result = await context.Port<ICalendarGateway>().CreateEventAsync(
            new BookingRequest(start, end, Title, Description, CalendarJson.CallerNumber(context), CalendarJson.CallerName(context), key,
                CalendarJson.CallerEmail(context)),
            context.CancellationToken);
        if (result.Status == BookingStatus.Conflict || result.Event is null)
        {
            return Outcome(Outcomes.Conflict);
        }

        var booked = CalendarJson.Event(result.Event);
        booked["pending"] = result.Status == BookingStatus.Pending;
        context.Set(Variables.Event, booked);
        if (result.Status == BookingStatus.Pending)
        {
            await context.SayAsync(PendingText);
        }

        return Outcome(Outcomes.Created);
    }
}
