using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NodaTime;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Billing;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>ABRECHNUNGEN (super-admin) and Abrechnung (tenant) over HTTP, forms included.</summary>
public sealed partial class BillingPagesTests : IntegrationTest
{
    private static readonly Actor Admin = new(null, "admin@test.local");

    private BillingSeed Seed => new(Database);

    private async Task<PortalPage> AdminPageAsync()
    {
        var page = PortalPage.Create(App);
        await page.LoginAsync(VoiceAgentFactory.AdminEmail, VoiceAgentFactory.AdminPassword);
        return page;
    }

    private async Task<(Guid Salon, Guid Other)> TwoBilledTenantsAsync()
    {
        var (salon, _) = await App.ApprovedTenantAsync("chef@salon.de");
        var other = await Seed.TenantAsync("Zahnarzt Dr. Bohr");
        var plan = await Seed.PlanAsync("Standard", 4900, 100, 30, 12m, 9m);
        await Seed.AssignAsync(salon, plan, new DateOnly(2025, 6, 1));
        await Seed.AssignAsync(other, plan, new DateOnly(2025, 6, 1));
        await Seed.UsageAsync(salon, "bot", new DateTimeOffset(2026, 1, 10, 9, 0, 0, TimeSpan.Zero), 7200);
        var run = App.Services.GetRequiredService<BillingRun>();
        await run.RunAsync(new BillingPeriod(2026, 1), RunTriggers.Manual, Admin, finalize: true);
        await run.RunAsync(new BillingPeriod(2026, 2), RunTriggers.Manual, Admin, finalize: false);
        return (salon, other);
    }

    [Fact]
    public async Task Admin_billing_lists_invoices_with_all_filters_on_alle_and_filters_by_tenant_period_and_status()
    {
        var (salon, _) = await TwoBilledTenantsAsync();
        var page = await AdminPageAsync();

        var all = await page.Client.GetStringAsync("/admin/billing");
        Assert.Contains("<h1 class=\"page-title m-0\">Abrechnungen</h1>", all);
        foreach (var filter in new[] { "filter-period", "filter-tenant", "filter-status" })
        {
            Assert.Matches($"<select id=\"{filter}\"[^>]*>\\s*<option value(=\"\")? selected(=\"\")?>Alle</option>", all);
        }

        Assert.Equal(4, InvoiceRows().Matches(all).Count);
        Assert.Equal(2, InvoiceRows().Matches(await page.Client.GetStringAsync($"/admin/billing?tenant={salon}")).Count);
        Assert.Equal(2, InvoiceRows().Matches(await page.Client.GetStringAsync("/admin/billing?period=2026-01")).Count);
        var drafts = await page.Client.GetStringAsync("/admin/billing?period=&tenant=&status=draft");
        Assert.Equal(2, InvoiceRows().Matches(drafts).Count);
        Assert.Matches("<option value=\"draft\" selected(=\"\")?>Entwurf</option>", drafts);
        Assert.Single(InvoiceRows().Matches(await page.Client.GetStringAsync($"/admin/billing?period=2026-02&tenant={salon}&status=draft")));
    }

    [Fact]
    public async Task Admin_previews_runs_finalizes_and_cancels_from_the_page()
    {
        var (salon, _) = await TwoBilledTenantsAsync();
        var page = await AdminPageAsync();

        var preview = await page.Client.GetStringAsync("/admin/billing?preview=2026-03");
        Assert.Contains("Vorschau März 2026", preview);
        Assert.Contains("49,00 €", preview);
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM invoices WHERE period = '2026-03-01'"));

        var run = await page.PostFormAsync("/admin/billing", "run", new() { ["RunPeriod"] = "2026-03", ["RunFinalize"] = "true" });
        Assert.Contains("2 neu", await run.Content.ReadAsStringAsync());
        Assert.Equal(2L, await CountAsync("SELECT count(*) FROM invoices WHERE period = '2026-03-01' AND status = 'finalized'"));

        var draft = await Seed.ScalarAsync<Guid>("SELECT id FROM invoices WHERE period = '2026-02-01' AND tenant_id = @t", ("t", salon));
        await page.PostFormAsync("/admin/billing", $"finalize-{draft}", []);
        Assert.Equal("finalized", await Seed.ScalarAsync<string>("SELECT status FROM invoices WHERE id = @i", ("i", draft)));

        var cancel = await page.PostFormAsync("/admin/billing", $"cancel-{draft}", new() { ["Reason"] = "Doppelt berechnet" });
        Assert.Contains("Stornorechnung ist erstellt", await cancel.Content.ReadAsStringAsync());
        Assert.Equal("cancelled", await Seed.ScalarAsync<string>("SELECT status FROM invoices WHERE id = @i", ("i", draft)));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'invoice.cancelled' AND reason = 'Doppelt berechnet'"));

        var pdf = await page.Client.GetAsync($"/admin/billing/invoices/{draft}/pdf");
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString(await pdf.Content.ReadAsByteArrayAsync())[..5]);
    }

    [Fact]
    public async Task Plans_and_packages_are_managed_on_their_page_with_german_decimals()
    {
        var (salon, _) = await App.ApprovedTenantAsync("chef@salon.de");
        var page = await AdminPageAsync();

        await page.PostFormAsync("/admin/billing/plans", "create-plan", new()
        {
            ["NewPlan.Name"] = "Profi",
            ["NewPlan.BaseFeeEuro"] = "49,90",
            ["NewPlan.IncludedBotMinutes"] = "300",
            ["NewPlan.IncludedForwardMinutes"] = "60",
            ["NewPlan.BotRateCents"] = "1,5",
            ["NewPlan.ForwardRateCents"] = "9",
            ["NewPlan.Increment"] = "second",
        });
        var planId = await Seed.ScalarAsync<Guid>("SELECT id FROM billing_plans WHERE name = 'Profi'");
        Assert.Equal(4990L, await Seed.ScalarAsync<long>("SELECT base_fee_cents FROM billing_plan_versions WHERE plan_id = @p", ("p", planId)));
        Assert.Equal(1.5m, await Seed.ScalarAsync<decimal>("SELECT bot_rate_cents FROM billing_plan_versions WHERE plan_id = @p", ("p", planId)));

        await page.PostFormAsync("/admin/billing/plans", "assign-plan", new()
        {
            ["Assign.TenantId"] = salon.ToString(),
            ["Assign.PlanId"] = planId.ToString(),
            ["Assign.StartDate"] = "2026-01-15",
        });
        Assert.Equal(new DateOnly(2026, 1, 15), await Seed.ScalarAsync<DateOnly>("SELECT start_date FROM tenant_plans WHERE tenant_id = @t", ("t", salon)));

        var refused = await page.PostFormAsync("/admin/billing/plans", "assign-plan", new()
        {
            ["Assign.TenantId"] = salon.ToString(),
            ["Assign.PlanId"] = planId.ToString(),
            ["Assign.StartDate"] = "2026-03-15",
        });
        Assert.Contains("ab dem 1. eines Monats", await refused.Content.ReadAsStringAsync());

        await page.PostFormAsync("/admin/billing/plans", "create-package", new()
        {
            ["NewPackage.Name"] = "Paket 1000",
            ["NewPackage.Minutes"] = "1000",
            ["NewPackage.PriceEuro"] = "89,00",
            ["NewPackage.ValidityMonths"] = "12",
        });
        Assert.Equal(8900L, await Seed.ScalarAsync<long>("SELECT price_cents FROM minute_packages WHERE name = 'Paket 1000'"));

        await page.PostFormAsync("/admin/billing/plans", "grant-package", new()
        {
            ["Grant.TenantId"] = salon.ToString(),
            ["Grant.Minutes"] = "60",
            ["Grant.ValidUntil"] = "2026-12-31",
            ["Grant.Note"] = "Kulanz",
        });
        Assert.Equal(3600L, await Seed.ScalarAsync<long>("SELECT seconds_remaining FROM package_balances WHERE tenant_id = @t", ("t", salon)));
        var html = await page.Client.GetStringAsync("/admin/billing/plans");
        Assert.Contains("Profi", html);
        Assert.Contains("Paket 1000", html);
    }

    [Fact]
    public async Task Tenant_sees_usage_packages_and_own_issued_invoices_but_no_drafts_or_foreign_pdfs()
    {
        var (salon, other) = await TwoBilledTenantsAsync();
        // The page shows the current Berlin month. On the real clock "five minutes ago" fell into the previous month during
        // the first minutes of a month; on a fixed clock mid-month the usage is in the shown month whenever the test runs.
        var now = new DateTimeOffset(2026, 3, 16, 10, 0, 0, TimeSpan.Zero);
        await using var app = new VoiceAgentFactory(Database) { Time = new FakeTimeProvider(now) };
        await Seed.UsageAsync(salon, "bot", now.AddMinutes(-5), 125 * 60);
        await Seed.GrantedPackageAsync(salon, 60, DateOnly.FromDateTime(now.UtcDateTime).AddMonths(2), now.AddDays(-1));
        var page = PortalPage.Create(app);
        await page.LoginAsync("chef@salon.de", TestData.Password);

        var html = await page.Client.GetStringAsync("/app/billing");

        Assert.Contains("125 von 100 inklusive", html);
        Assert.Contains("60 / 60 min", html);
        Assert.Contains("Online-Kauf ist noch nicht eingerichtet", html);
        var ownFinal = await Seed.ScalarAsync<Guid>("SELECT id FROM invoices WHERE tenant_id = @t AND status = 'finalized'", ("t", salon));
        var ownDraft = await Seed.ScalarAsync<Guid>("SELECT id FROM invoices WHERE tenant_id = @t AND status = 'draft'", ("t", salon));
        var foreign = await Seed.ScalarAsync<Guid>("SELECT id FROM invoices WHERE tenant_id = @t AND status = 'finalized'", ("t", other));
        Assert.Contains(ownFinal.ToString(), html);
        Assert.DoesNotContain(ownDraft.ToString(), html);
        Assert.Equal(HttpStatusCode.OK, (await page.Client.GetAsync($"/app/billing/invoices/{ownFinal}/pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await page.Client.GetAsync($"/app/billing/invoices/{ownDraft}/pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await page.Client.GetAsync($"/app/billing/invoices/{foreign}/pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await page.Client.GetAsync("/admin/billing")).StatusCode);
    }

    [GeneratedRegex("<tr data-invoice-id=")]
    private static partial Regex InvoiceRows();
}
