using System.Text.Json.Nodes;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Activities.Calendar;

/// <summary>"Informieren": the caller's upcoming appointments, found by their phone number (events, nextEvent).</summary>
[Activity("ListEvents", "Kalender", "Termine nennen", "List appointments",
    DescriptionDe = "Sucht die kommenden Termine des Anrufers anhand seiner Telefonnummer.",
    DescriptionEn = "Finds the caller's upcoming appointments by phone number.")]
[Outcome(Outcomes.Found, "Gefunden", "Found")]
[Outcome(Outcomes.NotFound, "Keine", "None")]
[Outcome(Outcomes.Failed, "Fehler", "Failed")]
public sealed class ListEvents : Activity
{
    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        if (CalendarJson.CallerNumber(context) is not { } number)
        {
            return Outcome(Outcomes.NotFound);
        }

        var events = await context.Port<ICalendarGateway>().ListEventsAsync(number, context.CancellationToken);
        context.Set(Variables.Events, new JsonArray(events.Select(e => (JsonNode)CalendarJson.Event(e)).ToArray()));
        context.Set(Variables.NextEvent, events.Count > 0 ? CalendarJson.Event(events[0]) : null);
        return Outcome(events.Count > 0 ? Outcomes.Found : Outcomes.NotFound);
    }
}
