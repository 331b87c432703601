using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Ports;
using VoiceAgent.Platform.Resources;

namespace VoiceAgent.Calendars;

/// <summary>Chooses a tenant's calendar port: the active connection's calendar, else the sandbox calendar ("Testkalender"),
/// whose bookings by callers stay pending until the tenant confirmed it (<see cref="TenantCalendarChoice"/>).</summary>
public sealed class CalendarGateways(VoiceAgentDb db, ConnectionAccess access, CalendarProviderRegistry providers, IOptions<CalendarOptions> options,
    TimeProvider time, BookingOutboxSignal outbox, BookingTelemetry telemetry) : ITenantCalendars
{
    /// <summary>The value the designer stores for the sandbox calendar.</summary>
    public const string SandboxCalendar = "sandbox";

    /// <summary>The callers' calendar (calls, the simulator), its bookings counted by <see cref="BookingTelemetry"/>.</summary>
    public async Task<ICalendarGateway> ForTenantAsync(Guid tenantId, CancellationToken ct) =>
        await ConnectedAsync(tenantId, ct) is { } connected
            ? telemetry.Metered(connected, connected.Provider)
            : telemetry.Metered(new SandboxCalendarGateway(db, tenantId, time, forCallers: true), SandboxCalendar);

    /// <summary>The same calendar for the business's own work in the portal: its bookings by hand are booked, sandbox or not.</summary>
    internal async Task<ICalendarGateway> ForPortalAsync(Guid tenantId, CancellationToken ct) =>
        (ICalendarGateway?)await ConnectedAsync(tenantId, ct) ?? new SandboxCalendarGateway(db, tenantId, time);

    public async Task<IReadOnlyList<Choice>> ChoicesAsync(Guid tenantId, CancellationToken ct)
    {
        var calendars = await db.CalendarConnections.AsNoTracking().Where(c => c.TenantId == tenantId && c.CalendarId != null)
            .OrderByDescending(c => c.Active).ThenBy(c => c.Provider).ToListAsync(ct);
        return calendars.Count == 0
            ? [new Choice(SandboxCalendar, Texts.Get("Calendar.Sandbox"))]
            : calendars.Select(c => new Choice($"{c.Provider}:{c.CalendarId}", ConnectorTexts.Format(
                c.Active ? "Designer.CalendarActive" : "Designer.Calendar", ConnectorTexts.Get("Provider." + c.Provider), c.CalendarName))).ToList();
    }

    /// <summary>The active connection's calendar, or null when the tenant books into the sandbox calendar.</summary>
    public async Task<ConnectedCalendarGateway?> ConnectedAsync(Guid tenantId, CancellationToken ct)
    {
        // Tracked: token refreshes and health are saved with the turn's unit of work.
        var connection = await db.CalendarConnections.SingleOrDefaultAsync(c => c.TenantId == tenantId && c.Active, ct);
        if (connection is null)
        {
            return null;
        }

        var settings = await db.CalendarSettings.AsNoTracking().SingleOrDefaultAsync(s => s.TenantId == tenantId, ct)
                       ?? new CalendarSettings { TenantId = tenantId };
        return new ConnectedCalendarGateway(db, connection, providers.For(connection.Provider), access, settings, options.Value.InCallBudget, time,
            outbox);
    }
}
