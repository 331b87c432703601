namespace VoiceAgent.Activities.Ports;

/// <summary>The tenant's calendar: the sandbox calendar until a real one (Google, Microsoft 365, CalDAV) is connected.</summary>
public interface ICalendarGateway
{
    /// <summary>Free slots within business hours, earliest first, honouring the caller's preferences where given.</summary>
    ValueTask<IReadOnlyList<Slot>> FindSlotsAsync(SlotRequest request, CancellationToken cancellationToken);

    /// <summary>Books a slot; the same idempotency key never books twice (a retry returns the first booking).</summary>
    ValueTask<BookingResult> CreateEventAsync(BookingRequest request, CancellationToken cancellationToken);

    /// <summary>The caller's upcoming appointments, matched by phone number, earliest first.</summary>
    ValueTask<IReadOnlyList<CalendarEvent>> ListEventsAsync(string callerNumber, CancellationToken cancellationToken);

    /// <summary>Cancels one of the caller's appointments; false when there is no such appointment.</summary>
    ValueTask<bool> CancelEventAsync(string eventId, string callerNumber, CancellationToken cancellationToken);
}

public sealed record SlotRequest(int DurationMinutes, int LookaheadDays, int Count, string? PreferredDate, string? PreferredTime,
    string? PartOfDay, IReadOnlyCollection<DateTimeOffset> Exclude);

/// <summary>A free slot; <see cref="Text"/> is how it is spoken ("Dienstag, 24. November um 10 Uhr").</summary>
public sealed record Slot(DateTimeOffset Start, DateTimeOffset End, string Text);

/// <param name="CallerEmail">Invites the caller (as attendee) where the flow knows an address.</param>
public sealed record BookingRequest(DateTimeOffset Start, DateTimeOffset End, string Title, string Description, string? CallerNumber,
    string? CallerName, string IdempotencyKey, string? CallerEmail = null);

public enum BookingStatus
{
    Created,
    Conflict,

    /// <summary>The calendar did not answer in time: the booking is kept and finished in the background (the business is told).
    /// Also a booking in a test calendar the business has not confirmed as its calendar: kept, but not promised to the caller.</summary>
    Pending,
}

public sealed record BookingResult(BookingStatus Status, CalendarEvent? Event);

public sealed record CalendarEvent(string Id, DateTimeOffset Start, DateTimeOffset End, string Title, string Text);
