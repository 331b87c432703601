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
    /// Calls and metered seconds per business day over the chart window, through the function dashboard_days
    /// (0011_dashboard_indexes.sql): it checks the scope once (platform, or the scope's own tenant) and buckets each row
    /// between the day starts computed here in the business zone. <paramref name="tenantId"/> null = all tenants
    /// (platform scope only); set = that tenant (its own scope only).
    /// </summary>
    public static async Task<(List<DailyCalls> Calls, List<DailyMinutes> Minutes)> DaysAsync(VoiceAgentDb db, DashboardClock clock, Guid? tenantId,
        CancellationToken ct)
    {
        var days = clock.ChartDayList().ToList();
        var bounds = Enumerable.Range(0, days.Count + 1)
            .Select(i => DashboardClock.StartOf(clock.FirstChartDay.PlusDays(i)))
            .ToArray();
        var rows = await db.Database.SqlQuery<DayRow>($"""
                SELECT day_number AS "DayNumber", call_count AS "Calls", bot_seconds AS "BotSeconds", forward_seconds AS "ForwardSeconds"
                  FROM dashboard_days({bounds}, {tenantId})
                """)
            .ToDictionaryAsync(r => r.DayNumber, ct);
        var calls = days.Select((d, i) => new DailyCalls(d, checked((int)(rows.GetValueOrDefault(i + 1)?.Calls ?? 0)))).ToList();
        var minutes = days.Select((d, i) => rows.GetValueOrDefault(i + 1) is { } r
            ? new DailyMinutes(d, r.BotSeconds, r.ForwardSeconds)
            : new DailyMinutes(d, 0, 0)).ToList();
        return (calls, minutes);
    }

    private sealed record DayRow(int DayNumber, long Calls, long BotSeconds, long ForwardSeconds);
}
