using System.Text.Json.Nodes;
using VoiceAgent.Activities.Calls;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Flows.Tests;

internal sealed class Ports : IServiceProvider
{
    private readonly Dictionary<Type, object> services = [];

    public Ports()
    {
        Add<ICallChannel>(Channel);
        Add<ILanguageUnderstanding>(Nlu);
        Add<ICalendarGateway>(Calendar);
        Add<ITransferTargets>(Targets);
        Add<IMessageBox>(Messages);
    }

    public FakeChannel Channel { get; } = new();
    public FakeNlu Nlu { get; } = new();
    public FakeCalendar Calendar { get; } = new();
    public FakeTargets Targets { get; } = new();
    public FakeMessages Messages { get; } = new();

    public Ports Add<T>(object service)
    {
        services[typeof(T)] = service;
        return this;
    }

    public object? GetService(Type serviceType) => services.GetValueOrDefault(serviceType);
}

internal sealed class FakeChannel : ICallChannel
{
    public List<string> Said { get; } = [];
    public List<string> Transfers { get; } = [];
    public bool HungUp { get; private set; }

    public ValueTask SayAsync(string text, SayOptions options, CancellationToken cancellationToken)
    {
        Said.Add(text);
        return ValueTask.CompletedTask;
    }

    public ValueTask TransferAsync(string target, CancellationToken cancellationToken)
    {
        Transfers.Add(target);
        return ValueTask.CompletedTask;
    }

    public ValueTask HangupAsync(CancellationToken cancellationToken)
    {
        HungUp = true;
        return ValueTask.CompletedTask;
    }
}

/// <summary>Understands a few fixed phrases; the real German NLU is tested in Platform.Tests.</summary>
internal sealed class FakeNlu : ILanguageUnderstanding
{
    public ValueTask<Understanding> UnderstandAsync(string text, CancellationToken cancellationToken) => ValueTask.FromResult(text.ToLowerInvariant() switch
    {
        var t when t.Contains("termin") && t.Contains("wann") => new Understanding(Intents.QueryAppointments, null, null, null, null, null),
        var t when t.Contains("termin") => new Understanding(Intents.BookAppointment, null, null, null, null, null),
        "ja" => new Understanding(Intents.Yes, null, null, null, null, true),
        "nein" => new Understanding(Intents.No, null, null, null, null, false),
        "morgen" => new Understanding(Intents.Unknown, "2026-11-22", null, null, null, null),
        _ => new Understanding(Intents.Unknown, null, null, null, null, null),
    });
}

internal sealed class FakeCalendar : ICalendarGateway
{
    public Exception? Failure { get; set; }
    public List<BookingRequest> Bookings { get; } = [];
    public DateTimeOffset FirstFree { get; set; } = new(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(1));

    public ValueTask<IReadOnlyList<Slot>> FindSlotsAsync(SlotRequest request, CancellationToken cancellationToken)
    {
        if (Failure is not null)
        {
            throw Failure;
        }

        var slots = Enumerable.Range(0, 20)
            .Select(i => FirstFree.AddMinutes(i * request.DurationMinutes))
            .Where(s => !request.Exclude.Contains(s) && Bookings.All(b => b.Start != s))
            .Take(request.Count)
            .Select(s => new Slot(s, s.AddMinutes(request.DurationMinutes), $"Montag um {s.Hour}:{s.Minute:00} Uhr"))
            .ToList();
        return ValueTask.FromResult<IReadOnlyList<Slot>>(slots);
    }

    public ValueTask<BookingResult> CreateEventAsync(BookingRequest request, CancellationToken cancellationToken)
    {
        if (Failure is not null)
        {
            throw Failure;
        }

        if (Bookings.Any(b => b.Start == request.Start && b.IdempotencyKey != request.IdempotencyKey))
        {
            return ValueTask.FromResult(new BookingResult(BookingStatus.Conflict, null));
        }

        Bookings.Add(request);
        return ValueTask.FromResult(new BookingResult(BookingStatus.Created,
            new CalendarEvent("e" + Bookings.Count, request.Start, request.End, request.Title, "Montag um 9 Uhr")));
    }

    public ValueTask<IReadOnlyList<CalendarEvent>> ListEventsAsync(string callerNumber, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<CalendarEvent>>(Bookings.Where(b => b.CallerNumber == callerNumber)
            .Select((b, i) => new CalendarEvent("e" + (i + 1), b.Start, b.End, b.Title, "Montag um 9 Uhr")).ToList());

    public ValueTask<bool> CancelEventAsync(string eventId, string callerNumber, CancellationToken cancellationToken) => ValueTask.FromResult(false);
}

internal sealed class FakeTargets : ITransferTargets
{
    public string? Reachable { get; set; } = "+4930123456";

    public ValueTask<bool> IsAllowedAsync(string target, CancellationToken cancellationToken) => ValueTask.FromResult(target == "+4930123456");

    public ValueTask<string?> ReachableHandoffTargetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Reachable);
}

internal sealed class FakeMessages : IMessageBox
{
    public List<CallerMessage> Messages { get; } = [];

    public ValueTask LeaveMessageAsync(CallerMessage message, CancellationToken cancellationToken)
    {
        Messages.Add(message);
        return ValueTask.CompletedTask;
    }
}

internal static class Flow
{
    /// <summary>Greet, listen for the intent, find two slots, offer, confirm, book — with every other outcome hung up on.</summary>
    public static Runtime.FlowPlan BookingPlan() => Runtime.FlowPlan.Compile(Of(
        [
            ("start", "Start", null),
            ("hello", "Speak", new { text = "Guten Tag, Sie sprechen mit dem KI-Assistenten." }),
            ("listen", "Listen", new { expectation = "intent", maxRetries = 1 }),
            ("route", "Decision", new { condition = "intent == \"book_appointment\"" }),
            ("find", "FindSlots", new { count = 2 }),
            ("offer", "Speak", new { text = "Ich hätte {{ slot.text }} frei. Passt das?" }),
            ("confirm", "Listen", new { expectation = "yesno" }),
            ("yes", "Decision", new { condition = "answer" }),
            ("book", "CreateEvent", null),
            ("booked", "Hangup", new { goodbye = "Ihr Termin ist eingetragen: {{ event.text }}. Auf Wiederhören!" }),
            ("conflict", "Hangup", new { goodbye = "Der Termin ist leider schon vergeben." }),
            ("none", "Hangup", new { goodbye = "Leider ist nichts frei." }),
            ("bye", "Hangup", new { goodbye = "Auf Wiederhören." }),
        ],
        ("start", "Done", "hello"), ("hello", "Done", "listen"),
        ("listen", "Recognized", "route"), ("listen", "NoInput", "bye"), ("listen", "NoMatch", "bye"),
        ("route", "True", "find"), ("route", "False", "bye"),
        ("find", "Found", "offer"), ("find", "NotFound", "none"), ("find", "Failed", "none"),
        ("offer", "Done", "confirm"),
        ("confirm", "Recognized", "yes"), ("confirm", "NoInput", "bye"), ("confirm", "NoMatch", "bye"),
        ("yes", "True", "book"), ("yes", "False", "find"),
        ("book", "Created", "booked"), ("book", "Conflict", "conflict")), Registry);

    public static readonly Descriptors.ActivityRegistry Registry =
        Descriptors.ActivityRegistry.FromAssemblies(typeof(Activities.Dialog.Speak).Assembly);

    /// <summary>Builds a definition from compact node and connection lists.</summary>
    public static Definitions.FlowDefinition Of(IEnumerable<(string Id, string Type, object? Inputs)> nodes, params (string From, string Outcome, string To)[] connections) => new()
    {
        Name = "Test",
        Nodes = nodes.Select(n => new Definitions.FlowNode
        {
            Id = n.Id,
            Type = n.Type,
            Inputs = n.Inputs is null ? [] : JsonSerializerInputs(n.Inputs),
        }).ToList(),
        Connections = connections.Select(c => new Definitions.FlowConnection(c.From, c.Outcome, c.To)).ToList(),
    };

    private static Dictionary<string, JsonNode?> JsonSerializerInputs(object inputs) =>
        System.Text.Json.JsonSerializer.SerializeToNode(inputs)!.AsObject().ToDictionary(p => p.Key, p => p.Value?.DeepClone());

    public static JsonObject Caller(string number = "+491701234567") => new() { ["caller"] = new JsonObject { ["number"] = number } };
}
