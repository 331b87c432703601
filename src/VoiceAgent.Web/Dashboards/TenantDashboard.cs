using Microsoft.EntityFrameworkCore;
using NodaTime;
using VoiceAgent.Billing;

namespace VoiceAgent.Web.Dashboards;

/// <summary>A tenant's overview of the business month so far. Seconds stay seconds (the UI formats minutes).</summary>
/// <param name="Today">The business day (Europe/Berlin) the figures refer to.</param>
/// <param name="CallsThisMonth">Calls started this business month (the denominator of the rates below).</param>
/// <param name="PackageSecondsRemaining">Package seconds left once this month's usage so far is charged against them.</param>
/// <param name="ForecastSeconds">Bot + forward seconds expected by the end of the month (linear, see <see cref="TenantDashboardQuery"/>).</param>
public sealed record TenantDashboard(
    DateOnly Today,
    IReadOnlyList<DailyCalls> CallsPerDay,
    PlanUsage Usage,
    long PackageSecondsRemaining,
    long ForecastSeconds,
    int CallsThisMonth,
    Conversion BookingConversion,
    CallFilterCount Handoffs,
    CallFilterCount FailedOrUnanswered,
    TurnLatency Latency,
    IReadOnlyList<IntentCount> TopIntents);

/// <summary>This month's metered seconds against what the plan includes (zero included without a plan).</summary>
/// <param name="PlanName">Null when the tenant has no plan this month.</param>
public sealed record PlanUsage(string? PlanName, long BotSeconds, long ForwardSeconds, long IncludedBotSeconds, long IncludedForwardSeconds)
{
    public long TotalSeconds => BotSeconds + ForwardSeconds;
}

/// <summary>Booked / asked; <see cref="Rate"/> null when nobody asked.</summary>
public sealed record Conversion(int Booked, int Asked)
{
    public double? Rate => Asked == 0 ? null : (double)Booked / Asked;
}

/// <summary>A count and what the call list filters on to show those calls.</summary>
/// <param name="Statuses">Call statuses of the filter (empty = no status filter).</param>
/// <param name="UsageKind">Calls with a usage record of this kind (null = no usage filter).</param>
public sealed record CallFilterCount(int Count, IReadOnlyList<string> Statuses, string? UsageKind);

/// <summary>Agent response time over this month's turns; null figures when no turn was recorded.</summary>
public sealed record TurnLatency(int Turns, double? MeanMs, double? P95Ms);

public sealed record IntentCount(string Intent, int Calls);

/// <summary>
/// Loads <see cref="TenantDashboard"/> in the caller's transaction, which must be in the tenant's scope. Row-level security
/// and the query filters isolate the tenant; the raw SQL also names the scope's tenant so PostgreSQL can use the
/// (tenant_id, started_at) indexes (the policy's OR cannot), and the per-day chart goes through dashboard_days, which
/// accepts only the scope's own tenant. Everything is aggregated in PostgreSQL.
/// <para>Rules:</para>
/// <list type="bullet">
/// <item>"This month" = the business month (Europe/Berlin) so far; calls count by their start.</item>
/// <item>Usage, included minutes and package balance come from billing's own calculation
///   (<see cref="BillingCalculation.ComputeAsync"/> for this tenant and month): used = the raw metered seconds, included =
///   the plan's included bot/forward minutes, package balance = the packages' remaining seconds minus what this month's
///   usage so far would consume (as the month's invoice would). Without a plan: nothing included, the stored balances of
///   packages still valid on the 1st.</item>
/// <item>Forecast = used so far ÷ elapsed fraction of the month (elapsed time of the month's real duration, so DST months
///   count their true hours); before any time elapsed, the usage so far.</item>
/// <item>Booking conversion: the flow stores its run variables with the session. Booked = the session holds
///   <c>event</c> (set by the CreateEvent activity on success). Asked = booked, or the session searched slots
///   (<c>slots</c>, set by FindSlots), or its last understood intent is <c>book_appointment</c>.</item>
/// <item>Handoffs = calls with forward usage (a transfer/handoff leg that was answered and metered).</item>
/// <item>Failed or unanswered = final status busy, no-answer, failed or canceled (Twilio's words; sipgate's hangup causes map to them).</item>
/// <item>Response time = mean and p95 (percentile_cont, interpolated) over every entry of the calls' turn_latencies_ms.</item>
/// <item>Top intents: the NLU's intent is kept per session only as the last understood one (run variable <c>intent</c>),
///   not per turn; so this counts calls by their last understood intent (top 5).</item>
/// </list>
/// </summary>
public sealed class TenantDashboardQuery(VoiceAgentDb db, TimeProvider time)
{
    public const int TopIntentCount = 5;

    /// <summary>Final call statuses that mean the caller was not served.</summary>
    public static readonly IReadOnlyList<string> FailedStatuses = ["busy", "no-answer", "failed", "canceled"];

    public async Task<TenantDashboard> LoadAsync(CancellationToken ct)
    {
        var tenantId = db.Scope.TenantId ?? throw new InvalidOperationException("The tenant dashboard needs a tenant scope.");
        var clock = DashboardClock.At(time);
        var (callsPerDay, _) = await DashboardSql.DaysAsync(db, clock, tenantId, ct);
        var (usage, packageSeconds) = await UsageAsync(tenantId, clock, ct);
        var figures = await CallFiguresAsync(tenantId, clock, ct);
        var latency = await LatencyAsync(tenantId, clock, ct);
        var intents = await IntentsAsync(tenantId, clock, ct);

        return new TenantDashboard(
            clock.Today.ToDateOnly(),
            callsPerDay,
            usage,
            packageSeconds,
            Forecast(usage.TotalSeconds, clock),
            figures.Calls,
            new Conversion(figures.Booked, figures.Asked),
            new CallFilterCount(figures.Handoffs, [], UsageKinds.Forward),
            new CallFilterCount(figures.Failed, FailedStatuses, null),
            latency,
            intents);
    }

    /// <summary>Linear month-end forecast in seconds: used ÷ elapsed fraction of the month.</summary>
    public static long Forecast(long usedSeconds, DashboardClock clock)
    {
        var length = (clock.Month.End - clock.Month.Start).TotalSeconds;
        var elapsed = (clock.Now - clock.Month.Start).TotalSeconds;
        return elapsed <= 0 || elapsed >= length ? usedSeconds : (long)Math.Round(usedSeconds * length / elapsed, MidpointRounding.AwayFromZero);
    }

    private async Task<(PlanUsage Usage, long PackageSeconds)> UsageAsync(Guid tenantId, DashboardClock clock, CancellationToken ct)
    {
        var computation = await BillingCalculation.ComputeAsync(db, clock.Month, tenantId, ct);
        if (computation.Bills.SingleOrDefault() is { } bill)
        {
            var preview = bill.Preview;
            var remaining = preview.Packages.Where(p => p.Counted).Sum(p => p.RemainingMinutesBefore * 60m - p.ConsumedSeconds);
            return (new PlanUsage(bill.Plan.Name, bill.Usage.Bot.RawSeconds, bill.Usage.Forward.RawSeconds, preview.Bot.IncludedSeconds,
                preview.Forward.IncludedSeconds), (long)Math.Round(remaining));
        }

        var usage = await UsageAggregator.ForTenantAsync(db, tenantId, clock.Month, ct: ct);
        var first = clock.Month.ToColumn();
        var balance = await (
                from b in db.PackageBalances
                join p in db.PackagePurchases on b.PurchaseId equals p.Id
                where p.ValidUntil >= first && b.SecondsRemaining > 0
                select b.SecondsRemaining)
            .SumAsync(ct);
        return (new PlanUsage(null, usage.Bot.RawSeconds, usage.Forward.RawSeconds, 0, 0), balance);
    }

    private async Task<CallFigures> CallFiguresAsync(Guid tenantId, DashboardClock clock, CancellationToken ct)
    {
        var (from, until) = (clock.Month.Start.ToDateTimeOffset(), clock.Month.End.ToDateTimeOffset());
        var failed = FailedStatuses.ToArray();
        return await db.Database.SqlQuery<CallFigures>($"""
                WITH c AS (
                    SELECT c.status,
                           EXISTS (SELECT 1 FROM usage_records u WHERE u.call_id = c.id AND u.kind = {UsageKinds.Forward} AND u.seconds > 0) AS forwarded,
                           s.state -> 'variables' AS vars
                      FROM calls c
                      LEFT JOIN flow_sessions s ON s.id = c.session_id
                     WHERE c.tenant_id = {tenantId} AND c.started_at >= {from} AND c.started_at < {until})
                SELECT count(*)::int AS "Calls",
                       (count(*) FILTER (WHERE status = ANY ({failed})))::int AS "Failed",
                       (count(*) FILTER (WHERE forwarded))::int AS "Handoffs",
                       (count(*) FILTER (WHERE jsonb_exists(vars, 'event')))::int AS "Booked",
                       (count(*) FILTER (WHERE jsonb_exists(vars, 'event') OR jsonb_exists(vars, 'slots')
                                               OR vars ->> 'intent' = 'book_appointment'))::int AS "Asked"
                  FROM c
                """)
            .SingleAsync(ct);
    }

    private async Task<TurnLatency> LatencyAsync(Guid tenantId, DashboardClock clock, CancellationToken ct)
    {
        var (from, until) = (clock.Month.Start.ToDateTimeOffset(), clock.Month.End.ToDateTimeOffset());
        var row = await db.Database.SqlQuery<LatencyRow>($"""
                SELECT count(*)::int AS "Turns", avg(l)::float8 AS "MeanMs", percentile_cont(0.95) WITHIN GROUP (ORDER BY l)::float8 AS "P95Ms"
                  FROM calls c CROSS JOIN LATERAL unnest(c.turn_latencies_ms) AS l
                 WHERE c.tenant_id = {tenantId} AND c.started_at >= {from} AND c.started_at < {until}
                """)
            .SingleAsync(ct);
        return new TurnLatency(row.Turns, row.MeanMs, row.P95Ms);
    }

    private async Task<List<IntentCount>> IntentsAsync(Guid tenantId, DashboardClock clock, CancellationToken ct)
    {
        var (from, until) = (clock.Month.Start.ToDateTimeOffset(), clock.Month.End.ToDateTimeOffset());
        var rows = await db.Database.SqlQuery<IntentRow>($"""
                SELECT s.state -> 'variables' ->> 'intent' AS "Intent", count(*)::int AS "Calls"
                  FROM calls c
                  JOIN flow_sessions s ON s.id = c.session_id
                 WHERE c.tenant_id = {tenantId} AND c.started_at >= {from} AND c.started_at < {until}
                   AND s.state -> 'variables' ->> 'intent' IS NOT NULL
                 GROUP BY 1
                 ORDER BY 2 DESC, 1
                 LIMIT {TopIntentCount}
                """)
            .ToListAsync(ct);
        return rows.Select(r => new IntentCount(r.Intent, r.Calls)).ToList();
    }

    private sealed record CallFigures(int Calls, int Failed, int Handoffs, int Booked, int Asked);

    private sealed record LatencyRow(int Turns, double? MeanMs, double? P95Ms);

    private sealed record IntentRow(string Intent, int Calls);
}
