using VoiceAgent.Platform;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NodaTime;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Calendars;

/// <summary>
/// The calendar port over a connected calendar (Google, Microsoft 365, CalDAV). Every provider call runs within the
/// call's time budget (<see cref="CalendarOptions.InCallBudget"/>). A booking is first written to calendar_bookings
/// (no two callers get one slot), then checked against the calendar's busy time and created with a client-chosen id;
/// when the calendar does not answer in time it stays pending, the caller is told it will be confirmed, and
/// <see cref="BookingOutbox"/> finishes it.
/// </summary>
public sealed class ConnectedCalendarGateway(
    VoiceAgentDb db,
    CalendarConnection connection,
    ICalendarProvider provider,
    ConnectionAccess access,
    CalendarSettings settings,
    TimeSpan budget,
    TimeProvider time,
    BookingOutboxSignal outbox) : ICalendarGateway, IAppointmentBook
{
    private const int ListDays = 180;

    /// <summary>The connection's provider (google, microsoft, caldav).</summary>
    public string Provider => connection.Provider;

    private DateTimeZone Zone { get; } = BusinessTime.ZoneOrDefault(settings.TimeZone);

    public async ValueTask<IReadOnlyList<Slot>> FindSlotsAsync(SlotRequest request, CancellationToken cancellationToken)
    {
        var options = new SlotFinder.Options(Zone, BusinessHours.Parse(settings.BusinessHours), settings.SlotMinutes, settings.BufferMinutes);
        var now = Now;
        var until = now + Duration.FromDays(request.LookaheadDays + 2);
        var busy = await GuardAsync(session => provider.BusyAsync(session, now, until, cancellationToken), cancellationToken);
        var booked = await OpenBookingsAsync(now, until, cancellationToken);
        return SlotFinder.Find(request, options, now, [.. busy, .. booked]);
    }

    public async ValueTask<BookingResult> CreateEventAsync(BookingRequest request, CancellationToken cancellationToken)
    {
        var existing = await db.CalendarBookings.SingleOrDefaultAsync(
            b => b.TenantId == connection.TenantId && b.IdempotencyKey == request.IdempotencyKey, cancellationToken);
        if (existing is not null)
        {
            return Result(existing);
        }

        var booking = NewBooking(request);
        if (!await TryInsertAsync(booking, cancellationToken))
        {
            return new BookingResult(BookingStatus.Conflict, null);
        }

        try
        {
            var outcome = await GuardAsync(session => BookingOutbox.CompleteAsync(provider, session, booking, settings.BufferMinutes, Now, cancellationToken),
                cancellationToken);
            booking.Status = outcome;
            booking.CompletedAt = time.GetUtcNow();
        }
        catch (PortException ex) when (ex.InnerException is CalendarUnavailableException or CalendarAuthorizationException)
        {
            // Not within the budget (or the grant broke just now): finish it in the background; the caller is told.
            booking.Deferred = true;
            booking.Attempts = 1;
            booking.NextAttemptAt = time.GetUtcNow();
            booking.LastError = Truncate(ex.InnerException.Message, 500);
            db.Record(time, Actor.System, ConnectorAudit.BookingDeferred, connection.TenantId,
                $"{booking.Id} {booking.StartAt:O}: {booking.LastError}");
        }
        catch (PortException ex)
        {
            booking.Status = BookingStatuses.Failed;
            booking.LastError = Truncate(ex.InnerException?.Message ?? ex.Message, 500);
            booking.UpdatedAt = time.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
            throw;
        }

        booking.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        if (booking.Status == BookingStatuses.Pending)
        {
            outbox.Wake();
        }

        return Result(booking);
    }

    public async ValueTask<IReadOnlyList<CalendarEvent>> ListEventsAsync(string callerNumber, CancellationToken cancellationToken)
    {
        var now = Now;
        var events = await GuardAsync(session => provider.EventsAsync(session, now, now + Duration.FromDays(ListDays), callerNumber, cancellationToken),
            cancellationToken);
        var found = events.Where(e => e.Text.Contains(callerNumber, StringComparison.Ordinal) && e.End > now)
            .Select(e => CalendarTexts.ToEvent(e.Id, e.Start, e.End, e.Title, Zone)).ToList();

        // Bookings still waiting for the background job are the caller's appointments too.
        var nowOffset = time.GetUtcNow();
        var pending = await db.CalendarBookings.AsNoTracking()
            .Where(b => b.TenantId == connection.TenantId && b.CallerNumber == callerNumber && b.Status == BookingStatuses.Pending && b.EndAt > nowOffset)
            .ToListAsync(cancellationToken);
        found.AddRange(pending.Select(b => CalendarTexts.ToEvent(PendingId(b), Instant.FromDateTimeOffset(b.StartAt), Instant.FromDateTimeOffset(b.EndAt),
            b.Title, Zone)));
        return found.OrderBy(e => e.Start).Take(10).ToList();
    }

    public async ValueTask<bool> CancelEventAsync(string eventId, string callerNumber, CancellationToken cancellationToken)
    {
        if (eventId.StartsWith(PendingPrefix, StringComparison.Ordinal))
        {
            if (!Guid.TryParse(eventId[PendingPrefix.Length..], out var id))
            {
                return false;
            }

            var pending = await db.CalendarBookings.SingleOrDefaultAsync(
                b => b.Id == id && b.TenantId == connection.TenantId && b.CallerNumber == callerNumber && b.Status == BookingStatuses.Pending,
                cancellationToken);
            if (pending is null)
            {
                return false;
            }

            pending.Status = BookingStatuses.Cancelled;
            pending.UpdatedAt = time.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }

        var cancelled = await GuardAsync(async session =>
        {
            var found = await provider.GetAsync(session, eventId, cancellationToken);
            // Only the caller's own appointment: the number must be in the event.
            return found is not null && found.Text.Contains(callerNumber, StringComparison.Ordinal)
                   && await provider.DeleteAsync(session, eventId, cancellationToken);
        }, cancellationToken);
        if (cancelled)
        {
            var booking = await db.CalendarBookings.SingleOrDefaultAsync(
                b => b.TenantId == connection.TenantId && b.ProviderEventId == eventId && b.Status == BookingStatuses.Created, cancellationToken);
            if (booking is not null)
            {
                booking.Status = BookingStatuses.Cancelled;
                booking.UpdatedAt = time.GetUtcNow();
                await db.SaveChangesAsync(cancellationToken);
            }
        }

        return cancelled;
    }

    // The portal's view: every event in the window (not only a caller's), with the caller where VoiceAgent booked it.
    async Task<IReadOnlyList<Appointment>> IAppointmentBook.BetweenAsync(Instant from, Instant to, CancellationToken ct)
    {
        var events = await GuardAsync(session => provider.EventsAsync(session, from, to, null, ct), ct);
        var start = from.ToDateTimeOffset();
        var end = to.ToDateTimeOffset();
        var ours = await db.CalendarBookings.AsNoTracking()
            .Where(b => b.TenantId == connection.TenantId && (b.Status == BookingStatuses.Pending || b.Status == BookingStatuses.Created)
                        && b.EndAt > start && b.StartAt < end)
            .ToListAsync(ct);
        var byEvent = ours.Where(b => b.ProviderEventId is not null).GroupBy(b => b.ProviderEventId!).ToDictionary(g => g.Key, g => g.First());
        var result = events.Select(e => byEvent.TryGetValue(e.Id, out var b)
                ? new Appointment(e.Id, e.Start.ToDateTimeOffset(), e.End.ToDateTimeOffset(), e.Title, b.CallerName, b.CallerNumber, false)
                : new Appointment(e.Id, e.Start.ToDateTimeOffset(), e.End.ToDateTimeOffset(), e.Title, null, null, false))
            .ToList();
        result.AddRange(ours.Where(b => b.Status == BookingStatuses.Pending)
            .Select(b => new Appointment(PendingId(b), b.StartAt, b.EndAt, b.Title, b.CallerName, b.CallerNumber, true)));
        return result.OrderBy(a => a.Start).ToList();
    }

    // The business cancels any appointment of its calendar (a caller only their own: CancelEventAsync).
    async Task<bool> IAppointmentBook.CancelAsync(string eventId, CancellationToken ct)
    {
        if (eventId.StartsWith(PendingPrefix, StringComparison.Ordinal))
        {
            if (!Guid.TryParse(eventId[PendingPrefix.Length..], out var id))
            {
                return false;
            }

            var pending = await db.CalendarBookings.SingleOrDefaultAsync(
                b => b.Id == id && b.TenantId == connection.TenantId && b.Status == BookingStatuses.Pending, ct);
            if (pending is null)
            {
                return false;
            }

            pending.Status = BookingStatuses.Cancelled;
            pending.UpdatedAt = time.GetUtcNow();
            await db.SaveChangesAsync(ct);
            return true;
        }

        var cancelled = await GuardAsync(session => provider.DeleteAsync(session, eventId, ct), ct);
        var booking = await db.CalendarBookings.SingleOrDefaultAsync(
            b => b.TenantId == connection.TenantId && b.ProviderEventId == eventId && b.Status == BookingStatuses.Created, ct);
        if (booking is not null)
        {
            booking.Status = BookingStatuses.Cancelled;
            booking.UpdatedAt = time.GetUtcNow();
            await db.SaveChangesAsync(ct);
        }

        return cancelled;
    }

    bool IAppointmentBook.Sandbox => false;

    public const string PendingPrefix = "pending:";

    /// <summary>The provider-side identity of a booking: lowercase hex, valid as Google event id (base32hex), CalDAV UID and resource name.</summary>
    public static string ExternalId(Guid tenantId, string idempotencyKey) =>
        "va" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{tenantId:n}:{idempotencyKey}")))[..40];

    private static string PendingId(CalendarBooking b) => PendingPrefix + b.Id;

    private Instant Now => Instant.FromDateTimeOffset(time.GetUtcNow());

    private CalendarBooking NewBooking(BookingRequest request)
    {
        var now = time.GetUtcNow();
        return new CalendarBooking
        {
            Id = Guid.CreateVersion7(now),
            TenantId = connection.TenantId,
            ConnectionId = connection.Id,
            Provider = connection.Provider,
            CalendarId = connection.CalendarId!,
            IdempotencyKey = Truncate(request.IdempotencyKey, 200),
            ExternalId = ExternalId(connection.TenantId, request.IdempotencyKey),
            StartAt = request.Start.ToUniversalTime(),
            EndAt = request.End.ToUniversalTime(),
            TimeZone = Zone.Id,
            Title = Truncate(request.Title, 300),
            Description = Truncate(request.Description, 4000),
            CallerNumber = request.CallerNumber,
            CallerName = request.CallerName is null ? null : Truncate(request.CallerName, 200),
            CallerEmail = request.CallerEmail,
            Status = BookingStatuses.Pending,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    // The row reserves the slot among VoiceAgent's own bookings (exclusion constraint); a savepoint keeps the surrounding
    // unit of work usable when it is refused.
    private async Task<bool> TryInsertAsync(CalendarBooking booking, CancellationToken ct)
    {
        var transaction = db.Database.CurrentTransaction;
        if (transaction is not null)
        {
            await transaction.CreateSavepointAsync("calendar_booking", ct);
        }

        db.CalendarBookings.Add(booking);
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.ExclusionViolation or PostgresErrorCodes.UniqueViolation })
        {
            db.Entry(booking).State = EntityState.Detached;
            if (transaction is not null)
            {
                await transaction.RollbackToSavepointAsync("calendar_booking", ct);
            }

            return false;
        }
    }

    private async Task<List<(Instant Start, Instant End)>> OpenBookingsAsync(Instant from, Instant until, CancellationToken ct)
    {
        var start = from.ToDateTimeOffset();
        var end = until.ToDateTimeOffset();
        var rows = await db.CalendarBookings.AsNoTracking()
            .Where(b => b.TenantId == connection.TenantId && (b.Status == BookingStatuses.Pending || b.Status == BookingStatuses.Created)
                        && b.EndAt > start && b.StartAt < end)
            .Select(b => new { b.StartAt, b.EndAt }).ToListAsync(ct);
        return rows.Select(r => (Instant.FromDateTimeOffset(r.StartAt), Instant.FromDateTimeOffset(r.EndAt))).ToList();
    }

    private BookingResult Result(CalendarBooking b) => b.Status switch
    {
        BookingStatuses.Created => new BookingResult(BookingStatus.Created,
            CalendarTexts.ToEvent(b.ProviderEventId ?? b.ExternalId, Instant.FromDateTimeOffset(b.StartAt), Instant.FromDateTimeOffset(b.EndAt), b.Title, Zone)),
        BookingStatuses.Pending => new BookingResult(BookingStatus.Pending,
            CalendarTexts.ToEvent(PendingId(b), Instant.FromDateTimeOffset(b.StartAt), Instant.FromDateTimeOffset(b.EndAt), b.Title, Zone)),
        _ => new BookingResult(BookingStatus.Conflict, null),
    };

    // Provider failures become port failures (the activity's Failed outcome); the connection's health is kept.
    private async Task<T> GuardAsync<T>(Func<CalendarSession, Task<T>> call, CancellationToken ct)
    {
        var session = access.Session(connection, connection.CalendarId!, Zone, new CalendarBudget(time, budget));
        try
        {
            return await access.RunAsync(connection, () => call(session), ct);
        }
        catch (Exception ex) when (ex is CalendarUnavailableException or CalendarAuthorizationException or CalendarProviderException)
        {
            throw new PortException($"{connection.Provider} calendar: {ex.Message}", ex);
        }
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
