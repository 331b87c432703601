using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Billing;
using VoiceAgent.Testing;

namespace VoiceAgent.E2E;

/// <summary>ABRECHNUNGEN, Tarife &amp; Pakete and the tenant's Abrechnung as interactive MudBlazor pages in Chromium.</summary>
public sealed class BillingPageTests : PortalTest
{
    private const string SalonEmail = "chef@salon-schnitt.de";

    // Two tenants, January finalized and February as drafts: four invoices, made by the billing run itself.
    private async Task<(Guid Salon, Guid Dentist)> SeedInvoicesAsync()
    {
        var seed = new BillingSeed(Database);
        var plan = await seed.PlanAsync("Standard", 4900, 100, 30, 12m, 9m);
        var (salon, _) = await Factory.ApprovedTenantAsync(SalonEmail, "Salon Schnitt GmbH");
        var dentist = await seed.TenantAsync("Zahnarzt Dr. Bohr", "AT", "ATU12345678");
        await seed.AssignAsync(salon, plan, new DateOnly(2025, 6, 1));
        await seed.AssignAsync(dentist, plan, new DateOnly(2025, 6, 1));
        await seed.UsageAsync(salon, "bot", new DateTimeOffset(2026, 1, 10, 9, 0, 0, TimeSpan.Zero), 7200);
        var run = Factory.Services.GetRequiredService<BillingRun>();
        var admin = new Actor(null, VoiceAgentFactory.AdminEmail);
        await run.RunAsync(new BillingPeriod(2026, 1), RunTriggers.Manual, admin, finalize: true);
        await run.RunAsync(new BillingPeriod(2026, 2), RunTriggers.Manual, admin, finalize: false);
        return (salon, dentist);
    }

    private static ILocator Rows(IPage page) => page.Locator("[data-testid=invoice-table] tbody tr:has([data-invoice-id])");

    private static async Task ChooseAsync(IPage page, string filter, string label)
    {
        await page.GetByTestId(filter).ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").GetByText(label, new() { Exact = true }).ClickAsync();
        await Expect(page.GetByTestId(filter)).ToHaveTextAsync(label);
    }

    [Fact]
    public async Task Abrechnungen_filters_with_alle_and_storno_with_a_reason()
    {
        var (salon, _) = await SeedInvoicesAsync();
        var page = await NewPageAsync(1366, 860);
        await LoginAsAdminAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "Abrechnungen", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/admin/billing");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Abrechnungen");
        foreach (var filter in new[] { "filter-period", "filter-tenant", "filter-status" })
        {
            await Expect(page.GetByTestId(filter)).ToHaveTextAsync("Alle");
        }

        var rows = Rows(page);
        await Expect(rows).ToHaveCountAsync(4);
        await ScreenshotAsync(page, "billing-all");

        // Each filter reloads the grid in place and keeps the choice in the address.
        await ChooseAsync(page, "filter-tenant", "Zahnarzt Dr. Bohr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(page).ToHaveURLAsync(new Regex("tenant="));
        await Expect(page.GetByTestId("invoice-table")).Not.ToContainTextAsync("Salon Schnitt GmbH");

        await ChooseAsync(page, "filter-status", "Entwurf");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.Locator("[data-invoice-status]")).ToHaveTextAsync("Entwurf");

        await ChooseAsync(page, "filter-status", "Alle");
        await Expect(rows).ToHaveCountAsync(2);
        await ChooseAsync(page, "filter-tenant", "Alle");
        await Expect(rows).ToHaveCountAsync(4);
        await Expect(page).Not.ToHaveURLAsync(new Regex("tenant="));
        await ChooseAsync(page, "filter-period", "Januar 2026");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Locator("[data-invoice-status]")).ToHaveTextAsync(["Finalisiert", "Finalisiert"]);
        await ScreenshotAsync(page, "billing-january");

        // Reloading the filtered address shows the same choice; "Alle" shows everything again.
        await page.ReloadAsync();
        await Expect(page.GetByTestId("filter-period")).ToHaveTextAsync("Januar 2026");
        await Expect(rows).ToHaveCountAsync(2);
        await ChooseAsync(page, "filter-period", "Alle");
        await Expect(rows).ToHaveCountAsync(4);

        // Storno of the salon's January invoice: a reason is required; the invoice is cancelled and a cancellation invoice made.
        await ChooseAsync(page, "filter-tenant", "Salon Schnitt GmbH");
        await Expect(rows).ToHaveCountAsync(2);
        var january = rows.Filter(new() { Has = page.Locator("[data-period='2026-01']") });
        await january.GetByTestId("invoice-cancel").ClickAsync();
        var dialog = page.Locator(".mud-dialog");
        await dialog.GetByTestId("dialog-confirm").ClickAsync();
        await Expect(dialog).ToBeVisibleAsync();
        await dialog.Locator("textarea").FillAsync("Doppelt berechnet");
        await dialog.GetByTestId("dialog-confirm").ClickAsync();
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Rechnung storniert; die Stornorechnung ist erstellt.");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.Locator("[data-invoice-status=cancelled]")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("invoice-table")).ToContainTextAsync("Storno");
        await ScreenshotAsync(page, "billing-storno");

        var seed = new BillingSeed(Database);
        Assert.Equal(1L, await seed.ScalarAsync<long>(
            "SELECT count(*) FROM invoices WHERE tenant_id = @t AND kind = 'cancellation' AND status = 'finalized'", ("t", salon)));
        Assert.Equal(1L, await seed.ScalarAsync<long>("SELECT count(*) FROM audit_entries WHERE action = 'invoice.cancelled' AND reason = 'Doppelt berechnet'"));

        // The cancelled invoice's page links to its cancellation invoice.
        await rows.Filter(new() { Has = page.Locator("[data-invoice-status=cancelled]") }).Locator("a[data-invoice-id]").ClickAsync();
        await Expect(page.GetByTestId("invoice-lines")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("cancelled-by")).ToBeVisibleAsync();

        AssertNoBrowserProblems();
    }

    [Fact]
    public async Task A_tenant_sees_only_its_own_issued_invoices_and_its_usage()
    {
        var (salon, dentist) = await SeedInvoicesAsync();
        var seed = new BillingSeed(Database);
        var own = await seed.ScalarAsync<Guid>("SELECT id FROM invoices WHERE tenant_id = @t AND status = 'finalized'", ("t", salon));
        var foreign = await seed.ScalarAsync<Guid>("SELECT id FROM invoices WHERE tenant_id = @t AND status = 'finalized'", ("t", dentist));
        var page = await NewPageAsync(390, 844, mobile: true);
        await LoginAsync(page, SalonEmail, TestData.Password, "/app");

        await page.GotoAsync("/app/billing");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Abrechnung");
        var rows = page.Locator("[data-testid=tenant-invoices] tbody tr[data-invoice-id]");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToHaveAttributeAsync("data-invoice-id", own.ToString());
        await Expect(page.Locator($"[data-invoice-id='{foreign}']")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("usage-card")).ToContainTextAsync("Standard");
        await Expect(page.GetByTestId("stripe-not-configured")).ToBeVisibleAsync();
        await ScreenshotAsync(page, "billing-tenant-phone");

        AssertNoBrowserProblems();
    }

    [Fact]
    public async Task Plans_page_creates_a_plan_and_the_run_previews_a_period()
    {
        await SeedInvoicesAsync();
        var page = await NewPageAsync(1366, 860);
        await LoginAsAdminAsync(page);

        await page.GotoAsync("/admin/billing/plans");
        await Expect(page.GetByTestId("plan-table")).ToContainTextAsync("Standard");
        var form = page.GetByTestId("create-plan");
        await form.GetByLabel("Name").FillAsync("Profi");
        await form.GetByLabel("Grundgebühr (€/Monat)").FillAsync("49,90");
        await page.GetByTestId("plan-create").ClickAsync();
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Tarif angelegt");
        await Expect(page.Locator("[data-testid=plan-table] tr[data-plan='Profi']")).ToContainTextAsync("49,90 €");
        await ScreenshotAsync(page, "billing-plans");

        await page.GotoAsync("/admin/billing?preview=2026-03");
        await Expect(page.GetByTestId("preview")).ToContainTextAsync("Vorschau März 2026");
        await Expect(page.GetByTestId("preview-line")).ToHaveCountAsync(2);
        await ScreenshotAsync(page, "billing-preview");

        AssertNoBrowserProblems();
    }
}
