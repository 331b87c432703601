using Microsoft.EntityFrameworkCore;
using NodaTime;
using VoiceAgent.Billing;
using VoiceAgent.Platform;

namespace VoiceAgent.Web.Dashboards;

/// <summary>Calls started on one business day (Europe/Berlin).</summary>
public sealed record DailyCalls(DateOnly Day, int Calls);

/// <summary>Metered seconds of calls started on one business day, per usage kind (stacked bot/forward chart).</summary>
public sealed record DailyMinutes(DateOnly Day, long BotSeconds, long ForwardSeconds);

/// <summary>
/// The business days and months both dashboards bucket by: civil days of <see cref="BusinessTime.Zone"/> at the injected
/// clock's "now". A chart covers <see cref="ChartDays"/> days ending today (today included, so "last 7 days" = today and
/// the 6 days before). Day boundaries are the zone's midnights, so a DST day has 23 or 25 hours.
/// </summary>
public sealed record DashboardClock(Instant Now, LocalDate Today, BillingPeriod Month)
{
    public const int ChartDays = 30;

    public static DashboardClock At(TimeProvider time)
    {
        var now = Instant.FromDateTimeOffset(time.GetUtcNow());
        var today = now.InZone(BusinessTime.Zone).Date;
        return new DashboardClock(now, today, BillingPeriod.Of(today));
    }

    public LocalDate FirstChartDay => Today.PlusDays(1 - ChartDays);

    /// <summary>Start of the first chart day (inclusive).</summary>
    public DateTimeOffset ChartFrom => StartOf(FirstChartDay);

    /// <summary>Start of tomorrow (exclusive end of the chart and of "today").</summary>
    public DateTimeOffset ChartUntil => StartOf(Today.PlusDays(1));

    public static DateTimeOffset StartOf(LocalDate day) => day.AtStartOfDayInZone(BusinessTime.Zone).ToInstant().ToDateTimeOffset();

    /// <summary>Every chart day in order, so a day without calls is a zero and not a gap.</summary>
    public IEnumerable<DateOnly> ChartDayList() =>
        Enumerable.Range(0, ChartDays).Select(i => FirstChartDay.PlusDays(i).ToDateOnly());
}

/// <summary>The SQL both dashboards share: GROUP BY in PostgreSQL, a few dozen rows back whatever the number of calls.</summary>
internal static class DashboardSql
{
    /// <summary>
    /// Calls per business day over the chart window. <paramref name="tenantId"/> null = every tenant the scope may see
    /// (platform); set = that tenant, which lets PostgreSQL use ix_calls_tenant_started (row-level security still applies).
    /// </summary>
    public static async Task<List<DailyCalls>> CallsPerDayAsync(VoiceAgentDb db, DashboardClock clock, Guid? tenantId, CancellationToken ct)
    {
        var rows = await db.Database.SqlQuery<DayCount>($"""
                SELECT (started_at AT TIME ZONE {BusinessTime.ZoneId})::date AS "Day", count(*)::int AS "Count"
                  FROM calls
                 WHERE started_at >= {clock.ChartFrom} AND started_at < {clock.ChartUntil}
                   AND ({tenantId}::uuid IS NULL OR tenant_id = {tenantId}::uuid)
                 GROUP BY 1
                """)
            .ToDictionaryAsync(r => r.Day, r => r.Count, ct);
        return clock.ChartDayList().Select(d => new DailyCalls(d, rows.GetValueOrDefault(d))).ToList();
    }

    /// <summary>Bot and forward seconds per business day of the usage record's start, over the chart window.</summary>
    public static async Task<List<DailyMinutes>> MinutesPerDayAsync(VoiceAgentDb db, DashboardClock clock, Guid? tenantId, CancellationToken ct)
    {
        var rows = await db.Database.SqlQuery<DayKindSeconds>($"""
                SELECT (started_at AT TIME ZONE {BusinessTime.ZoneId})::date AS "Day", kind AS "Kind", sum(seconds)::bigint AS "Seconds"
                  FROM usage_records
                 WHERE started_at >= {clock.ChartFrom} AND started_at < {clock.ChartUntil}
                   AND ({tenantId}::uuid IS NULL OR tenant_id = {tenantId}::uuid)
                 GROUP BY 1, 2
                """)
            .ToListAsync(ct);
        var byDay = rows.ToLookup(r => r.Day);
        return clock.ChartDayList().Select(d => new DailyMinutes(d,
            byDay[d].Where(r => r.Kind == UsageKinds.Bot).Sum(r => r.Seconds),
            byDay[d].Where(r => r.Kind == UsageKinds.Forward).Sum(r => r.Seconds))).ToList();
    }

    private sealed record DayCount(DateOnly Day, int Count);

    private sealed record DayKindSeconds(DateOnly Day, string Kind, long Seconds);
}
