using System.Text.Json.Nodes;
using VoiceAgent.Activities.Dialog;
using VoiceAgent.Flows.Definitions;
using VoiceAgent.Flows.Descriptors;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Benchmarks;

/// <summary>
/// The measured conversation: a caller books the first offered slot. Stored the way the designer saves flows (JSON), so
/// templates, expressions and literal inputs go through the same compile path as in production.
/// </summary>
public static class BookingFlow
{
    public const string Json = """
        {
          "name": "Terminbuchung",
          "nodes": [
            { "id": "start", "type": "Start" },
            { "id": "hello", "type": "Speak", "inputs": {
                "text": "Guten Tag, {{ caller.name | default: \"lieber Anrufer\" }}! Sie sprechen mit dem KI-Assistenten der Praxis Dr. Weber. Wie kann ich Ihnen helfen?" } },
            { "id": "listen", "type": "Listen", "inputs": { "expectation": "intent", "maxRetries": 1 } },
            { "id": "route", "type": "Decision", "inputs": { "condition": "intent == \"book_appointment\"" } },
            { "id": "find", "type": "FindSlots", "inputs": { "durationMinutes": 30, "count": 3 } },
            { "id": "offer", "type": "Speak", "inputs": { "text": "Ich hätte {{ slot.text }} frei. Passt Ihnen das?" } },
            { "id": "confirm", "type": "Listen", "inputs": { "expectation": "yesno" } },
            { "id": "yes", "type": "Decision", "inputs": { "condition": "answer" } },
            { "id": "book", "type": "CreateEvent", "inputs": {
                "title": "Termin {{ caller.name | default: \"Anrufer\" }}",
                "description": "Telefonisch gebucht über VoiceAgent. Anrufer: {{ caller.number }}. Anliegen: {{ lastInput }}" } },
            { "id": "booked", "type": "Hangup", "inputs": {
                "goodbye": "Vielen Dank, {{ caller.name | default: \"\" }}. Ihr Termin ist eingetragen: {{ event.text }}. Auf Wiederhören!" } },
            { "id": "conflict", "type": "Hangup", "inputs": { "goodbye": "Der Termin ist leider gerade vergeben worden. Bitte rufen Sie noch einmal an." } },
            { "id": "none", "type": "Hangup", "inputs": { "goodbye": "Leider ist in den nächsten Tagen nichts frei. Auf Wiederhören." } },
            { "id": "bye", "type": "Hangup", "inputs": { "goodbye": "Auf Wiederhören." } }
          ],
          "connections": [
            { "from": "start", "outcome": "Done", "to": "hello" },
            { "from": "hello", "outcome": "Done", "to": "listen" },
            { "from": "listen", "outcome": "Recognized", "to": "route" },
            { "from": "listen", "outcome": "NoInput", "to": "bye" },
            { "from": "listen", "outcome": "NoMatch", "to": "bye" },
            { "from": "route", "outcome": "True", "to": "find" },
            { "from": "route", "outcome": "False", "to": "bye" },
            { "from": "find", "outcome": "Found", "to": "offer" },
            { "from": "find", "outcome": "NotFound", "to": "none" },
            { "from": "find", "outcome": "Failed", "to": "none" },
            { "from": "offer", "outcome": "Done", "to": "confirm" },
            { "from": "confirm", "outcome": "Recognized", "to": "yes" },
            { "from": "confirm", "outcome": "NoInput", "to": "bye" },
            { "from": "confirm", "outcome": "NoMatch", "to": "bye" },
            { "from": "yes", "outcome": "True", "to": "book" },
            { "from": "yes", "outcome": "False", "to": "find" },
            { "from": "book", "outcome": "Created", "to": "booked" },
            { "from": "book", "outcome": "Conflict", "to": "conflict" },
            { "from": "book", "outcome": "Failed", "to": "none" }
          ]
        }
        """;

    public static readonly CallerInput BookingRequest = new("Ich möchte einen Termin vereinbaren");

    public static readonly CallerInput Yes = new("Ja, gerne");

    /// <summary>What the telephony edge puts into a new run: the caller's number and, when known, the name.</summary>
    public static JsonObject CallerVariables() => new()
    {
        ["caller"] = new JsonObject { ["number"] = "+491701234567", ["name"] = "Frau Schneider" },
    };

    public static FlowPlan Compile() =>
        FlowPlan.Compile(FlowJson.Parse(Json), ActivityRegistry.FromAssemblies(typeof(Speak).Assembly));
}
