using Microsoft.EntityFrameworkCore;
using NodaTime;
using VoiceAgent.Platform.Data;

namespace VoiceAgent.Billing;

/// <summary>
/// A period's usage per tenant and kind, summed by PostgreSQL (GROUP BY in <c>usage_totals</c>), so the monthly run reads a
/// few rows per tenant whatever the number of calls. Runs in the caller's transaction and scope: the platform for all
/// tenants, a tenant for its own usage.
/// </summary>
public static class UsageAggregator
{
    public sealed record TenantUsage(UsageTotals Bot, UsageTotals Forward)
    {
        public static readonly TenantUsage None = new(UsageTotals.None, UsageTotals.None);
    }

    public static async Task<Dictionary<Guid, TenantUsage>> ForAllTenantsAsync(VoiceAgentDb db, BillingPeriod period, CancellationToken ct = default)
    {
        var (from, until) = (period.Start, period.End);
        var rows = await db.Database.SqlQuery<Row>(
                $"SELECT tenant_id AS \"TenantId\", kind AS \"Kind\", records AS \"Records\", raw_seconds AS \"RawSeconds\", minute_rounded_seconds AS \"MinuteRoundedSeconds\" FROM usage_totals({from.ToDateTimeOffset()}, {until.ToDateTimeOffset()}, NULL)")
            .ToListAsync(ct);
        return Group(rows);
    }

    /// <summary>
    /// One tenant's usage in the period; with <paramref name="asOf"/> only what started before it (the month so far).
    /// </summary>
    public static async Task<TenantUsage> ForTenantAsync(VoiceAgentDb db, Guid tenantId, BillingPeriod period, Instant? asOf = null,
        CancellationToken ct = default)
    {
        var from = period.Start;
        var until = asOf is { } cut && cut < period.End ? cut : period.End;
        var rows = await db.Database.SqlQuery<Row>(
                $"SELECT tenant_id AS \"TenantId\", kind AS \"Kind\", records AS \"Records\", raw_seconds AS \"RawSeconds\", minute_rounded_seconds AS \"MinuteRoundedSeconds\" FROM usage_totals({from.ToDateTimeOffset()}, {until.ToDateTimeOffset()}, {tenantId})")
            .ToListAsync(ct);
        return Group(rows).GetValueOrDefault(tenantId, TenantUsage.None);
    }

    private static Dictionary<Guid, TenantUsage> Group(List<Row> rows) =>
        rows.GroupBy(r => r.TenantId).ToDictionary(g => g.Key, g => new TenantUsage(
            Totals(g.FirstOrDefault(r => r.Kind == UsageKinds.Bot)),
            Totals(g.FirstOrDefault(r => r.Kind == UsageKinds.Forward))));

    private static UsageTotals Totals(Row? row) =>
        row is null ? UsageTotals.None : new UsageTotals(checked((int)row.Records), row.RawSeconds, row.MinuteRoundedSeconds);

    private sealed record Row(Guid TenantId, string Kind, long Records, long RawSeconds, long MinuteRoundedSeconds);
}
