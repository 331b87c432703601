using Bunit;
using VoiceAgent.Web.Api;
using VoiceAgent.Web.Components.Dashboards;
using VoiceAgent.Web.Dashboards;

namespace VoiceAgent.Web.Tests.Components;

/// <summary>The dashboards' tiles and charts from fixed figures (no database): what is shown, formatted and linked.</summary>
public sealed class DashboardViewTests : MudComponentTest
{
    private static readonly DateOnly Today = new(2026, 4, 10);

    [Fact]
    public void Tenant_tiles_show_minutes_conversion_and_latency_and_link_to_the_filtered_calls()
    {
        var board = new TenantDashboard(
            Today,
            Days(d => new DailyCalls(d, d == Today ? 3 : 0)),
            new PlanUsage("Praxis S", BotSeconds: 5_430, ForwardSeconds: 600, IncludedBotSeconds: 6_000, IncludedForwardSeconds: 0),
            PackageSecondsRemaining: 1_800,
            ForecastSeconds: 18_090,
            CallsThisMonth: 12,
            new Conversion(Booked: 3, Asked: 4),
            new CallFilterCount(2, [], "forward"),
            new CallFilterCount(1, TenantDashboardQuery.FailedStatuses, null),
            new TurnLatency(Turns: 20, MeanMs: 612.4, P95Ms: 1_180),
            [new IntentCount("book_appointment", 4), new IntentCount("mystery", 1)]);

        var view = Render<TenantDashboardView>(p => p.Add(v => v.Board, board));

        Assert.Equal("12", Tile(view, "tile-calls").TextContent);
        Assert.Equal("100,5 Min.", Tile(view, "tile-minutes").TextContent);
        Assert.Contains("von 100,0 inklusive (Praxis S)", view.Find("[data-testid='tile-minutes']").TextContent);
        Assert.Equal("30,0 Min.", Tile(view, "tile-package").TextContent);
        Assert.Equal("75 %", Tile(view, "tile-conversion").TextContent);
        Assert.Contains("3 von 4 Terminanfragen gebucht", view.Find("[data-testid='tile-conversion']").TextContent);
        Assert.Equal("612 ms", Tile(view, "tile-latency").TextContent);
        Assert.Contains("p95 1.180 ms", view.Find("[data-testid='tile-latency']").TextContent);
        Assert.Equal("/app/calls?from=2026-04-01&to=2026-04-10&outcome=handoff",
            view.Find("[data-testid='tile-handoffs'] a").GetAttribute("href"));
        Assert.Equal("3", view.Find("[data-testid='chart-calls'] tr[data-label='2026-04-10'] td").GetAttribute("data-value"));
        // Known intents by their German name, unknown ones as they are.
        Assert.Contains("Termin buchen", view.Find("[data-intent='book_appointment']").TextContent);
        Assert.Contains("mystery", view.Find("[data-intent='mystery']").TextContent);
    }

    [Fact]
    public void Tenant_without_replies_or_requests_sees_dashes_not_zero_division()
    {
        var board = new TenantDashboard(Today, Days(d => new DailyCalls(d, 0)), new PlanUsage(null, 0, 0, 0, 0), 0, 0, 0,
            new Conversion(0, 0), new CallFilterCount(0, [], "forward"), new CallFilterCount(0, [], null), new TurnLatency(0, null, null), []);

        var view = Render<TenantDashboardView>(p => p.Add(v => v.Board, board));

        Assert.Equal("–", Tile(view, "tile-conversion").TextContent);
        Assert.Equal("–", Tile(view, "tile-latency").TextContent);
        Assert.Contains("kein Tarif", view.Find("[data-testid='tile-minutes']").TextContent);
        Assert.Contains("Noch keine erkannten Anliegen", view.Find("[data-testid='top-intents']").TextContent);
    }

    [Fact]
    public void Admin_tiles_show_pending_badge_revenue_in_euros_and_top_tenants_in_order()
    {
        var first = Guid.NewGuid();
        var board = new AdminDashboard(
            Today,
            new Dictionary<string, int> { ["pending"] = 2, ["approved"] = 7, ["rejected"] = 1, ["suspended"] = 0 },
            PendingTenants: 2,
            new CallCounts(5, 40, 160),
            new UsageSeconds(3_600, 540),
            new UsageSeconds(7_200, 0),
            NetRevenueMonthToDateCents: 1_234_567,
            NetRevenueLastMonthCents: 99_00,
            new InvoiceTotal(3, 35_700),
            new InvoiceTotal(1, 11_900),
            FailedJobs: 4,
            Days(d => new DailyCalls(d, 1)),
            Days(d => new DailyMinutes(d, 60, 30)),
            [new TenantUsageRank(first, "Praxis Eins", 3_000, 0), new TenantUsageRank(Guid.NewGuid(), "Salon Zwei", 600, 540)]);
        var health = new HealthApi.HealthReport("down", "operational", "operational", "not_configured",
            new Dictionary<string, ProviderHealth>
            {
                ["twilio"] = new("not_configured"),
                ["stripe"] = new("down", "Zugangsdaten abgelehnt", DateTimeOffset.UnixEpoch),
                ["lexoffice"] = new("configured"),
            });

        var view = Render<AdminDashboardView>(p => p.Add(v => v.Board, board).Add(v => v.Health, health));

        Assert.Equal("2", view.Find("[data-testid='count-pending']").GetAttribute("data-count"));
        Assert.Equal("/admin/tenants?status=pending", view.Find("[data-testid='pending-badge'] a").GetAttribute("href"));
        Assert.Equal("12.345,67 €", Tile(view, "tile-revenue").TextContent);
        Assert.Contains("Vormonat 99,00 €", view.Find("[data-testid='tile-revenue']").TextContent);
        Assert.Contains("davon überfällig 1 (119,00 €)", view.Find("[data-testid='tile-open-invoices']").TextContent);
        Assert.Equal("4", Tile(view, "tile-failed-jobs").TextContent);
        Assert.Equal("69,0", Tile(view, "tile-minutes").TextContent);
        var rows = view.FindAll("[data-testid='top-tenants'] tbody tr");
        Assert.Equal(first.ToString(), rows[0].GetAttribute("data-tenant-id"));
        Assert.Contains("Salon Zwei", rows[1].TextContent);
        Assert.Equal("down", view.Find("[data-provider='stripe']").GetAttribute("data-status"));
        Assert.Contains("gestört", view.Find("[data-provider='stripe']").TextContent);
        Assert.Contains("Zugangsdaten abgelehnt", view.Find("[data-provider='stripe']").TextContent);
        Assert.Equal("configured", view.Find("[data-provider='lexoffice']").GetAttribute("data-status"));
        Assert.Contains("eingerichtet", view.Find("[data-provider='lexoffice']").TextContent);
        Assert.Equal("0,5", view.Find("[data-testid='chart-minutes'] tr[data-label='2026-04-10'] td[data-series='Weiterleitung']").TextContent);
    }

    private static IReadOnlyList<T> Days<T>(Func<DateOnly, T> make) =>
        Enumerable.Range(0, 30).Select(i => make(Today.AddDays(i - 29))).ToList();

    private static AngleSharp.Dom.IElement Tile(IRenderedComponent<TenantDashboardView> view, string id) => view.Find($"[data-testid='{id}'] .kpi-value");

    private static AngleSharp.Dom.IElement Tile(IRenderedComponent<AdminDashboardView> view, string id) => view.Find($"[data-testid='{id}'] .kpi-value");
}
