using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Platform.Calendars;

/// <summary>Chooses a tenant's calendar port: the active connection's calendar, or null for the sandbox calendar.</summary>
public sealed class CalendarGateways(VoiceAgentDb db, ConnectionAccess access, CalendarProviderRegistry providers, IOptions<CalendarOptions> options,
    TimeProvider time, BookingOutboxSignal outbox)
{
    public async Task<ICalendarGateway?> ForTenantAsync(Guid tenantId, CancellationToken ct)
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
