using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Definitions;

namespace VoiceAgent.Telephony.Realtime;

/// <summary>What a tool call asks of the call beyond its output: nothing, hang up, or dial a (checked) target.</summary>
public enum RealtimeCallAction
{
    None,
    EndCall,
    Transfer,
}

/// <summary>The output sent back as <c>function_call_output</c>, and what the call does after the model's answer.</summary>
public sealed record RealtimeToolResult(string Output, RealtimeCallAction Action = RealtimeCallAction.None, string? Target = null);

/// <summary>
/// The flow's calendar actions as function tools of a Realtime session, executed through the same port the activities use
/// (<see cref="ICalendarGateway"/>, the tenant's connected or sandbox calendar) with the node's settings; a booking has the
/// flow's idempotency key (instance id and start), so a repeated call never books twice. Only a slot the calendar offered in
/// this call can be booked; a transfer goes only to an allow-listed target (as <c>ITransferTargets</c> checks it).
/// </summary>
public sealed partial class RealtimeFlowTools
{
    public const string FindSlots = "find_free_slots";
    public const string BookAppointment = "book_appointment";
    public const string ListAppointments = "list_my_appointments";
    public const string CancelAppointment = "cancel_appointment";
    public const string TransferToHuman = "transfer_to_human";
    public const string EndCall = "end_call";

    private readonly FlowNode? findSlots;
    private readonly FlowNode? createEvent;
    private readonly bool listEvents;
    private readonly bool cancelEvent;
    private readonly FlowNode? transfer;
    private readonly Dictionary<string, Slot> offered = new(StringComparer.Ordinal);

    private RealtimeFlowTools(FlowNode? findSlots, FlowNode? createEvent, bool listEvents, bool cancelEvent, FlowNode? transfer)
    {
        this.findSlots = findSlots;
        this.createEvent = createEvent;
        this.listEvents = listEvents;
        this.cancelEvent = cancelEvent;
        this.transfer = transfer;
    }

    public static RealtimeFlowTools For(FlowDefinition definition)
    {
        FlowNode? Node(string type) => definition.Nodes.FirstOrDefault(n => n.Type == type);
        return new RealtimeFlowTools(Node("FindSlots"), Node("CreateEvent"), Node("ListEvents") is not null, Node("CancelEvent") is not null,
            Node("Transfer") ?? Node("Handoff"));
    }

    /// <summary>The names offered to the model, in the order of <see cref="Definitions"/>.</summary>
    public IReadOnlyList<string> Names => [.. Definitions().Select(d => (string)d!["name"]!)];

    public JsonArray Definitions()
    {
        var tools = new JsonArray();
        if (findSlots is not null)
        {
            tools.Add(Tool(FindSlots, "Sucht freie Termine im Kalender. Liefert die nächsten freien Termine mit Startzeit (start) und gesprochenem Text.",
                new JsonObject
                {
                    ["date"] = Property("string", "Gewünschtes Datum im Format JJJJ-MM-TT, falls genannt."),
                    ["time"] = Property("string", "Gewünschte Uhrzeit im Format HH:mm, falls genannt."),
                    ["part_of_day"] = new JsonObject
                    {
                        ["type"] = "string", ["enum"] = new JsonArray("morning", "afternoon", "evening"),
                        ["description"] = "Vormittag, Nachmittag oder Abend, falls genannt.",
                    },
                }, []));
        }

        if (createEvent is not null && findSlots is not null)
        {
            tools.Add(Tool(BookAppointment, "Trägt einen von find_free_slots angebotenen Termin verbindlich ein, nachdem der Anrufer ihn bestätigt hat.",
                new JsonObject
                {
                    ["start"] = Property("string", "Die Startzeit (start) genau wie von find_free_slots geliefert."),
                    ["caller_name"] = Property("string", "Name des Anrufers, falls genannt."),
                }, ["start"]));
        }

        if (listEvents)
        {
            tools.Add(Tool(ListAppointments, "Nennt die kommenden Termine des Anrufers (über seine Telefonnummer).", [], []));
        }

        if (cancelEvent)
        {
            tools.Add(Tool(CancelAppointment, "Sagt einen Termin des Anrufers ab (id aus list_my_appointments), nachdem er es bestätigt hat.",
                new JsonObject { ["event_id"] = Property("string", "Die id des Termins aus list_my_appointments.") }, ["event_id"]));
        }

        if (transfer is not null)
        {
            tools.Add(Tool(TransferToHuman, "Verbindet den Anrufer mit einer Mitarbeiterin oder einem Mitarbeiter.", [], []));
        }

        tools.Add(Tool(EndCall, "Beendet das Gespräch, nachdem du dich verabschiedet hast.", [], []));
        return tools;
    }

    /// <summary>Runs one tool call in the tenant's scope; a failure of the calendar is told to the model, not thrown.</summary>
    public async Task<RealtimeToolResult> RunAsync(string name, string arguments, ICalendarGateway calendar, VoiceAgentDb db, Guid tenantId,
        string? callerNumber, string instanceId, CancellationToken ct)
    {
        JsonObject args;
        try
        {
            args = JsonNode.Parse(string.IsNullOrWhiteSpace(arguments) ? "{}" : arguments) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            return Error("invalid_arguments");
        }

        try
        {
            return name switch
            {
                FindSlots when findSlots is not null => await FindAsync(args, calendar, ct),
                BookAppointment when createEvent is not null => await BookAsync(args, calendar, callerNumber, instanceId, ct),
                ListAppointments when listEvents => await ListAsync(calendar, callerNumber, ct),
                CancelAppointment when cancelEvent => await CancelAsync(args, calendar, callerNumber, ct),
                TransferToHuman when transfer is not null => await TransferAsync(db, tenantId, ct),
                EndCall => new RealtimeToolResult("""{"ok":true}""", RealtimeCallAction.EndCall),
                _ => Error("unknown_tool"),
            };
        }
        catch (VoiceAgent.Flows.Runtime.PortException)
        {
            return Error("calendar_unavailable");
        }
    }

    private async Task<RealtimeToolResult> FindAsync(JsonObject args, ICalendarGateway calendar, CancellationToken ct)
    {
        var request = new SlotRequest(
            Math.Clamp(RealtimeSetup.Number(findSlots, "durationMinutes", 30), 5, 480),
            Math.Clamp(RealtimeSetup.Number(findSlots, "lookaheadDays", 14), 1, 90),
            Math.Clamp(RealtimeSetup.Number(findSlots, "count", 3), 1, 10),
            (string?)args["date"], (string?)args["time"], (string?)args["part_of_day"], [.. offered.Values.Select(s => s.Start)]);
        var slots = await calendar.FindSlotsAsync(request, ct);
        foreach (var slot in slots)
        {
            offered[Iso(slot.Start)] = slot;
        }

        var list = new JsonArray([.. slots.Select(s => (JsonNode)new JsonObject { ["start"] = Iso(s.Start), ["text"] = s.Text })]);
        return new RealtimeToolResult(new JsonObject { ["slots"] = list }.ToJsonString());
    }

    private async Task<RealtimeToolResult> BookAsync(JsonObject args, ICalendarGateway calendar, string? callerNumber, string instanceId,
        CancellationToken ct)
    {
        if ((string?)args["start"] is not { } start || !offered.TryGetValue(Normalize(start), out var slot))
        {
            return Error("slot_not_offered");
        }

        var name = ((string?)args["caller_name"])?.Trim();
        var title = Fill(RealtimeSetup.Text(createEvent!, "title") ?? "Termin {{ caller.name | default: caller.number }}", name, callerNumber);
        var description = Fill(RealtimeSetup.Text(createEvent!, "description") ?? "Telefonisch gebucht über VoiceAgent. Anrufer: {{ caller.number }}.",
            name, callerNumber);
        var result = await calendar.CreateEventAsync(
            new BookingRequest(slot.Start, slot.End, title, description, callerNumber, string.IsNullOrEmpty(name) ? null : name, $"{instanceId}:{Iso(slot.Start)}"),
            ct);
        return result switch
        {
            { Status: BookingStatus.Conflict } or { Event: null } => new RealtimeToolResult("""{"status":"conflict"}"""),
            { Status: var status, Event: var booked } => new RealtimeToolResult(new JsonObject
            {
                ["status"] = status == BookingStatus.Pending ? "pending" : "created",
                ["id"] = booked.Id,
                ["text"] = booked.Text,
            }.ToJsonString()),
        };
    }

    private static async Task<RealtimeToolResult> ListAsync(ICalendarGateway calendar, string? callerNumber, CancellationToken ct)
    {
        var events = callerNumber is null ? [] : await calendar.ListEventsAsync(callerNumber, ct);
        var list = new JsonArray([.. events.Select(e => (JsonNode)new JsonObject { ["id"] = e.Id, ["text"] = e.Text })]);
        return new RealtimeToolResult(new JsonObject { ["appointments"] = list }.ToJsonString());
    }

    private static async Task<RealtimeToolResult> CancelAsync(JsonObject args, ICalendarGateway calendar, string? callerNumber, CancellationToken ct)
    {
        if ((string?)args["event_id"] is not { } id || callerNumber is null)
        {
            return Error("unknown_appointment");
        }

        return await calendar.CancelEventAsync(id, callerNumber, ct)
            ? new RealtimeToolResult("""{"status":"cancelled"}""")
            : Error("unknown_appointment");
    }

    /// <summary>The node's target (a Handoff without one: the tenant's handoff number, during business hours only), if allow-listed.</summary>
    private async Task<RealtimeToolResult> TransferAsync(VoiceAgentDb db, Guid tenantId, CancellationToken ct)
    {
        var settings = await db.CallSettings.AsNoTracking().SingleOrDefaultAsync(s => s.TenantId == tenantId, ct);
        var target = RealtimeSetup.Text(transfer!, "target") ?? settings?.HandoffTarget;
        var allowed = settings is not null && target is not null
            && (settings.TransferTargets.Any(t => Compact(t) == Compact(target)) || Compact(settings.HandoffTarget ?? "") == Compact(target));
        return allowed
            ? new RealtimeToolResult("""{"status":"transferring"}""", RealtimeCallAction.Transfer, target)
            : Error("no_transfer_target");
    }

    private static RealtimeToolResult Error(string code) => new(new JsonObject { ["error"] = code }.ToJsonString());

    private static JsonObject Tool(string name, string description, JsonObject properties, string[] required) => new()
    {
        ["type"] = "function",
        ["name"] = name,
        ["description"] = description,
        ["parameters"] = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = new JsonArray([.. required.Select(r => (JsonNode)r)]),
        },
    };

    private static JsonObject Property(string type, string description) => new() { ["type"] = type, ["description"] = description };

    // The activities' own format (CalendarJson.Iso): what find_free_slots hands out is what book_appointment takes back.
    private static string Iso(DateTimeOffset value) => value.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static string Normalize(string start) =>
        DateTimeOffset.TryParse(start, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) ? Iso(parsed) : start;

    private static string Compact(string number) => new([.. number.Where(c => char.IsDigit(c) || c == '+')]);

    /// <summary>The caller placeholders of the CreateEvent node's title and description; other placeholders are left out.</summary>
    private static string Fill(string template, string? name, string? number) =>
        Placeholder().Replace(template, m => m.Groups[1].Value switch
        {
            "caller.name" when !string.IsNullOrEmpty(name) => name,
            "caller.name" when m.Groups[2].Value == "caller.number" => number ?? "",
            "caller.number" => number ?? "",
            _ => "",
        }).Trim();

    [GeneratedRegex(@"\{\{\s*([a-z_.]+)\s*(?:\|\s*default:\s*([a-z_.]+)\s*)?\}\}")]
    private static partial Regex Placeholder();
}
