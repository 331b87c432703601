using System.Text.Json.Nodes;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Activities.Calendar;

/// <summary>
/// Finds free slots within business hours, honouring the caller's wishes (variables date, time, partOfDay). Slots
/// offered earlier in the call are skipped, so after a "no" the flow can loop back here for the next one.
/// </summary>
[Activity("FindSlots", "Kalender", "Freie Termine suchen", "Find free slots",
    DescriptionDe = "Sucht freie Termine im Kalender und merkt sie in slots / slot.", DescriptionEn = "Finds free slots and keeps them in slots / slot.")]
[Outcome(Outcomes.Found, "Gefunden", "Found")]
[Outcome(Outcomes.NotFound, "Keiner frei", "None free")]
[Outcome(Outcomes.Failed, "Fehler", "Failed")]
public sealed class FindSlots : Activity
{
    [Input("Dauer (Minuten)", "Duration (minutes)", UiHint = UiHints.Duration)]
    public int DurationMinutes { get; set; } = 30;

    [Input("Vorausschau (Tage)", "Look-ahead (days)", UiHint = UiHints.Number)]
    public int LookaheadDays { get; set; } = 14;

    [Input("Anzahl Angebote", "Number of offers", UiHint = UiHints.Number)]
    public int Count { get; set; } = 3;

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var offered = context.Get(Variables.OfferedSlots) as JsonArray ?? [];
        var exclude = offered.Select(CalendarJson.Time).OfType<DateTimeOffset>().ToList();
        var request = new SlotRequest(Math.Clamp(DurationMinutes, 5, 480), Math.Clamp(LookaheadDays, 1, 90), Math.Clamp(Count, 1, 10),
            context.GetString(Variables.Date), context.GetString(Variables.Time), context.GetString(Variables.PartOfDay), exclude);
        var slots = await context.Port<ICalendarGateway>().FindSlotsAsync(request, context.CancellationToken);
        context.Set(Variables.Slots, new JsonArray(slots.Select(s => (JsonNode)CalendarJson.Slot(s)).ToArray()));
        if (slots.Count == 0)
        {
            context.Set(Variables.Slot, (JsonNode?)null);
            return Outcome(Outcomes.NotFound);
        }

        context.Set(Variables.Slot, CalendarJson.Slot(slots[0]));
        offered.Add(CalendarJson.Iso(slots[0].Start));
        context.Set(Variables.OfferedSlots, offered);
        return Outcome(Outcomes.Found);
    }
}
