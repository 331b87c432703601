using System.Diagnostics.Metrics;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Platform.Observability;

namespace VoiceAgent.Calendars;

/// <summary>
/// The calendars meter (<c>VoiceAgent.Calendars</c>): bookings callers make (the flow's CreateEvent, the Realtime model's
/// booking tool), by calendar provider (sandbox, google, microsoft, caldav) and outcome (created, conflict, pending, …).
/// Bookings by hand in the portal are not counted.
/// </summary>
public sealed class BookingTelemetry(IMeterFactory meters)
{
    public const string Name = Telemetry.Prefix + "Calendars";

    private readonly Counter<long> bookings = meters.Create(Name).CreateCounter<long>("voiceagent.bookings",
        description: "Bookings made by callers, by calendar provider and outcome");

    /// <summary>The callers' calendar port, counting its bookings.</summary>
    internal ICalendarGateway Metered(ICalendarGateway gateway, string provider) => new MeteredGateway(gateway, provider, this);

    private void Booked(string provider, BookingStatus status) =>
        bookings.Add(1, new KeyValuePair<string, object?>("provider", provider),
            new KeyValuePair<string, object?>("outcome", status.ToString().ToLowerInvariant()));

    private sealed class MeteredGateway(ICalendarGateway inner, string provider, BookingTelemetry telemetry) : ICalendarGateway
    {
        public ValueTask<IReadOnlyList<Slot>> FindSlotsAsync(SlotRequest request, CancellationToken cancellationToken) =>
            inner.FindSlotsAsync(request, cancellationToken);

        public async ValueTask<BookingResult> CreateEventAsync(BookingRequest request, CancellationToken cancellationToken)
        {
            var result = await inner.CreateEventAsync(request, cancellationToken);
            telemetry.Booked(provider, result.Status);
            return result;
        }

        public ValueTask<IReadOnlyList<CalendarEvent>> ListEventsAsync(string callerNumber, CancellationToken cancellationToken) =>
            inner.ListEventsAsync(callerNumber, cancellationToken);

        public ValueTask<bool> CancelEventAsync(string eventId, string callerNumber, CancellationToken cancellationToken) =>
            inner.CancelEventAsync(eventId, callerNumber, cancellationToken);
    }
}
