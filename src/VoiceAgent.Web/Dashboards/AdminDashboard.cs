using Hangfire;
using Microsoft.EntityFrameworkCore;
using VoiceAgent.Billing;
using VoiceAgent.Platform.Tenancy;

namespace VoiceAgent.Web.Dashboards;

/// <summary>The super-admin's overview; every figure covers all tenants. Seconds stay seconds (the UI formats minutes).</summary>
/// <param name="Today">The business day (Europe/Berlin) the figures refer to.</param>
/// <param name="TenantsByStatus">Status (API spelling: pending, approved, rejected, suspended) → count; every status present.</param>
/// <param name="FailedJobs">Hangfire jobs in the failed state; null when the job storage cannot be read.</param>
public sealed record AdminDashboard(
    DateOnly Today,
    IReadOnlyDictionary<string, int> TenantsByStatus,
    int PendingTenants,
    CallCounts Calls,
    UsageSeconds MinutesThisMonth,
    UsageSeconds MinutesLastMonth,
    long NetRevenueMonthToDateCents,
    long NetRevenueLastMonthCents,
    InvoiceTotal OpenInvoices,
    InvoiceTotal OverdueInvoices,
    long? FailedJobs,
    IReadOnlyList<DailyCalls> CallsPerDay,
    IReadOnlyList<DailyMinutes> MinutesPerDay,
    IReadOnlyList<TenantUsageRank> TopTenants);

/// <summary>Calls started today, in the last 7 and the last 30 business days (today included).</summary>
public sealed record CallCounts(int Today, int Last7Days, int Last30Days);

/// <summary>Metered seconds (as stored, before any minute rounding) per usage kind.</summary>
public sealed record UsageSeconds(long BotSeconds, long ForwardSeconds)
{
    public long TotalSeconds => BotSeconds + ForwardSeconds;
}

/// <summary>Number of invoices and their gross sum in cents.</summary>
public sealed record InvoiceTotal(int Count, long GrossCents);

public sealed record TenantUsageRank(Guid TenantId, string CompanyName, long BotSeconds, long ForwardSeconds)
{
    public long TotalSeconds => BotSeconds + ForwardSeconds;
}

/// <summary>
/// Loads <see cref="AdminDashboard"/> in the caller's transaction, which must be in platform scope. Aggregates in
/// PostgreSQL (GROUP BY, FILTER); usage per tenant and month comes from billing's own <see cref="UsageAggregator"/>
/// (the usage_totals function), so the dashboard and the invoices count the same seconds.
/// <para>Rules:</para>
/// <list type="bullet">
/// <item>Calls and minutes are bucketed by the business day (Europe/Berlin) of their start; see <see cref="DashboardClock"/>.</item>
/// <item>Minutes "this month" = the business month so far; "last month" = the whole previous business month.</item>
/// <item>Net revenue = the net of finalized invoices (status finalized, so a cancelled original no longer counts) of the
///   kinds monthly and package, by invoice date; cancellation invoices (Storno) are left out because their original is
///   already out. Month to date = invoice date from the 1st up to today; last month = the whole previous month.</item>
/// <item>Open invoices: the model has no payment state. Open = finalized, not a cancellation, gross &gt; 0, not a
///   package bought through Stripe (paid at checkout), and Lexoffice's voucher status (when we saw one) not
///   paid/paidoff/voided. Overdue = open and the due date before today.</item>
/// <item>Top tenants = the 10 tenants with the most bot + forward seconds this month (ties: company name).</item>
/// </list>
/// </summary>
public sealed class AdminDashboardQuery(VoiceAgentDb db, TimeProvider time, JobStorage jobs, ILogger<AdminDashboardQuery> logger)
{
    public const int TopTenantCount = 10;

    public async Task<AdminDashboard> LoadAsync(CancellationToken ct)
    {
        if (!db.Scope.IsPlatform)
        {
            throw new InvalidOperationException("The admin dashboard needs platform scope.");
        }

        var clock = DashboardClock.At(time);
        var tenants = await TenantsByStatusAsync(ct);
        var (callsPerDay, minutesPerDay) = await DashboardSql.DaysAsync(db, clock, null, ct);

        var thisMonth = await UsageAggregator.ForAllTenantsAsync(db, clock.Month, ct);
        var lastMonth = await UsageAggregator.ForAllTenantsAsync(db, clock.Month.Previous, ct);
        var top = await TopTenantsAsync(thisMonth, ct);

        var (revenueMonth, revenueLast) = await RevenueAsync(clock, ct);
        var (open, overdue) = await OpenInvoicesAsync(clock, ct);

        return new AdminDashboard(
            clock.Today.ToDateOnly(),
            tenants,
            tenants[TenantStatus.Pending.ToApi()],
            new CallCounts(callsPerDay[^1].Calls, callsPerDay.TakeLast(7).Sum(d => d.Calls), callsPerDay.Sum(d => d.Calls)),
            Sum(thisMonth.Values),
            Sum(lastMonth.Values),
            revenueMonth,
            revenueLast,
            open,
            overdue,
            FailedJobs(),
            callsPerDay,
            minutesPerDay,
            top);
    }

    private async Task<Dictionary<string, int>> TenantsByStatusAsync(CancellationToken ct)
    {
        var rows = await db.Database.SqlQuery<StatusCount>($"""SELECT status AS "Status", count(*)::int AS "Count" FROM tenants GROUP BY status""")
            .ToDictionaryAsync(r => r.Status, r => r.Count, ct);
        return Enum.GetValues<TenantStatus>().ToDictionary(s => s.ToApi(), s => rows.GetValueOrDefault(s.ToApi()));
    }

    private static UsageSeconds Sum(IEnumerable<UsageAggregator.TenantUsage> usage)
    {
        long bot = 0, forward = 0;
        foreach (var u in usage)
        {
            bot += u.Bot.RawSeconds;
            forward += u.Forward.RawSeconds;
        }

        return new UsageSeconds(bot, forward);
    }

    private async Task<List<TenantUsageRank>> TopTenantsAsync(Dictionary<Guid, UsageAggregator.TenantUsage> usage, CancellationToken ct)
    {
        // Ranked on the tenants' sums already read; ties are broken by name once the names of the candidates are known.
        var ranked = usage.Select(u => (Id: u.Key, Total: u.Value.Bot.RawSeconds + u.Value.Forward.RawSeconds))
            .Where(u => u.Total > 0)
            .OrderByDescending(u => u.Total)
            .ToList();
        if (ranked.Count == 0)
        {
            return [];
        }

        var cutoff = ranked[Math.Min(TopTenantCount, ranked.Count) - 1].Total;
        var candidates = ranked.Where(r => r.Total >= cutoff).Select(r => r.Id).ToList();
        var names = await db.Tenants.AsNoTracking().Where(t => candidates.Contains(t.Id))
            .Select(t => new { t.Id, t.CompanyName }).ToDictionaryAsync(t => t.Id, t => t.CompanyName, ct);
        return candidates
            .Select(id => new TenantUsageRank(id, names.GetValueOrDefault(id, ""), usage[id].Bot.RawSeconds, usage[id].Forward.RawSeconds))
            .OrderByDescending(r => r.TotalSeconds).ThenBy(r => r.CompanyName, StringComparer.CurrentCulture).ThenBy(r => r.TenantId)
            .Take(TopTenantCount)
            .ToList();
    }

    private async Task<(long MonthToDate, long LastMonth)> RevenueAsync(DashboardClock clock, CancellationToken ct)
    {
        var first = clock.Month.ToColumn();
        var previous = clock.Month.Previous.ToColumn();
        var today = clock.Today.ToDateOnly();
        var row = await db.Database.SqlQuery<Revenue>($"""
                SELECT coalesce(sum(net_cents) FILTER (WHERE invoice_date >= {first}), 0)::bigint AS "MonthToDate",
                       coalesce(sum(net_cents) FILTER (WHERE invoice_date < {first}), 0)::bigint AS "LastMonth"
                  FROM invoices
                 WHERE status = {InvoiceStatuses.Finalized} AND kind <> {InvoiceKinds.Cancellation}
                   AND invoice_date >= {previous} AND invoice_date <= {today}
                """)
            .SingleAsync(ct);
        return (row.MonthToDate, row.LastMonth);
    }

    private async Task<(InvoiceTotal Open, InvoiceTotal Overdue)> OpenInvoicesAsync(DashboardClock clock, CancellationToken ct)
    {
        var today = clock.Today.ToDateOnly();
        var row = await db.Database.SqlQuery<OpenRow>($"""
                SELECT count(*)::int AS "OpenCount", coalesce(sum(i.gross_cents), 0)::bigint AS "OpenCents",
                       (count(*) FILTER (WHERE i.due_date < {today}))::int AS "OverdueCount",
                       coalesce(sum(i.gross_cents) FILTER (WHERE i.due_date < {today}), 0)::bigint AS "OverdueCents"
                  FROM invoices i
                 WHERE i.status = {InvoiceStatuses.Finalized} AND i.kind <> {InvoiceKinds.Cancellation} AND i.gross_cents > 0
                   AND NOT (i.kind = {InvoiceKinds.Package}
                            AND EXISTS (SELECT 1 FROM package_purchases p WHERE p.id = i.purchase_id AND p.source = {PurchaseSources.Stripe}))
                   AND NOT EXISTS (SELECT 1 FROM lexoffice_transmissions l
                                    WHERE l.invoice_id = i.id AND l.voucher_status IN ('paid', 'paidoff', 'voided'))
                """)
            .SingleAsync(ct);
        return (new InvoiceTotal(row.OpenCount, row.OpenCents), new InvoiceTotal(row.OverdueCount, row.OverdueCents));
    }

    private long? FailedJobs()
    {
        try
        {
            return jobs.GetMonitoringApi().FailedCount();
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            logger.LogWarning("Hangfire monitoring not available: {Error}", ex.Message);
            return null;
        }
    }

    private sealed record StatusCount(string Status, int Count);

    private sealed record Revenue(long MonthToDate, long LastMonth);

    private sealed record OpenRow(int OpenCount, long OpenCents, int OverdueCount, long OverdueCents);
}

/// <summary>The provider tiles of the admin dashboard: the same check as /api/health (<see cref="Api.HealthApi.CheckAsync"/>).</summary>
public sealed class ProviderHealthTiles(Npgsql.NpgsqlDataSource dataSource, Api.ProviderHealthMonitor providers, Platform.Jobs.JobsHealth jobs,
    Platform.Cluster.IRedisHealth redis)
{
    /// <summary>Database, scheduler, redis and each provider's state (operational, configured, degraded, down, not_configured).</summary>
    public Task<Api.HealthApi.HealthReport> CheckAsync(CancellationToken ct) =>
        Api.HealthApi.CheckAsync(new Api.HealthApiServices(dataSource, providers, jobs, redis), ct);
}
