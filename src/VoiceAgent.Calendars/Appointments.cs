using Microsoft.EntityFrameworkCore;
using NodaTime;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Platform;
using VoiceAgent.Platform.Numbers;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Calendars;

/// <summary>An appointment as the portal shows it; <see cref="Pending"/>: still being written to the connected calendar.</summary>
public sealed record Appointment(string Id, DateTimeOffset Start, DateTimeOffset End, string Title, string? CallerName, string? CallerNumber,
    bool Pending);

/// <summary>The appointments of a window, in the tenant's zone, and which calendar they come from (null = the sandbox calendar).</summary>
public sealed record AppointmentWindow(DateTimeZone Zone, string? Provider, IReadOnlyList<Appointment> Appointments);

/// <summary>What the business enters by hand: a wall-clock date and time in the tenant's zone.</summary>
public sealed record AppointmentInput(DateTime? Date, TimeSpan? Time, int DurationMinutes, string? Title, string? CallerName, string? CallerNumber);

/// <summary>What the portal needs beyond the flow's port: every event of a window, and cancelling any of them.</summary>
internal interface IAppointmentBook
{
    bool Sandbox { get; }

    Task<IReadOnlyList<Appointment>> BetweenAsync(Instant from, Instant to, CancellationToken ct);

    Task<bool> CancelAsync(string eventId, CancellationToken ct);
}

/// <summary>
/// Appointments made by hand in the portal. Booking goes through the same port as the CreateEvent activity
/// (<see cref="ICalendarGateway.CreateEventAsync"/>), so idempotency, the slot guard and the background completion are the flow's;
/// the wall-clock time follows <see cref="SlotFinder"/>'s DST rule: a time the spring change skips is refused, an autumn-ambiguous
/// one is the first occurrence.
/// </summary>
public sealed class AppointmentService(VoiceAgentDb db, CalendarGateways gateways, TimeProvider time)
{
    public const int MaxDuration = 480;

    public async Task<AppointmentWindow> ListAsync(Guid tenantId, DateOnly from, DateOnly toExclusive, CancellationToken ct)
    {
        var zone = await ZoneAsync(tenantId, ct);
        var gateway = await gateways.ForPortalAsync(tenantId, ct);
        var book = (IAppointmentBook)gateway;
        var start = zone.AtStartOfDay(LocalDate.FromDateOnly(from)).ToInstant();
        var end = zone.AtStartOfDay(LocalDate.FromDateOnly(toExclusive)).ToInstant();
        var items = await book.BetweenAsync(start, end, ct);
        var provider = book.Sandbox ? null : await db.CalendarConnections.AsNoTracking()
            .Where(c => c.TenantId == tenantId && c.Active).Select(c => c.Provider).SingleOrDefaultAsync(ct);
        return new AppointmentWindow(zone, provider, items);
    }

    /// <summary>The confirmed appointments still to come, earliest first (what the old calendar page listed).</summary>
    public async Task<IReadOnlyList<Appointment>> UpcomingAsync(Guid tenantId, int days, CancellationToken ct)
    {
        var zone = await ZoneAsync(tenantId, ct);
        var book = (IAppointmentBook)await gateways.ForPortalAsync(tenantId, ct);
        var now = Instant.FromDateTimeOffset(time.GetUtcNow());
        var items = await book.BetweenAsync(now, now + Duration.FromDays(days), ct);
        return items.Where(a => a.End > time.GetUtcNow()).Take(200).ToList();
    }

    /// <param name="key">Chosen by the form when it opens: sending it twice books once.</param>
    public async Task<Outcome<Appointment>> CreateAsync(Guid tenantId, AppointmentInput input, string key, CancellationToken ct)
    {
        var zone = await ZoneAsync(tenantId, ct);
        var checkedInput = Check(input, zone, await RegionAsync(tenantId, ct));
        if (checkedInput.Errors is { } errors)
        {
            return Outcome<Appointment>.Invalid(errors);
        }

        var gateway = await gateways.ForPortalAsync(tenantId, ct);
        return await BookAsync(gateway, checkedInput, key, ct);
    }

    /// <summary>
    /// A new booking at the new time, then the old one is cancelled. In the sandbox calendar both happen in one savepoint, so
    /// the appointment may move into its own old time and a conflict leaves it where it was; in a connected calendar see
    /// <see cref="MoveInConnectedCalendarAsync"/>.
    /// </summary>
    public async Task<Outcome<Appointment>> MoveAsync(Guid tenantId, string eventId, AppointmentInput input, string key, CancellationToken ct)
    {
        var zone = await ZoneAsync(tenantId, ct);
        var checkedInput = Check(input, zone, await RegionAsync(tenantId, ct));
        if (checkedInput.Errors is { } errors)
        {
            return Outcome<Appointment>.Invalid(errors);
        }

        var gateway = await gateways.ForPortalAsync(tenantId, ct);
        var book = (IAppointmentBook)gateway;
        if (!book.Sandbox)
        {
            return await MoveInConnectedCalendarAsync(book, () => BookAsync(gateway, checkedInput, key, ct), eventId, ct);
        }

        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        var transaction = db.Database.CurrentTransaction!;
        await transaction.CreateSavepointAsync("move", ct);
        if (!await book.CancelAsync(eventId, ct))
        {
            return Outcome<Appointment>.NotFound();
        }

        var outcome = await BookAsync(gateway, checkedInput, key, ct);
        if (outcome.Kind != OutcomeKind.Ok)
        {
            db.ChangeTracker.Clear();
            await transaction.RollbackToSavepointAsync("move", ct);
        }

        if (own is not null)
        {
            await own.CommitAsync(ct);
            await own.DisposeAsync();
        }

        return outcome;
    }

    /// <summary>
    /// A connected calendar has no transaction across two calls: the new time is booked first (a conflict leaves everything
    /// as it was), then the old event is cancelled. Should that fail, the new booking is taken back before the error
    /// surfaces, so the caller is never left with two appointments; an old event already gone counts as cancelled.
    /// </summary>
    internal static async Task<Outcome<Appointment>> MoveInConnectedCalendarAsync(IAppointmentBook book, Func<Task<Outcome<Appointment>>> bookNew,
        string oldEventId, CancellationToken ct)
    {
        var moved = await bookNew();
        if (moved is not { Kind: OutcomeKind.Ok, Value: { } created })
        {
            return moved;
        }

        try
        {
            await book.CancelAsync(oldEventId, ct);
            return moved;
        }
        catch
        {
            // Not the request's token: the compensation must run even when the request was given up.
            await book.CancelAsync(created.Id, CancellationToken.None);
            throw;
        }
    }

    public async Task<bool> CancelAsync(Guid tenantId, string eventId, CancellationToken ct)
    {
        var book = (IAppointmentBook)await gateways.ForPortalAsync(tenantId, ct);
        return await book.CancelAsync(eventId, ct);
    }

    private static async Task<Outcome<Appointment>> BookAsync(ICalendarGateway gateway, Checked input, string key, CancellationToken ct)
    {
        var result = await gateway.CreateEventAsync(new BookingRequest(input.Start, input.End, input.Title, CalendarTexts.Get("Appointment.Description"),
            input.CallerNumber, input.CallerName, "manual:" + key), ct);
        if (result.Status == BookingStatus.Conflict || result.Event is null)
        {
            return Outcome<Appointment>.Conflict(CalendarTexts.Get("Appointment.Conflict"));
        }

        var e = result.Event;
        var appointment = new Appointment(e.Id, e.Start, e.End, e.Title, input.CallerName, input.CallerNumber, result.Status == BookingStatus.Pending);
        return new Outcome<Appointment>(OutcomeKind.Ok, appointment, Message: input.Ambiguous ? CalendarTexts.Get("Appointment.Ambiguous") : null);
    }

    private sealed record Checked(DateTimeOffset Start, DateTimeOffset End, string Title, string? CallerName, string? CallerNumber, bool Ambiguous,
        IReadOnlyDictionary<string, string[]>? Errors = null);

    private Checked Check(AppointmentInput input, DateTimeZone zone, NumberRegion region)
    {
        var errors = new Dictionary<string, string[]>();
        var title = input.Title?.Trim() ?? "";
        if (title.Length == 0)
        {
            errors["title"] = [CalendarTexts.Get("Appointment.TitleRequired")];
        }
        else if (title.Length > 300)
        {
            errors["title"] = [CalendarTexts.Get("Appointment.TitleTooLong")];
        }

        if (input.DurationMinutes is < 5 or > MaxDuration)
        {
            errors["duration"] = [CalendarTexts.Get("Appointment.DurationInvalid")];
        }

        string? number = null;
        if (!string.IsNullOrWhiteSpace(input.CallerNumber))
        {
            var normalized = PhoneNumbers.Normalize(input.CallerNumber, region);
            if (normalized.IsValid)
            {
                number = normalized.E164;
            }
            else
            {
                errors["callerNumber"] = [CalendarTexts.Get("Appointment.NumberInvalid")];
            }
        }

        var name = string.IsNullOrWhiteSpace(input.CallerName) ? null : input.CallerName.Trim();
        if (name is { Length: > 200 })
        {
            errors["callerName"] = [CalendarTexts.Get("Appointment.NameTooLong")];
        }

        var ambiguous = false;
        var start = default(DateTimeOffset);
        if (input.Date is not { } date || input.Time is not { } clock)
        {
            errors["start"] = [CalendarTexts.Get("Appointment.StartRequired")];
        }
        else
        {
            var local = LocalDate.FromDateTime(date.Date) + LocalTime.FromTicksSinceMidnight(clock.Ticks % TimeSpan.TicksPerDay);
            var mapping = zone.MapLocal(local);
            if (mapping.Count == 0)
            {
                errors["start"] = [CalendarTexts.Get("Appointment.TimeSkipped")];
            }
            else
            {
                // As the flow's slots: an autumn-ambiguous wall-clock time is its first occurrence (summer time).
                ambiguous = mapping.Count > 1;
                start = mapping.First().ToDateTimeOffset();
                if (start <= time.GetUtcNow())
                {
                    errors["start"] = [CalendarTexts.Get("Appointment.InPast")];
                }
            }
        }

        if (errors.Count > 0)
        {
            return new Checked(default, default, title, name, number, false, errors);
        }

        var end = Instant.FromDateTimeOffset(start) + Duration.FromMinutes(input.DurationMinutes);
        return new Checked(start, end.InZone(zone).ToDateTimeOffset(), title, name, number, ambiguous);
    }

    // National numbers ("0170 …") are read in the tenant's country.
    private async Task<NumberRegion> RegionAsync(Guid tenantId, CancellationToken ct) =>
        PhoneNumbers.TryParseRegion(await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => t.Country).SingleOrDefaultAsync(ct), out var region)
            ? region
            : NumberRegion.DE;

    private async Task<DateTimeZone> ZoneAsync(Guid tenantId, CancellationToken ct) =>
        BusinessTime.ZoneOrDefault(await db.CalendarSettings.AsNoTracking().Where(s => s.TenantId == tenantId).Select(s => s.TimeZone)
            .SingleOrDefaultAsync(ct));
}
