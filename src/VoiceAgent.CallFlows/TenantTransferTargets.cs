using VoiceAgent.Platform;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using VoiceAgent.Activities.Ports;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.CallFlows;

/// <summary>The tenant's allow-list of transfer numbers; a handoff target counts as reachable during business hours.</summary>
public sealed class TenantTransferTargets(VoiceAgentDb db, Guid tenantId, TimeProvider time) : ITransferTargets
{
    public async ValueTask<bool> IsAllowedAsync(string target, CancellationToken cancellationToken)
    {
        var settings = await db.CallSettings.AsNoTracking().SingleOrDefaultAsync(s => s.TenantId == tenantId, cancellationToken);
        var wanted = Compact(target);
        return settings is not null && (settings.TransferTargets.Any(t => Compact(t) == wanted) || Compact(settings.HandoffTarget ?? "") == wanted);
    }

    public async ValueTask<string?> ReachableHandoffTargetAsync(CancellationToken cancellationToken)
    {
        var settings = await db.CallSettings.AsNoTracking().SingleOrDefaultAsync(s => s.TenantId == tenantId, cancellationToken);
        if (string.IsNullOrEmpty(settings?.HandoffTarget))
        {
            return null;
        }

        var calendar = await db.CalendarSettings.AsNoTracking().SingleOrDefaultAsync(s => s.TenantId == tenantId, cancellationToken);
        var zone = BusinessTime.ZoneOrDefault(calendar?.TimeZone);
        var hours = calendar is null ? BusinessHours.Default : BusinessHours.Parse(calendar.BusinessHours);
        var now = Instant.FromDateTimeOffset(time.GetUtcNow()).InZone(zone).LocalDateTime;
        return hours.IsOpen(now) ? settings.HandoffTarget : null;
    }

    private static string Compact(string number) => new(number.Where(c => char.IsDigit(c) || c == '+').ToArray());
}
