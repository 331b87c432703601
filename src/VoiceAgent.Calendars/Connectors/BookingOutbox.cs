using VoiceAgent.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Calendars;

/// <summary>
/// Finishes bookings that could not be made within a call (calendar_bookings with status pending): each due row is
/// claimed (FOR UPDATE SKIP LOCKED plus a lease, so several nodes never take the same one), checked against the
/// calendar's busy time and created with its client-chosen id — an event created by an earlier attempt is recognized,
/// never duplicated. The tenant gets a mail when a deferred booking is in the calendar, or when it cannot be made (slot
/// taken meanwhile, connection removed, or still failing after <see cref="CalendarOptions.GiveUpAfter"/>).
/// </summary>
public sealed class BookingOutbox(
    VoiceAgentDb db,
    ConnectionAccess access,
    CalendarProviderRegistry providers,
    ConnectorMails mails,
    IOptions<CalendarOptions> options,
    TimeProvider time,
    ILogger<BookingOutbox> logger)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan[] Backoff =
    [
        TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15),
        TimeSpan.FromMinutes(30), TimeSpan.FromHours(1),
    ];

    /// <summary>Works off the bookings that are due now; returns how many it handled.</summary>
    public async Task<int> ProcessDueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var leaseUntil = now + Lease;
        var claimed = await db.InScopeAsync(s => s.UsePlatform(), () => db.Database.SqlQuery<Claim>($"""
            UPDATE calendar_bookings SET next_attempt_at = {leaseUntil}
            WHERE id IN (SELECT id FROM calendar_bookings WHERE status = 'pending' AND next_attempt_at <= {now}
                         ORDER BY next_attempt_at LIMIT 20 FOR UPDATE SKIP LOCKED)
            RETURNING id AS "Id", tenant_id AS "TenantId"
            """).ToListAsync(ct), ct);
        foreach (var claim in claimed)
        {
            try
            {
                await db.InScopeAsync(s => s.UseTenant(claim.TenantId), () => ProcessAsync(claim.Id, ct), ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // The lease runs out and the booking is tried again; one bad row must not stop the others.
                logger.LogError(ex, "Finishing calendar booking {BookingId} failed", claim.Id);
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }

        return claimed.Count;
    }

    /// <summary>
    /// Checks the slot and creates the event; an event of this booking found in the calendar (an attempt whose answer was
    /// lost) counts as created. Returns the booking's new status, created or conflict.
    /// </summary>
    public static async Task<string> CompleteAsync(ICalendarProvider provider, CalendarSession session, CalendarBooking booking, int bufferMinutes,
        Instant now, CancellationToken ct)
    {
        var start = Instant.FromDateTimeOffset(booking.StartAt);
        var end = Instant.FromDateTimeOffset(booking.EndAt);
        var buffer = Duration.FromMinutes(bufferMinutes);
        var busy = await provider.BusyAsync(session, start - buffer, end + buffer, ct);
        if (busy.Any(b => b.Start < end + buffer && start - buffer < b.End))
        {
            var ours = (await provider.EventsAsync(session, start, end, null, ct)).FirstOrDefault(e => IsOurs(e, booking.ExternalId));
            if (ours is null)
            {
                return BookingStatuses.Conflict;
            }

            booking.ProviderEventId = ours.Id;
            return BookingStatuses.Created;
        }

        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(booking.TimeZone) ?? session.Zone;
        var created = await provider.CreateAsync(session, new NewCalendarEvent(booking.ExternalId, start, end, zone, booking.Title,
            booking.Description ?? "", booking.CallerNumber, booking.CallerName, booking.CallerEmail), ct);
        booking.ProviderEventId = created.Id;
        return BookingStatuses.Created;
    }

    private static bool IsOurs(ProviderEvent e, string externalId) =>
        e.Marker == externalId || e.Id == externalId || e.Marker == GraphCalendarClient.TransactionId(externalId);

    private async Task<bool> ProcessAsync(Guid id, CancellationToken ct)
    {
        var booking = await db.CalendarBookings.SingleOrDefaultAsync(b => b.Id == id, ct);
        if (booking is null || booking.Status != BookingStatuses.Pending)
        {
            return false;
        }

        var now = time.GetUtcNow();
        booking.Attempts++;
        booking.UpdatedAt = now;
        var connection = booking.ConnectionId is { } connectionId
            ? await db.CalendarConnections.SingleOrDefaultAsync(c => c.Id == connectionId, ct)
            : null;
        if (connection is null || connection.CalendarId is null)
        {
            await FailAsync(booking, ConnectorTexts.German("Booking.Disconnected"), slotTaken: false, ct);
            return true;
        }

        if (connection.Status == ConnectionStatus.Broken)
        {
            await RetryLaterAsync(booking, ConnectorTexts.German("Booking.Broken"), ct);
            return true;
        }

        var settings = await db.CalendarSettings.AsNoTracking().SingleOrDefaultAsync(s => s.TenantId == booking.TenantId, ct)
                       ?? new CalendarSettings { TenantId = booking.TenantId };
        var zone = BusinessTime.ZoneOrDefault(settings.TimeZone);
        var session = access.Session(connection, booking.CalendarId, zone, new CalendarBudget(time, options.Value.BackgroundBudget));
        try
        {
            booking.Status = await access.RunAsync(connection,
                () => CompleteAsync(providers.For(connection.Provider), session, booking, settings.BufferMinutes, Instant.FromDateTimeOffset(now), ct), ct);
        }
        catch (Exception ex) when (ex is CalendarUnavailableException or CalendarAuthorizationException)
        {
            await RetryLaterAsync(booking, ex.Message, ct);
            return true;
        }
        catch (CalendarProviderException ex)
        {
            await FailAsync(booking, ex.Message, slotTaken: false, ct);
            return true;
        }

        if (booking.Status == BookingStatuses.Conflict)
        {
            await FailAsync(booking, ConnectorTexts.German("Booking.Taken"), slotTaken: true, ct);
            return true;
        }

        booking.CompletedAt = now;
        booking.NextAttemptAt = null;
        booking.LastError = null;
        db.Record(time, Actor.System, ConnectorAudit.BookingCompleted, booking.TenantId, $"{booking.Id} {booking.StartAt:O} → {booking.ProviderEventId}");
        if (booking.Deferred && await TenantEmailAsync(booking.TenantId, ct) is { } to)
        {
            mails.BookingConfirmed(to, booking);
        }

        await db.SaveChangesAsync(ct);

        return true;
    }

    private async Task RetryLaterAsync(CalendarBooking booking, string error, CancellationToken ct)
    {
        booking.LastError = Truncate(error);
        var now = time.GetUtcNow();
        if (now - booking.CreatedAt > options.Value.GiveUpAfter || booking.StartAt <= now)
        {
            await FailAsync(booking, error, slotTaken: false, ct);
            return;
        }

        booking.NextAttemptAt = now + Backoff[Math.Min(booking.Attempts, Backoff.Length) - 1];
        await db.SaveChangesAsync(ct);
    }

    private async Task FailAsync(CalendarBooking booking, string error, bool slotTaken, CancellationToken ct)
    {
        booking.Status = slotTaken ? BookingStatuses.Conflict : BookingStatuses.Failed;
        booking.LastError = Truncate(error);
        booking.NextAttemptAt = null;
        booking.CompletedAt = time.GetUtcNow();
        db.Record(time, Actor.System, ConnectorAudit.BookingFailed, booking.TenantId, $"{booking.Id} {booking.StartAt:O}: {booking.LastError}");
        if (await TenantEmailAsync(booking.TenantId, ct) is { } to)
        {
            mails.BookingFailed(to, booking, slotTaken);
        }

        await db.SaveChangesAsync(ct);
    }

    private Task<string?> TenantEmailAsync(Guid tenantId, CancellationToken ct) =>
        db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Email).SingleOrDefaultAsync(ct);

    private static string Truncate(string value) => value.Length <= 500 ? value : value[..500];

    private sealed record Claim(Guid Id, Guid TenantId);
}
