using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using VoiceAgent.Testing;

namespace VoiceAgent.E2E;

/// <summary>Both dashboards show the figures of the calls, usage and invoices the test seeds, and only the own tenant's.</summary>
public sealed class DashboardPageTests : PortalTest
{
    private const string Email = "dashboard@example.com";

    // Friday 10 April 2026, 12:00 in Berlin.
    private static readonly DateTimeOffset Now = new(2026, 4, 10, 10, 0, 0, TimeSpan.Zero);

    protected override TimeProvider? AppClock { get; } = new FakeTimeProvider(Now);

    [Fact]
    public async Task Tenant_and_super_admin_dashboards_show_the_seeded_calls_minutes_and_revenue()
    {
        var (alpha, _) = await Factory.ApprovedTenantAsync(Email, "Praxis Alpha");
        var seed = new BillingSeed(Database);
        var beta = await seed.TenantAsync("Salon Beta");
        var flow = await seed.FlowAsync(alpha);

        // Alpha: three calls today (one booked after asking, one handed over), one yesterday, one unanswered.
        await seed.CallAsync(alpha, Now.AddHours(-2), "completed", bot: 120, session: (flow, """{"intent":"book_appointment","slots":[1],"event":{"id":"e1"}}"""),
            latencies: [400, 600]);
        await seed.CallAsync(alpha, Now.AddHours(-1), "completed", bot: 60, forward: 90, session: (flow, """{"intent":"book_appointment","slots":[1]}"""),
            latencies: [800]);
        await seed.CallAsync(alpha, Now.AddMinutes(-5), "no-answer");
        await seed.CallAsync(alpha, Now.AddDays(-1), "completed", bot: 30);
        // Beta: many minutes, but never on Alpha's dashboard.
        await seed.CallAsync(beta, Now.AddHours(-3), "completed", bot: 3_000);
        await seed.CallAsync(beta, Now.AddHours(-3), "completed", bot: 600);
        // Invoices: both March invoices dated in April; a draft never counts.
        await seed.InvoiceAsync(1, alpha, "monthly", "finalized", new DateOnly(2026, 3, 1), new DateOnly(2026, 4, 1), new DateOnly(2026, 4, 15), 10_000, 1_900);
        await seed.InvoiceAsync(2, beta, "monthly", "finalized", new DateOnly(2026, 3, 1), new DateOnly(2026, 4, 2), new DateOnly(2026, 4, 16), 5_050, 960);
        await seed.InvoiceAsync(3, beta, "monthly", "draft", new DateOnly(2026, 4, 1), null, null, 99_900, 0);

        // --- The tenant ---
        var tenant = await NewPageAsync(1366, 860);
        await LoginAsync(tenant, Email, TestData.Password, "/app");
        await Expect(tenant.GetByTestId("tenant-dashboard")).ToHaveTextAsync("Willkommen, Praxis Alpha");
        await Expect(Value(tenant, "tile-calls")).ToHaveAttributeAsync("data-value", "4");
        await Expect(Value(tenant, "tile-minutes")).ToHaveAttributeAsync("data-value", (120 + 60 + 90 + 30).ToString());
        await Expect(Value(tenant, "tile-minutes")).ToHaveTextAsync("5,0 Min.");
        await Expect(Value(tenant, "tile-conversion")).ToHaveAttributeAsync("data-value", "1/2");
        await Expect(Value(tenant, "tile-conversion")).ToHaveTextAsync("50 %");
        await Expect(Value(tenant, "tile-handoffs")).ToHaveAttributeAsync("data-value", "1");
        await Expect(Value(tenant, "tile-failed")).ToHaveAttributeAsync("data-value", "1");
        await Expect(Value(tenant, "tile-latency")).ToHaveAttributeAsync("data-value", "600/780");
        await Expect(tenant.GetByTestId("chart-calls").Locator("tr[data-label='2026-04-10'] td")).ToHaveAttributeAsync("data-value", "3");
        await Expect(tenant.GetByTestId("chart-calls").Locator("tr[data-label='2026-04-09'] td")).ToHaveAttributeAsync("data-value", "1");
        await Expect(tenant.GetByTestId("chart-calls").Locator("tr[data-label]")).ToHaveCountAsync(30);
        await Expect(tenant.GetByTestId("top-intents").Locator("[data-intent='book_appointment']")).ToHaveAttributeAsync("data-calls", "2");
        // Each tile leads to the calls behind its figure.
        await Expect(tenant.GetByTestId("tile-handoffs").GetByRole(AriaRole.Link))
            .ToHaveAttributeAsync("href", "/app/calls?from=2026-04-01&to=2026-04-10&outcome=handoff");
        await ScreenshotAsync(tenant, "tenant-dashboard");

        // --- The super-admin ---
        var admin = await NewPageAsync(1366, 860);
        await LoginAsAdminAsync(admin);
        await Expect(admin.GetByTestId("admin-dashboard")).ToBeVisibleAsync();
        await Expect(admin.GetByTestId("count-approved")).ToHaveAttributeAsync("data-count", "2");
        await Expect(admin.GetByTestId("count-pending")).ToHaveAttributeAsync("data-count", "0");
        await Expect(Value(admin, "tile-calls")).ToHaveAttributeAsync("data-value", "5");
        await Expect(Value(admin, "tile-minutes")).ToHaveAttributeAsync("data-value", (300 + 3_600).ToString());
        await Expect(Value(admin, "tile-revenue")).ToHaveAttributeAsync("data-value", "15050");
        await Expect(Value(admin, "tile-revenue")).ToHaveTextAsync("150,50 €");
        var top = admin.GetByTestId("top-tenants").Locator("tbody tr");
        await Expect(top).ToHaveCountAsync(2);
        await Expect(top.First).ToHaveAttributeAsync("data-tenant-id", beta.ToString());
        await Expect(top.Nth(1)).ToHaveAttributeAsync("data-seconds", "300");
        await Expect(admin.GetByTestId("chart-minutes").Locator("tr[data-label='2026-04-10'] td[data-series='Bot']")).ToHaveAttributeAsync("data-value", "63");
        await Expect(admin.GetByTestId("tile-providers").Locator("[data-provider]").First).ToBeVisibleAsync();
        await ScreenshotAsync(admin, "admin-dashboard");

        AssertNoBrowserProblems();
    }

    private static ILocator Value(IPage page, string tile) => page.GetByTestId(tile).Locator(".kpi-value");
}
