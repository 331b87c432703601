using NodaTime;
using VoiceAgent.Activities.Ports;

namespace VoiceAgent.Calendars;

/// <summary>A calendar in memory (Mon–Fri 09:00–17:00 by default) for the CLI simulator and tests.</summary>
public sealed class InMemoryCalendarGateway(TimeProvider time, DateTimeZone zone, BusinessHours? hours = null) : ICalendarGateway
{
    private readonly List<(string Id, Instant Start, Instant End, string Title, string? Caller, string Key, bool Cancelled)> events = [];
    private readonly SlotFinder.Options options = new(zone, hours ?? BusinessHours.Default, 30, 0);

    public ValueTask<IReadOnlyList<Slot>> FindSlotsAsync(SlotRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(SlotFinder.Find(request, options, Now, events.Where(e => !e.Cancelled).Select(e => (e.Start, e.End)).ToList()));

    public ValueTask<BookingResult> CreateEventAsync(BookingRequest request, CancellationToken cancellationToken)
    {
        var start = Instant.FromDateTimeOffset(request.Start);
        var end = Instant.FromDateTimeOffset(request.End);
        if (events.FirstOrDefault(e => e.Key == request.IdempotencyKey) is { Id: not null } same)
        {
            return ValueTask.FromResult(new BookingResult(BookingStatus.Created, CalendarTexts.ToEvent(same.Id, same.Start, same.End, same.Title, zone)));
        }

        if (events.Any(e => !e.Cancelled && e.Start < end && start < e.End))
        {
            return ValueTask.FromResult(new BookingResult(BookingStatus.Conflict, null));
        }

        var id = (events.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        events.Add((id, start, end, request.Title, request.CallerNumber, request.IdempotencyKey, false));
        return ValueTask.FromResult(new BookingResult(BookingStatus.Created, CalendarTexts.ToEvent(id, start, end, request.Title, zone)));
    }

    public ValueTask<IReadOnlyList<CalendarEvent>> ListEventsAsync(string callerNumber, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<CalendarEvent>>(events
            .Where(e => !e.Cancelled && e.Caller == callerNumber && e.End > Now)
            .OrderBy(e => e.Start)
            .Select(e => CalendarTexts.ToEvent(e.Id, e.Start, e.End, e.Title, zone)).ToList());

    public ValueTask<bool> CancelEventAsync(string eventId, string callerNumber, CancellationToken cancellationToken)
    {
        var index = events.FindIndex(e => e.Id == eventId && e.Caller == callerNumber && !e.Cancelled);
        if (index < 0)
        {
            return ValueTask.FromResult(false);
        }

        events[index] = events[index] with { Cancelled = true };
        return ValueTask.FromResult(true);
    }

    private Instant Now => Instant.FromDateTimeOffset(time.GetUtcNow());
}
