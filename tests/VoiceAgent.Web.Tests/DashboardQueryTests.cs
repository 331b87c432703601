using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using VoiceAgent.Testing;
using VoiceAgent.Web.Dashboards;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// The dashboards' figures against PostgreSQL at a fixed clock: 10 April 2026, 12:00 in Berlin (CEST). The chart's 30
/// business days run from 12 March to 10 April and contain the spring DST switch (29 March, a 23-hour day).
/// </summary>
public sealed class DashboardQueryTests : IntegrationTest, IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 4, 10, 10, 0, 0, TimeSpan.Zero);

    private BillingSeed Seed => new(Database);

    private VoiceAgentFactory Host { get; set; } = default!;

    private sealed record Scenario(Guid Alpha, Guid Beta, Guid Pending);

    // Alpha: plan with 10 bot / 30 forward minutes included (per started minute) and a 50-minute package; 9 calls in the
    // chart window around a Berlin midnight and the DST day, 4 of them in April. Beta: 2 April calls with lots of bot
    // seconds, a booking and slow turns, so any leak into Alpha's figures shows. Times are UTC; Berlin is +1 before
    // 29 March 01:00 UTC and +2 after.
    private async Task<Scenario> SeedAsync()
    {
        var alpha = await Seed.TenantAsync("Alpha Praxis");
        var beta = await Seed.TenantAsync("Beta Salon");
        var pending = await Seed.TenantAsync("Gamma Neu", status: "pending");
        var plan = await Seed.PlanAsync("Standard", 4900, 10, 30, 12m, 9m);
        await Seed.AssignAsync(alpha, plan, new DateOnly(2025, 6, 1));
        await Seed.GrantedPackageAsync(alpha, 50, new DateOnly(2026, 12, 31), new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

        var alphaFlow = await FlowAsync(alpha);
        var betaFlow = await FlowAsync(beta);
        const string booked = """{"intent": "book_appointment", "slots": [], "event": {"id": "e1"}}""";
        const string asked = """{"intent": "book_appointment", "slots": [{"start": "x"}]}""";
        const string human = """{"intent": "human"}""";

        // April (this month) — Apr 9 23:59:59 and Apr 10 00:00:00 in Berlin fall on two days.
        await CallAsync(alpha, Utc(2026, 4, 9, 21, 59, 59), "completed", bot: 600, session: (alphaFlow, booked), latencies: [100, 200, 300]);
        await CallAsync(alpha, Utc(2026, 4, 9, 22, 0, 0), "completed", bot: 300, forward: 120, session: (alphaFlow, human), latencies: [400]);
        await CallAsync(alpha, Utc(2026, 4, 10, 8, 0, 0), "no-answer", session: (alphaFlow, asked));
        await CallAsync(alpha, Utc(2026, 3, 31, 22, 30, 0), "busy", latencies: [1000]); // 1 April 00:30 CEST
        // March (last month): the DST day. 28 Mar 23:59:59 CET | 29 Mar 00:00 CET … 29 Mar 23:59 CEST | 30 Mar 00:00 CEST.
        await CallAsync(alpha, Utc(2026, 3, 28, 22, 59, 59), "completed");
        await CallAsync(alpha, Utc(2026, 3, 28, 23, 0, 0), "completed", bot: 3600, latencies: [9999]);
        await CallAsync(alpha, Utc(2026, 3, 29, 21, 59, 0), "completed");
        await CallAsync(alpha, Utc(2026, 3, 29, 22, 0, 0), "completed", forward: 60);
        // The chart's first day starts at 12 Mar 00:00 CET; a second before is 11 March (outside the chart, still March).
        await CallAsync(alpha, Utc(2026, 3, 11, 22, 59, 59), "completed");
        await CallAsync(alpha, Utc(2026, 3, 11, 23, 0, 0), "completed");

        await CallAsync(beta, Utc(2026, 4, 10, 9, 0, 0), "completed", bot: 7200, session: (betaFlow, booked), latencies: [5000, 5000]);
        await CallAsync(beta, Utc(2026, 4, 5, 9, 0, 0), "busy", bot: 60, session: (betaFlow, human));
        return new Scenario(alpha, beta, pending);
    }

    // Invoices by the revenue and open/overdue rules (net / tax / gross in cents).
    private async Task SeedInvoicesAsync(Scenario s)
    {
        // Counts for April (by invoice date); open, due 15 April → not overdue.
        await InvoiceAsync(s.Alpha, "monthly", "finalized", new(2026, 3, 1), new(2026, 4, 1), new(2026, 4, 15), 10000, 1900);
        // Counts for March; open and overdue.
        await InvoiceAsync(s.Beta, "monthly", "finalized", new(2026, 2, 1), new(2026, 3, 1), new(2026, 3, 15), 5050, 960);
        // Counts for March; paid according to Lexoffice → not open.
        var paid = await InvoiceAsync(s.Alpha, "monthly", "finalized", new(2026, 1, 1), new(2026, 3, 3), new(2026, 3, 17), 1000, 190);
        await Seed.ExecuteAsync("INSERT INTO lexoffice_transmissions (invoice_id, tenant_id, state, voucher_status) VALUES (@i, @t, 'sent', 'paid')",
            ("i", paid), ("t", s.Alpha));
        // A Stripe package: counts for April, paid at checkout → not open.
        var purchase = Guid.NewGuid();
        await Seed.ExecuteAsync("""
            INSERT INTO package_purchases (id, tenant_id, name, minutes, price_cents, valid_until, source, stripe_session_id, purchased_at)
            VALUES (@id, @t, 'Paket 100', 100, 2999, '2026-12-31', 'stripe', 'cs_test_1', '2026-04-05T08:00:00Z')
            """, ("id", purchase), ("t", s.Beta));
        await InvoiceAsync(s.Beta, "package", "finalized", new(2026, 4, 1), new(2026, 4, 5), new(2026, 4, 5), 2999, 570, purchase: purchase);
        // Cancelled in March together with its Storno: neither counts, neither is open.
        var original = await InvoiceAsync(s.Beta, "monthly", "finalized", new(2026, 1, 1), new(2026, 3, 2), new(2026, 3, 16), 8000, 1520);
        var storno = await InvoiceAsync(s.Beta, "cancellation", "finalized", new(2026, 1, 1), new(2026, 3, 10), new(2026, 3, 24), -8000, -1520,
            cancels: original);
        await Seed.ExecuteAsync("UPDATE invoices SET status = 'cancelled', cancelled_by_invoice_id = @c, cancelled_at = now(), updated_at = now() WHERE id = @id",
            ("c", storno), ("id", original));
        // A draft has no date and no number: nothing.
        await InvoiceAsync(s.Alpha, "monthly", "draft", new(2026, 4, 1), null, null, 7777, 1478);
    }

    [Fact]
    public async Task Tenant_dashboard_buckets_calls_by_Berlin_day_and_computes_usage_conversion_and_latency()
    {
        var s = await SeedAsync();

        var board = await TenantBoardAsync(s.Alpha);

        Assert.Equal(new DateOnly(2026, 4, 10), board.Today);
        Assert.Equal(30, board.CallsPerDay.Count);
        Assert.Equal(new DateOnly(2026, 3, 12), board.CallsPerDay[0].Day);
        Assert.Equal(new DateOnly(2026, 4, 10), board.CallsPerDay[^1].Day);
        var expected = new Dictionary<DateOnly, int>
        {
            [new(2026, 3, 12)] = 1, [new(2026, 3, 28)] = 1, [new(2026, 3, 29)] = 2, [new(2026, 3, 30)] = 1,
            [new(2026, 4, 1)] = 1, [new(2026, 4, 9)] = 1, [new(2026, 4, 10)] = 2,
        };
        Assert.Equal(board.CallsPerDay.Select(d => expected.GetValueOrDefault(d.Day)), board.CallsPerDay.Select(d => d.Calls));

        Assert.Equal(new PlanUsage("Standard", 900, 120, 600, 1800), board.Usage);
        // 900 s bot billed per started minute = 15 min; 10 included → 300 s from the 3000 s package.
        Assert.Equal(2700, board.PackageSecondsRemaining);
        // 1020 s after 9.5 of April's 30 days (Apr 1 00:00 CEST = Mar 31 22:00 UTC): 1020 × 30 / 9.5 = 3221.05.
        Assert.Equal(3221, board.ForecastSeconds);
        Assert.Equal(4, board.CallsThisMonth);
        Assert.Equal(new Conversion(1, 2), board.BookingConversion);
        Assert.Equal(0.5, board.BookingConversion.Rate);
        Assert.Equal(1, board.Handoffs.Count);
        Assert.Equal("forward", board.Handoffs.UsageKind);
        Assert.Equal(2, board.FailedOrUnanswered.Count);
        Assert.Equal(["busy", "no-answer", "failed", "canceled"], board.FailedOrUnanswered.Statuses);
        // April's turns 100, 200, 300, 400, 1000 (March's 9999 and Beta's 5000s excluded): mean 400; p95 = 400 + 0.8 × 600.
        Assert.Equal(5, board.Latency.Turns);
        Assert.Equal(400, board.Latency.MeanMs!.Value, 6);
        Assert.Equal(880, board.Latency.P95Ms!.Value, 6);
        Assert.Equal([new IntentCount("book_appointment", 2), new IntentCount("human", 1)], board.TopIntents);
    }

    [Fact]
    public async Task Tenant_dashboard_never_counts_another_tenants_calls_or_usage()
    {
        var s = await SeedAsync();

        var beta = await TenantBoardAsync(s.Beta);

        Assert.Equal(2, beta.CallsPerDay.Sum(d => d.Calls)); // Beta: Apr 5 and Apr 10
        Assert.Equal(1, beta.CallsPerDay.Single(d => d.Day == new DateOnly(2026, 4, 10)).Calls);
        Assert.Equal(1, beta.CallsPerDay.Single(d => d.Day == new DateOnly(2026, 4, 5)).Calls);
        Assert.Equal(new PlanUsage(null, 7260, 0, 0, 0), beta.Usage);
        Assert.Equal(0, beta.PackageSecondsRemaining);
        Assert.Equal(2, beta.CallsThisMonth);
        Assert.Equal(new Conversion(1, 1), beta.BookingConversion);
        Assert.Equal(0, beta.Handoffs.Count);
        Assert.Equal(1, beta.FailedOrUnanswered.Count);
        Assert.Equal(new TurnLatency(2, 5000, 5000), beta.Latency);
        Assert.Equal([new IntentCount("book_appointment", 1), new IntentCount("human", 1)], beta.TopIntents);

        // A tenant without any data sees zeros, not the others' figures.
        var empty = await TenantBoardAsync(s.Pending);
        Assert.All(empty.CallsPerDay, d => Assert.Equal(0, d.Calls));
        Assert.Equal(new PlanUsage(null, 0, 0, 0, 0), empty.Usage);
        Assert.Equal((0, 0, 0, 0), (empty.CallsThisMonth, empty.Handoffs.Count, empty.FailedOrUnanswered.Count, empty.BookingConversion.Asked));
        Assert.Equal(new TurnLatency(0, null, null), empty.Latency);
        Assert.Empty(empty.TopIntents);
        Assert.Null(empty.BookingConversion.Rate);

        // The per-day function answers a tenant scope only about that tenant (it bypasses row-level security).
        await using var scope = Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        var bounds = new[] { Now.AddDays(-1), Now };
        var refused = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => db.InScopeAsync(x => x.UseTenant(s.Alpha),
            () => db.Database.SqlQuery<long>($"SELECT call_count AS \"Value\" FROM dashboard_days({bounds}, {s.Beta})").ToListAsync()));
        Assert.Equal("42501", refused.SqlState);
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => db.InScopeAsync(x => x.UseTenant(s.Alpha),
            () => db.Database.SqlQuery<long>($"SELECT call_count AS \"Value\" FROM dashboard_days({bounds}, NULL)").ToListAsync()));
    }

    [Fact]
    public async Task Tenant_dashboard_refuses_platform_scope()
    {
        await SeedAsync();
        await using var scope = Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        var query = ActivatorUtilities.CreateInstance<TenantDashboardQuery>(scope.ServiceProvider);

        await Assert.ThrowsAsync<InvalidOperationException>(() => db.InScopeAsync(x => x.UsePlatform(), () => query.LoadAsync(default)));
    }

    [Fact]
    public async Task Admin_dashboard_sums_all_tenants_with_revenue_and_open_invoices_to_the_cent()
    {
        var s = await SeedAsync();
        await SeedInvoicesAsync(s);

        var board = await AdminBoardAsync();

        Assert.Equal(new DateOnly(2026, 4, 10), board.Today);
        Assert.Equal(new Dictionary<string, int> { ["pending"] = 1, ["approved"] = 2, ["rejected"] = 0, ["suspended"] = 0 }, board.TenantsByStatus);
        Assert.Equal(1, board.PendingTenants);
        // Today: Alpha 2 + Beta 1; last 7 days (Apr 4–10): Alpha 3 + Beta 2; 30 days: Alpha 9 + Beta 2.
        Assert.Equal(new CallCounts(3, 5, 11), board.Calls);
        Assert.Equal(2, board.CallsPerDay.Single(d => d.Day == new DateOnly(2026, 3, 29)).Calls);
        Assert.Equal(30, board.CallsPerDay.Count);
        Assert.Equal(new UsageSeconds(900 + 7200 + 60, 120), board.MinutesThisMonth);
        Assert.Equal(new UsageSeconds(3600, 60), board.MinutesLastMonth);

        Assert.Equal(30, board.MinutesPerDay.Count);
        Assert.Equal(new DailyMinutes(new(2026, 4, 10), 300 + 7200, 120), board.MinutesPerDay[^1]);
        Assert.Equal(new DailyMinutes(new(2026, 4, 9), 600, 0), board.MinutesPerDay[^2]);
        Assert.Equal(new DailyMinutes(new(2026, 3, 29), 3600, 0), board.MinutesPerDay.Single(d => d.Day == new DateOnly(2026, 3, 29)));
        Assert.Equal(new DailyMinutes(new(2026, 3, 30), 0, 60), board.MinutesPerDay.Single(d => d.Day == new DateOnly(2026, 3, 30)));
        Assert.Equal(3600 + 60 + 900 + 120 + 7260, board.MinutesPerDay.Sum(d => d.BotSeconds + d.ForwardSeconds));

        Assert.Equal([new TenantUsageRank(s.Beta, "Beta Salon", 7260, 0), new TenantUsageRank(s.Alpha, "Alpha Praxis", 900, 120)], board.TopTenants);

        // April: Alpha's 100.00 € + Beta's package 29.99 €. March: Beta's 50.50 € + Alpha's paid 10.00 €; the cancelled
        // invoice and its Storno are out, the draft too.
        Assert.Equal(12999, board.NetRevenueMonthToDateCents);
        Assert.Equal(6050, board.NetRevenueLastMonthCents);
        Assert.Equal(new InvoiceTotal(2, 11900 + 6010), board.OpenInvoices);
        Assert.Equal(new InvoiceTotal(1, 6010), board.OverdueInvoices);
        Assert.NotNull(board.FailedJobs);
    }

    [Fact]
    public async Task Admin_dashboard_refuses_tenant_scope_and_provider_tiles_match_the_health_check()
    {
        var s = await SeedAsync();
        await using var scope = Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        var query = ActivatorUtilities.CreateInstance<AdminDashboardQuery>(scope.ServiceProvider);
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.InScopeAsync(x => x.UseTenant(s.Alpha), () => query.LoadAsync(default)));

        var tiles = await ActivatorUtilities.CreateInstance<ProviderHealthTiles>(scope.ServiceProvider).CheckAsync(default);
        Assert.Equal("operational", tiles.Database);
        Assert.All(tiles.Providers.Values, state => Assert.Equal("not_configured", state.Status));
        Assert.Equal("not_configured", tiles.Redis);
    }

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Host = new VoiceAgentFactory(Database) { Time = new FakeTimeProvider(Now) };
    }

    public new async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await base.DisposeAsync();
    }

    private async Task<TenantDashboard> TenantBoardAsync(Guid tenantId)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        var query = ActivatorUtilities.CreateInstance<TenantDashboardQuery>(scope.ServiceProvider);
        return await db.InScopeAsync(x => x.UseTenant(tenantId), () => query.LoadAsync(default));
    }

    private async Task<AdminDashboard> AdminBoardAsync()
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        var query = ActivatorUtilities.CreateInstance<AdminDashboardQuery>(scope.ServiceProvider);
        return await db.InScopeAsync(x => x.UsePlatform(), () => query.LoadAsync(default));
    }

    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute, int second) =>
        new(year, month, day, hour, minute, second, TimeSpan.Zero);

    private Task<(Guid Flow, Guid Version)> FlowAsync(Guid tenantId) => Seed.FlowAsync(tenantId);

    private Task<Guid> CallAsync(Guid tenantId, DateTimeOffset start, string status, int bot = 0, int forward = 0,
        ((Guid Flow, Guid Version) Flow, string Variables)? session = null, int[]? latencies = null) =>
        Seed.CallAsync(tenantId, start, status, bot, forward, session, latencies);

    private int invoiceSeq;

    private Task<Guid> InvoiceAsync(Guid tenantId, string kind, string status, DateOnly period, DateOnly? invoiceDate, DateOnly? dueDate,
        long netCents, long taxCents, Guid? purchase = null, Guid? cancels = null) =>
        Seed.InvoiceAsync(++invoiceSeq, tenantId, kind, status, period, invoiceDate, dueDate, netCents, taxCents, purchase, cancels);
}
