using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Billing;
using VoiceAgent.Billing.Pages;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// What ABRECHNUNGEN, Tarife &amp; Pakete and the tenant's Abrechnung do, against the real database: the interactive pages
/// render no HTML over plain HTTP, so their queries and the use cases they call are proven here and the pages themselves
/// in bunit and browser tests.
/// </summary>
public sealed class BillingPagesTests : IntegrationTest
{
    private static readonly Actor Admin = new(null, "admin@test.local");

    private BillingSeed Seed => new(Database);

    // Two tenants, January finalized and February as drafts: four invoices.
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

    // The page's grid query: the filter applied to the invoices in the super-admin's (platform) scope.
    private async Task<int> CountAsync(InvoiceFilter filter)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        db.Scope.UsePlatform();
        await using var tx = await db.Database.BeginTransactionAsync();
        return await filter.Apply(db.Invoices.AsNoTracking()).CountAsync();
    }

    [Fact]
    public async Task Invoice_filters_on_alle_list_everything_and_each_filter_narrows_the_grid()
    {
        var (salon, _) = await TwoBilledTenantsAsync();

        // "Alle" is the value "all" in the address; a missing or unknown value reads as "Alle" too.
        Assert.Equal(InvoiceFilter.Unfiltered, InvoiceFilter.FromQuery("all", "all", "all"));
        Assert.Equal(InvoiceFilter.Unfiltered, InvoiceFilter.FromQuery(null, "", "bogus"));
        Assert.All(InvoiceFilter.Unfiltered.ToQuery().Values, Assert.Null);

        Assert.Equal(4, await CountAsync(InvoiceFilter.Unfiltered));
        Assert.Equal(2, await CountAsync(InvoiceFilter.FromQuery("all", salon.ToString(), "all")));
        Assert.Equal(2, await CountAsync(InvoiceFilter.FromQuery("2026-01", null, null)));
        Assert.Equal(2, await CountAsync(InvoiceFilter.FromQuery(null, null, "draft")));
        Assert.Equal(1, await CountAsync(InvoiceFilter.FromQuery("2026-02", salon.ToString(), "draft")));
        Assert.Equal("2026-02", new InvoiceFilter("2026-02").ToQuery()["period"]);
    }

    [Fact]
    public async Task Admin_previews_runs_finalizes_and_cancels_with_a_reason_as_the_page_does()
    {
        var (salon, _) = await TwoBilledTenantsAsync();

        var preview = await App.Services.GetRequiredService<BillingRun>().PreviewAsync(new BillingPeriod(2026, 3));
        Assert.Equal("März 2026", preview.Period.Display);
        Assert.Equal(2, preview.Bills.Count);
        Assert.All(preview.Bills, b => Assert.Equal(4900L, b.Preview.NetCents));
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM invoices WHERE period = '2026-03-01'"));

        await using (var scope = App.Services.CreateAsyncScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<MonthlyBillingJob>()
                .RunPeriodAsync(new BillingPeriod(2026, 3), true, RunTriggers.Manual, Admin, null, CancellationToken.None);
            Assert.Equal(2, result.Created);
        }

        Assert.Equal(2L, await CountAsync("SELECT count(*) FROM invoices WHERE period = '2026-03-01' AND status = 'finalized'"));

        var draft = await Seed.ScalarAsync<Guid>("SELECT id FROM invoices WHERE period = '2026-02-01' AND tenant_id = @t", ("t", salon));
        var cancel = App.Services.GetRequiredService<CancelInvoice>();
        var refused = await Assert.ThrowsAsync<BillingException>(() => cancel.HandleAsync(draft, "Doppelt berechnet", Admin));
        Assert.Equal(BillingErrorCodes.DraftNotCancellable, refused.Code);

        await App.Services.GetRequiredService<InvoiceFinalizer>().FinalizeAsync(draft, Admin);
        Assert.Equal("finalized", await Seed.ScalarAsync<string>("SELECT status FROM invoices WHERE id = @i", ("i", draft)));

        var cancellation = await cancel.HandleAsync(draft, "Doppelt berechnet", Admin);
        Assert.Equal("cancelled", await Seed.ScalarAsync<string>("SELECT status FROM invoices WHERE id = @i", ("i", draft)));
        Assert.Equal("cancellation", await Seed.ScalarAsync<string>("SELECT kind FROM invoices WHERE id = @i", ("i", cancellation)));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'invoice.cancelled' AND reason = 'Doppelt berechnet'"));
        var again = await Assert.ThrowsAsync<BillingException>(() => cancel.HandleAsync(draft, "Noch einmal", Admin));
        Assert.Equal(BillingErrorCodes.AlreadyCancelled, again.Code);

        var page = PortalPage.Create(App);
        await page.LoginAsync(VoiceAgentFactory.AdminEmail, VoiceAgentFactory.AdminPassword);
        var pdf = await page.Client.GetAsync($"/admin/billing/invoices/{draft}/pdf");
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString(await pdf.Content.ReadAsByteArrayAsync())[..5]);
    }

    [Fact]
    public async Task A_draft_is_deleted_but_a_finalized_invoice_is_refused_with_its_code()
    {
        var (salon, _) = await TwoBilledTenantsAsync();
        var delete = App.Services.GetRequiredService<DeleteDraftInvoice>();
        var final = await Seed.ScalarAsync<Guid>("SELECT id FROM invoices WHERE period = '2026-01-01' AND tenant_id = @t", ("t", salon));
        var draft = await Seed.ScalarAsync<Guid>("SELECT id FROM invoices WHERE period = '2026-02-01' AND tenant_id = @t", ("t", salon));

        var refused = await Assert.ThrowsAsync<BillingException>(() => delete.HandleAsync(final, Admin));
        Assert.Equal(BillingErrorCodes.OnlyDraftsDeletable, refused.Code);
        await delete.HandleAsync(draft, Admin);

        Assert.Equal(0L, await Seed.ScalarAsync<long>("SELECT count(*) FROM invoices WHERE id = @i", ("i", draft)));
    }

    // One action as the page runs it through PortalData: a fresh scope, the platform's scope, one transaction.
    private async Task<T> AsAdminAsync<T>(Func<IServiceProvider, VoiceAgentDb, Task<T>> work)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        db.Scope.UsePlatform();
        await using var tx = await db.Database.BeginTransactionAsync();
        var result = await work(scope.ServiceProvider, db);
        await tx.CommitAsync();
        return result;
    }

    private Task<T> CatalogAsync<T>(Func<PlanCatalog, Task<T>> work) => AsAdminAsync((s, _) => work(s.GetRequiredService<PlanCatalog>()));

    [Fact]
    public async Task Plans_and_packages_are_managed_with_german_decimals_and_a_price_change_is_a_new_version()
    {
        var (salon, _) = await App.ApprovedTenantAsync("chef@salon.de");

        // The form's amounts as typed on the page: either decimal separator.
        var form = new PriceForm { BaseFeeEuro = "49,90", IncludedBotMinutes = 300, IncludedForwardMinutes = 60, BotRateCents = "1,5", ForwardRateCents = "9", Increment = "second" };
        Assert.False(PriceForm.TryAmount("neunzig", out _));
        Assert.False(PriceForm.TryAmount("-1", out _));
        var plan = await CatalogAsync(c => c.CreatePlanAsync("Profi", null, form.ToPrices(), Admin));
        Assert.Equal(4990L, await Seed.ScalarAsync<long>("SELECT base_fee_cents FROM billing_plan_versions WHERE plan_id = @p", ("p", plan.Id)));
        Assert.Equal(1.5m, await Seed.ScalarAsync<decimal>("SELECT bot_rate_cents FROM billing_plan_versions WHERE plan_id = @p", ("p", plan.Id)));
        var taken = await Assert.ThrowsAsync<BillingException>(() => CatalogAsync(c => c.CreatePlanAsync("Profi", null, form.ToPrices(), Admin)));
        Assert.Equal(BillingErrorCodes.PlanNameTaken, taken.Code);

        // A price change is a new version from a coming month; the old version keeps its prices for what it billed.
        var next = await CatalogAsync(c => Task.FromResult(c.CurrentPeriod().Next));
        var now = await Assert.ThrowsAsync<BillingException>(() => CatalogAsync(c => c.ChangePricesAsync(plan.Id, form.ToPrices(), c.CurrentPeriod(), Admin)));
        Assert.Equal(BillingErrorCodes.PricesFromNextMonth, now.Code);
        await CatalogAsync(c => c.ChangePricesAsync(plan.Id, new PriceForm { BaseFeeEuro = "59.90", BotRateCents = "2", ForwardRateCents = "9" }.ToPrices(), next, Admin));
        Assert.Equal(2L, await Seed.ScalarAsync<long>("SELECT count(*) FROM billing_plan_versions WHERE plan_id = @p", ("p", plan.Id)));
        Assert.Equal(5990L, await Seed.ScalarAsync<long>("SELECT base_fee_cents FROM billing_plan_versions WHERE plan_id = @p AND version = 2", ("p", plan.Id)));
        Assert.Equal(4990L, await Seed.ScalarAsync<long>("SELECT base_fee_cents FROM billing_plan_versions WHERE plan_id = @p AND version = 1", ("p", plan.Id)));

        await CatalogAsync(c => c.AssignAsync(salon, plan.Id, new DateOnly(2026, 1, 15), Admin));
        Assert.Equal(new DateOnly(2026, 1, 15), await Seed.ScalarAsync<DateOnly>("SELECT start_date FROM tenant_plans WHERE tenant_id = @t", ("t", salon)));
        var midMonth = await Assert.ThrowsAsync<BillingException>(() => CatalogAsync(c => c.AssignAsync(salon, plan.Id, new DateOnly(2026, 3, 15), Admin)));
        Assert.Equal(BillingErrorCodes.PlanChangeFirstOfMonth, midMonth.Code);
        Assert.Contains("ab dem 1. eines Monats", midMonth.Message);

        await AsAdminAsync((s, _) => s.GetRequiredService<PackageCatalog>().CreatePackageAsync("Paket 1000", 1000, PriceForm.Cents(PriceForm.Amount("89,00")), 12, Admin));
        Assert.Equal(8900L, await Seed.ScalarAsync<long>("SELECT price_cents FROM minute_packages WHERE name = 'Paket 1000'"));

        await AsAdminAsync((s, db) => s.GetRequiredService<PackageCredits>()
            .GrantAsync(db, salon, "Gutschrift", 60, new DateOnly(2026, 12, 31), "Kulanz", Admin, CancellationToken.None));
        Assert.Equal(3600L, await Seed.ScalarAsync<long>("SELECT seconds_remaining FROM package_balances WHERE tenant_id = @t", ("t", salon)));
    }

    [Fact]
    public async Task A_tenant_reads_only_its_own_issued_invoices_and_pdfs()
    {
        var (salon, other) = await TwoBilledTenantsAsync();
        var ownFinal = await Seed.ScalarAsync<Guid>("SELECT id FROM invoices WHERE tenant_id = @t AND status = 'finalized'", ("t", salon));
        var ownDraft = await Seed.ScalarAsync<Guid>("SELECT id FROM invoices WHERE tenant_id = @t AND status = 'draft'", ("t", salon));
        var foreign = await Seed.ScalarAsync<Guid>("SELECT id FROM invoices WHERE tenant_id = @t AND status = 'finalized'", ("t", other));

        // The tenant page's query in the tenant's scope (as PortalData runs it): row-level security keeps it to its own rows.
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
            db.Scope.UseTenant(salon);
            await using var tx = await db.Database.BeginTransactionAsync();
            var listed = await db.Invoices.AsNoTracking().Where(i => i.Status != InvoiceStatuses.Draft).Select(i => i.Id).ToListAsync();
            Assert.Equal([ownFinal], listed);
            Assert.False(await db.Invoices.AnyAsync(i => i.Id == foreign));
        }

        var page = PortalPage.Create(App);
        await page.LoginAsync("chef@salon.de", TestData.Password);
        Assert.Equal(HttpStatusCode.OK, (await page.Client.GetAsync($"/app/billing/invoices/{ownFinal}/pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await page.Client.GetAsync($"/app/billing/invoices/{ownDraft}/pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await page.Client.GetAsync($"/app/billing/invoices/{foreign}/pdf")).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await page.Client.GetAsync($"/admin/billing/invoices/{ownFinal}/pdf")).StatusCode);
    }
}
