using System.Text.Json.Nodes;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Activities.Calendar;

/// <summary>Books the chosen slot (variable slot). Idempotent per call and slot: a retry never books twice.</summary>
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

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var slot = context.Get(Variables.Slot) as JsonObject;
        if (CalendarJson.Time(slot?["start"]) is not { } start || CalendarJson.Time(slot?["end"]) is not { } end)
        {
            throw new PortException("CreateEvent needs a chosen slot (run FindSlots first).");
        }

        var key = $"{context.Instance.Id}:{CalendarJson.Iso(start)}";
        var result = await context.Port<ICalendarGateway>().CreateEventAsync(
            new BookingRequest(start, end, Title, Description, CalendarJson.CallerNumber(context), CalendarJson.CallerName(context), key),
            context.CancellationToken);
        if (result.Status == BookingStatus.Conflict || result.Event is null)
        {
            return Outcome(Outcomes.Conflict);
        }

        context.Set(Variables.Event, CalendarJson.Event(result.Event));
        return Outcome(Outcomes.Created);
    }
}
