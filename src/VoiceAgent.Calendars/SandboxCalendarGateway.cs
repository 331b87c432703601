using VoiceAgent.Platform;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NodaTime;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Calendars;

/// <summary>
/// The tenant's calendar kept in PostgreSQL (until a real one is connected, and for the demo tenant). Overlapping
/// bookings are impossible (exclusion constraint), so two callers racing for one slot get Created and Conflict.
/// </summary>
/// <param name="forCallers">Bookings come from calls: until the tenant has confirmed the sandbox as its calendar
/// (<see cref="TenantCalendarChoice"/>) they are kept but come back Pending, so no caller is told "Ihr Termin ist
/// eingetragen" for a test calendar. The business booking by hand in the portal passes false.</param>
public sealed class SandboxCalendarGateway(VoiceAgentDb db, Guid tenantId, TimeProvider time, bool forCallers = false) : ICalendarGateway, IAppointmentBook
{
    private const string Confirmed = "confirmed";

    private bool? bookingsConfirmed;

    public async ValueTask<IReadOnlyList<Slot>> FindSlotsAsync(SlotRequest request, CancellationToken cancellationToken)
    {
        var options = await OptionsAsync(cancellationToken);
        var now = Instant.FromDateTimeOffset(time.GetUtcNow());
        var until = time.GetUtcNow().AddDays(request.LookaheadDays + 2);
        var busy = await db.SandboxEvents.AsNoTracking()
            .Where(e => e.TenantId == tenantId && e.Status == Confirmed && e.EndAt > time.GetUtcNow() && e.StartAt < until)
            .Select(e => new { e.StartAt, e.EndAt })
            .ToListAsync(cancellationToken);
        return SlotFinder.Find(request, options, now,
            busy.Select(b => (Instant.FromDateTimeOffset(b.StartAt), Instant.FromDateTimeOffset(b.EndAt))).ToList());
    }

    public async ValueTask<BookingResult> CreateEventAsync(BookingRequest request, CancellationToken cancellationToken)
    {
        var zone = (await OptionsAsync(cancellationToken)).Zone;
        var existing = await db.SandboxEvents.AsNoTracking()
            .SingleOrDefaultAsync(e => e.TenantId == tenantId && e.IdempotencyKey == request.IdempotencyKey, cancellationToken);
        if (existing is not null)
        {
            return new BookingResult(await BookedStatusAsync(cancellationToken), ToEvent(existing, zone));
        }

        var entity = new SandboxEvent
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            TenantId = tenantId,
            StartAt = request.Start.ToUniversalTime(),
            EndAt = request.End.ToUniversalTime(),
            Title = Truncate(request.Title, 300),
            Description = Truncate(request.Description, 4000),
            CallerNumber = request.CallerNumber,
            CallerName = request.CallerName,
            Status = Confirmed,
            IdempotencyKey = Truncate(request.IdempotencyKey, 200),
            CreatedAt = time.GetUtcNow(),
        };

        // A savepoint keeps the surrounding unit of work usable when the exclusion constraint refuses the booking.
        var transaction = db.Database.CurrentTransaction;
        if (transaction is not null)
        {
            await transaction.CreateSavepointAsync("booking", cancellationToken);
        }

        db.SandboxEvents.Add(entity);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return new BookingResult(await BookedStatusAsync(cancellationToken), ToEvent(entity, zone));
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.ExclusionViolation or PostgresErrorCodes.UniqueViolation })
        {
            db.Entry(entity).State = EntityState.Detached;
            if (transaction is not null)
            {
                await transaction.RollbackToSavepointAsync("booking", cancellationToken);
            }

            return new BookingResult(BookingStatus.Conflict, null);
        }
    }

    public async ValueTask<IReadOnlyList<CalendarEvent>> ListEventsAsync(string callerNumber, CancellationToken cancellationToken)
    {
        var zone = (await OptionsAsync(cancellationToken)).Zone;
        var events = await db.SandboxEvents.AsNoTracking()
            .Where(e => e.TenantId == tenantId && e.CallerNumber == callerNumber && e.Status == Confirmed && e.EndAt > time.GetUtcNow())
            .OrderBy(e => e.StartAt).Take(10).ToListAsync(cancellationToken);
        return events.Select(e => ToEvent(e, zone)).ToList();
    }

    public async ValueTask<bool> CancelEventAsync(string eventId, string callerNumber, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(eventId, out var id))
        {
            return false;
        }

        var entity = await db.SandboxEvents.SingleOrDefaultAsync(
            e => e.Id == id && e.TenantId == tenantId && e.CallerNumber == callerNumber && e.Status == Confirmed, cancellationToken);
        if (entity is null)
        {
            return false;
        }

        entity.Status = "cancelled";
        entity.CancelledAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    async Task<IReadOnlyList<Appointment>> IAppointmentBook.BetweenAsync(Instant from, Instant to, CancellationToken ct)
    {
        var start = from.ToDateTimeOffset();
        var end = to.ToDateTimeOffset();
        var events = await db.SandboxEvents.AsNoTracking()
            .Where(e => e.TenantId == tenantId && e.Status == Confirmed && e.EndAt > start && e.StartAt < end)
            .OrderBy(e => e.StartAt).Take(500).ToListAsync(ct);
        return events.Select(e => new Appointment(e.Id.ToString(), e.StartAt, e.EndAt, e.Title, e.CallerName, e.CallerNumber, false)).ToList();
    }

    // The business cancels any appointment of its calendar (a caller only their own: CancelEventAsync).
    async Task<bool> IAppointmentBook.CancelAsync(string eventId, CancellationToken ct)
    {
        if (!Guid.TryParse(eventId, out var id))
        {
            return false;
        }

        var entity = await db.SandboxEvents.SingleOrDefaultAsync(e => e.Id == id && e.TenantId == tenantId && e.Status == Confirmed, ct);
        if (entity is null)
        {
            return false;
        }

        entity.Status = "cancelled";
        entity.CancelledAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return true;
    }

    bool IAppointmentBook.Sandbox => true;

    private async Task<BookingStatus> BookedStatusAsync(CancellationToken cancellationToken)
    {
        bookingsConfirmed ??= !forCallers || await TenantCalendarChoice.IsSandboxConfirmedAsync(db, tenantId, cancellationToken);
        return bookingsConfirmed.Value ? BookingStatus.Created : BookingStatus.Pending;
    }

    private async Task<SlotFinder.Options> OptionsAsync(CancellationToken cancellationToken)
    {
        var settings = await db.CalendarSettings.AsNoTracking().SingleOrDefaultAsync(s => s.TenantId == tenantId, cancellationToken)
                       ?? new CalendarSettings { TenantId = tenantId };
        var zone = BusinessTime.ZoneOrDefault(settings.TimeZone);
        return new SlotFinder.Options(zone, BusinessHours.Parse(settings.BusinessHours), settings.SlotMinutes, settings.BufferMinutes);
    }

    private static CalendarEvent ToEvent(SandboxEvent e, DateTimeZone zone) =>
        CalendarTexts.ToEvent(e.Id.ToString(), Instant.FromDateTimeOffset(e.StartAt), Instant.FromDateTimeOffset(e.EndAt), e.Title, zone);

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
