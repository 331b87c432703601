using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NodaTime;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Billing;
using VoiceAgent.Testing;

namespace VoiceAgent.E2E;

public sealed class BillingPageTests : PortalTest
{
    // Two tenants, January finalized and February as drafts: four invoices.
    private async Task SeedInvoicesAsync()
    {
        var seed = new BillingSeed(Database);
        var plan = await seed.PlanAsync("Standard", 4900, 100, 30, 12m, 9m);
        var salon = await seed.TenantAsync("Salon Schnitt GmbH");
        var dentist = await seed.TenantAsync("Zahnarzt Dr. Bohr", "AT", "ATU12345678");
        await seed.AssignAsync(salon, plan, new DateOnly(2025, 6, 1));
        await seed.AssignAsync(dentist, plan, new DateOnly(2025, 6, 1));
        await seed.UsageAsync(salon, "bot", new DateTimeOffset(2026, 1, 10, 9, 0, 0, TimeSpan.Zero), 7200);
        var run = Factory.Services.GetRequiredService<BillingRun>();
        var admin = new Actor(null, VoiceAgentFactory.AdminEmail);
        await run.RunAsync(new BillingPeriod(2026, 1), RunTriggers.Manual, admin, finalize: true);
        await run.RunAsync(new BillingPeriod(2026, 2), RunTriggers.Manual, admin, finalize: false);
    }

    [Fact]
    public async Task Abrechnungen_loads_with_every_filter_on_alle_and_the_filters_narrow_the_list()
    {
        await SeedInvoicesAsync();
        var page = await NewPageAsync();
        await LoginAsAdminAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "Abrechnungen", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/admin/billing");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Abrechnungen");
        foreach (var filter in new[] { "#filter-period", "#filter-tenant", "#filter-status" })
        {
            await Expect(page.Locator(filter)).ToHaveValueAsync("");
            await Expect(page.Locator($"{filter} option:checked")).ToHaveTextAsync("Alle");
        }

        var rows = page.Locator("[data-testid=invoice-table] tbody tr[data-invoice-id]");
        await Expect(rows).ToHaveCountAsync(4);
        await ScreenshotAsync(page, "billing-all");

        // Each filter swaps the list in place (htmx) and keeps the choice in the address.
        await page.Locator("#filter-tenant").SelectOptionAsync(new SelectOptionValue { Label = "Zahnarzt Dr. Bohr" });
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("tenant="));
        await Expect(page.GetByTestId("invoice-table")).Not.ToContainTextAsync("Salon Schnitt GmbH");

        await page.Locator("#filter-status").SelectOptionAsync("draft");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-invoice-status]")).ToHaveTextAsync("Entwurf");

        await page.Locator("#filter-status").SelectOptionAsync("");
        await Expect(rows).ToHaveCountAsync(2);
        await page.Locator("#filter-tenant").SelectOptionAsync("");
        await Expect(rows).ToHaveCountAsync(4);
        await page.Locator("#filter-period").SelectOptionAsync("2026-01");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(page.Locator("[data-invoice-status]")).ToHaveTextAsync(["Finalisiert", "Finalisiert"]);
        await ScreenshotAsync(page, "billing-january");

        // Reloading the filtered address shows the same choice; "Alle" everywhere shows everything again.
        await page.ReloadAsync();
        await Expect(page.Locator("#filter-period")).ToHaveValueAsync("2026-01");
        await Expect(rows).ToHaveCountAsync(2);
        await page.Locator("#filter-period").SelectOptionAsync("");
        await Expect(rows).ToHaveCountAsync(4);

        AssertNoBrowserProblems();
    }

    [Fact]
    public async Task Plans_page_and_tenant_billing_page_render_without_browser_errors()
    {
        await SeedInvoicesAsync();
        var page = await NewPageAsync();
        await LoginAsAdminAsync(page);

        await page.GotoAsync("/admin/billing/plans");
        await Expect(page.GetByTestId("plan-table")).ToContainTextAsync("Standard");
        await page.GotoAsync("/admin/billing?preview=2026-03");
        await Expect(page.GetByTestId("preview")).ToContainTextAsync("Vorschau März 2026");
        await ScreenshotAsync(page, "billing-preview");

        AssertNoBrowserProblems();
    }
}
