using System.Globalization;
using System.Text.Json.Nodes;
using VoiceAgent.Activities.Ports;

namespace VoiceAgent.Activities.Calendar;

/// <summary>How slots and appointments are kept in run variables: ISO 8601 with offset plus the spoken text.</summary>
internal static class CalendarJson
{
    public static JsonObject Slot(Slot slot) => new()
    {
        ["start"] = Iso(slot.Start),
        ["end"] = Iso(slot.End),
        ["text"] = slot.Text,
    };

    public static JsonObject Event(CalendarEvent e) => new()
    {
        ["id"] = e.Id,
        ["start"] = Iso(e.Start),
        ["end"] = Iso(e.End),
        ["title"] = e.Title,
        ["text"] = e.Text,
    };

    public static string Iso(DateTimeOffset value) => value.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    public static DateTimeOffset? Time(JsonNode? node) =>
        node?.GetValueKind() == System.Text.Json.JsonValueKind.String
        && DateTimeOffset.TryParse(node.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var value) ? value : null;

    public static string? CallerNumber(Flows.Runtime.ActivityContext context) =>
        context.Get(Variables.Caller) is JsonObject caller && caller["number"] is JsonValue v && v.TryGetValue<string>(out var n) && n.Length > 0 ? n : null;

    public static string? CallerEmail(Flows.Runtime.ActivityContext context) =>
        context.Get(Variables.Caller) is JsonObject caller && caller["email"] is JsonValue v && v.TryGetValue<string>(out var e) && e.Contains('@') ? e : null;

    public static string? CallerName(Flows.Runtime.ActivityContext context) =>
        context.Get(Variables.Caller) is JsonObject caller && caller["name"] is JsonValue v && v.TryGetValue<string>(out var n) && n.Length > 0 ? n : null;
}
