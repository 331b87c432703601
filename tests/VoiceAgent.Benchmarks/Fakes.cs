using VoiceAgent.Activities.Ports;
using VoiceAgent.Flows.Runtime;

namespace VoiceAgent.Benchmarks;

// In-memory ports shared by the engine and the hand-written baseline. They answer from precomputed objects so that
// what the benchmark measures is the code around the port calls, not the fakes.

/// <summary>The ports as the flow engine resolves them.</summary>
public sealed class FakePorts(FakeCallChannel channel, FakeLanguageUnderstanding nlu, FakeCalendarGateway calendar) : IServiceProvider
{
    public FakeCallChannel Channel { get; } = channel;
    public FakeLanguageUnderstanding Nlu { get; } = nlu;
    public FakeCalendarGateway Calendar { get; } = calendar;

    public FakePorts() : this(new FakeCallChannel(), new FakeLanguageUnderstanding(), new FakeCalendarGateway())
    {
    }

    public object? GetService(Type serviceType) =>
        serviceType == typeof(ICallChannel) ? Channel
        : serviceType == typeof(ILanguageUnderstanding) ? Nlu
        : serviceType == typeof(ICalendarGateway) ? Calendar
        : null;
}

public sealed class FakeCallChannel : ICallChannel
{
    /// <summary>Set only while checking that both sides say the same; null while measuring.</summary>
    public List<(string Text, SayOptions Options)>? Recording { get; set; }

    public int Hangups { get; private set; }

    public ValueTask SayAsync(string text, SayOptions options, CancellationToken cancellationToken)
    {
        Recording?.Add((text, options));
        return ValueTask.CompletedTask;
    }

    public ValueTask TransferAsync(string target, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask HangupAsync(CancellationToken cancellationToken)
    {
        Hangups++;
        return ValueTask.CompletedTask;
    }
}

/// <summary>Knows the two sentences of the measured conversation; anything else is not understood.</summary>
public sealed class FakeLanguageUnderstanding : ILanguageUnderstanding
{
    private static readonly Understanding Booking = new(Intents.BookAppointment, null, null, null, null, null);
    private static readonly Understanding Yes = new(Intents.Yes, null, null, null, null, true);
    private static readonly Understanding No = new(Intents.No, null, null, null, null, false);
    private static readonly Understanding Unknown = new(Intents.Unknown, null, null, null, null, null);

    public ValueTask<Understanding> UnderstandAsync(string text, CancellationToken cancellationToken) => ValueTask.FromResult(
        text.Contains("Termin", StringComparison.Ordinal) ? Booking
        : text.StartsWith("Ja", StringComparison.Ordinal) ? Yes
        : text.StartsWith("Nein", StringComparison.Ordinal) ? No
        : Unknown);
}

/// <summary>A calendar whose free slots are every half hour from Monday 9:00; bookings are answered, not kept.</summary>
public sealed class FakeCalendarGateway : ICalendarGateway
{
    private static readonly DateTimeOffset FirstFree = new(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(1));
    private static readonly IReadOnlyList<Slot> FirstThree = [.. Enumerable.Range(0, 3).Select(i => SlotAt(i, 30))];

    /// <summary>The last booking request, for the equivalence check.</summary>
    public BookingRequest? LastBooking { get; private set; }

    public ValueTask<IReadOnlyList<Slot>> FindSlotsAsync(SlotRequest request, CancellationToken cancellationToken)
    {
        if (request.Exclude.Count == 0 && request.Count == 3 && request.DurationMinutes == 30)
        {
            return ValueTask.FromResult(FirstThree);
        }

        IReadOnlyList<Slot> slots = [.. Enumerable.Range(0, 40).Select(i => SlotAt(i, request.DurationMinutes))
            .Where(s => !request.Exclude.Contains(s.Start)).Take(request.Count)];
        return ValueTask.FromResult(slots);
    }

    public ValueTask<BookingResult> CreateEventAsync(BookingRequest request, CancellationToken cancellationToken)
    {
        LastBooking = request;
        return ValueTask.FromResult(new BookingResult(BookingStatus.Created,
            new CalendarEvent("evt-1", request.Start, request.End, request.Title, SpokenText(request.Start))));
    }

    public ValueTask<IReadOnlyList<CalendarEvent>> ListEventsAsync(string callerNumber, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<CalendarEvent>>([]);

    public ValueTask<bool> CancelEventAsync(string eventId, string callerNumber, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    private static Slot SlotAt(int index, int durationMinutes)
    {
        var start = FirstFree.AddMinutes(index * durationMinutes);
        return new Slot(start, start.AddMinutes(durationMinutes), Spoken(start));
    }

    // The precomputed text when the slot is one of the first three, so booking them allocates no string.
    private static string SpokenText(DateTimeOffset start)
    {
        foreach (var slot in FirstThree)
        {
            if (slot.Start == start)
            {
                return slot.Text;
            }
        }

        return Spoken(start);
    }

    private static string Spoken(DateTimeOffset start) =>
        start.Minute == 0 ? $"Montag, 23. November um {start.Hour} Uhr" : $"Montag, 23. November um {start.Hour}:{start.Minute:00} Uhr";
}
