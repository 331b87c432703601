using System.Text.RegularExpressions;
using Microsoft.Playwright;
using VoiceAgent.Testing;

namespace VoiceAgent.E2E;

/// <summary>The super-admin's tenants grid and detail: filters in the URL, approve and reject through dialogs, and no way in for tenants.</summary>
public sealed class AdminTenantsTests : PortalTest
{
    private const string Approved = "Salon Freigabe GmbH";
    private const string Rejected = "Praxis Ablehnung GmbH";

    [Fact]
    public async Task Super_admin_filters_approves_and_rejects_through_dialogs_tenants_are_forbidden()
    {
        var approveId = await Factory.RegisterAsync(TestData.Registration("freigabe@example.com", Approved));
        var rejectId = await Factory.RegisterAsync(TestData.Registration("ablehnung@example.com", Rejected));

        var admin = await NewPageAsync();
        await LoginAsAdminAsync(admin);

        // The dashboard's link: the pending filter from the query string.
        await admin.GotoAsync("/admin/tenants?status=pending");
        var grid = admin.GetByTestId("tenant-table");
        await Expect(grid).ToHaveAttributeAsync("data-filter-current", "pending");
        await Expect(grid.Locator("a[data-tenant-id]")).ToHaveCountAsync(2);
        await ScreenshotAsync(admin, "admin-tenants-grid");

        // The text filter narrows the grid in place and lands in the URL.
        await admin.EvaluateAsync("() => window.__samePage = true");
        await admin.GetByTestId("filter-text").FillAsync("Freigabe");
        await Expect(grid.Locator("a[data-tenant-id]")).ToHaveCountAsync(1);
        await Expect(admin).ToHaveURLAsync(new Regex(@"/admin/tenants\?status=pending&q=Freigabe$"));
        Assert.True(await admin.EvaluateAsync<bool>("() => window.__samePage === true"), "The filter reloaded the page.");

        // Detail, approve through the confirm dialog; the action is audited and shown in the tenant's trail.
        await grid.Locator($"a[data-tenant-id='{approveId}']").ClickAsync();
        await admin.WaitForURLAsync($"**/admin/tenants/{approveId}");
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(Approved);
        await Expect(admin.GetByTestId("company-details")).ToContainTextAsync("freigabe@example.com");
        await admin.GetByTestId("approve").ClickAsync();
        await Expect(admin.GetByTestId("reason-dialog")).ToBeVisibleAsync();
        await admin.GetByTestId("dialog-confirm").ClickAsync();
        await Expect(admin.GetByText("Der Mandant wurde freigeschaltet und per E-Mail informiert.")).ToBeVisibleAsync();
        await Expect(admin.Locator(".page-header [data-status]")).ToHaveAttributeAsync("data-status", "approved");
        await Expect(admin.GetByTestId("approve")).ToHaveCountAsync(0);
        await Expect(admin.GetByTestId("audit-table").Locator("tr[data-action='tenant.approved']")).ToContainTextAsync(VoiceAgentFactory.AdminEmail);
        await ScreenshotAsync(admin, "admin-tenant-detail-approved");

        // Reject the other: an empty reason is refused in the dialog, a written one is stored and shown.
        await admin.GotoAsync($"/admin/tenants/{rejectId}");
        await admin.GetByTestId("reject").ClickAsync();
        await admin.GetByTestId("dialog-confirm").ClickAsync();
        await Expect(admin.GetByTestId("reason-dialog")).ToBeVisibleAsync();
        await Expect(admin.GetByTestId("reason-dialog")).ToContainTextAsync("Bitte");
        await Expect(admin.Locator(".page-header [data-status]")).ToHaveAttributeAsync("data-status", "pending");
        await admin.GetByTestId("reason-input").FillAsync("Keine Firma erkennbar");
        await admin.GetByTestId("dialog-confirm").ClickAsync();
        await Expect(admin.Locator(".page-header [data-status]")).ToHaveAttributeAsync("data-status", "rejected");
        await Expect(admin.GetByTestId("status-reason")).ToContainTextAsync("Keine Firma erkennbar");
        await Expect(admin.GetByTestId("audit-table").Locator("tr[data-action='tenant.rejected']")).ToContainTextAsync("Keine Firma erkennbar");

        // Filter by status through the select: only the rejected one.
        await admin.GotoAsync("/admin/tenants");
        await Expect(grid.Locator("a[data-tenant-id]")).ToHaveCountAsync(2);
        await admin.GetByTestId("filter-status").Locator("xpath=..").ClickAsync();
        await admin.GetByRole(AriaRole.Option, new() { Name = "Abgelehnt", Exact = true }).ClickAsync();
        await Expect(admin).ToHaveURLAsync(new Regex(@"/admin/tenants\?status=rejected$"));
        await Expect(grid.Locator("a[data-tenant-id]")).ToHaveCountAsync(1);
        await Expect(grid.Locator($"a[data-tenant-id='{rejectId}']")).ToHaveTextAsync(Rejected);

        // The audit log takes its filters from the URL and hands them to the CSV export.
        await admin.GotoAsync("/admin/audit?action=tenant.rejected");
        var audit = admin.GetByTestId("audit-table");
        await Expect(audit.Locator("[data-action='tenant.rejected']")).ToHaveCountAsync(1);
        await Expect(audit).ToContainTextAsync(Rejected);
        await Expect(audit.Locator("[data-action='tenant.approved']")).ToHaveCountAsync(0);
        await Expect(admin.GetByTestId("audit-export")).ToHaveAttributeAsync("href", "/admin/audit/export.csv?action=tenant.rejected");
        await ScreenshotAsync(admin, "admin-audit");

        // Settings: hints only, and the connection test answers in place.
        await admin.GotoAsync("/admin/settings");
        await admin.GetByTestId("test-openai").ClickAsync();
        await Expect(admin.GetByTestId("test-result-openai")).ToHaveAttributeAsync("data-result", "notconfigured");
        await Expect(admin.GetByTestId("test-result-openai")).ToContainTextAsync("Es fehlen Zugangsdaten");

        // A tenant's user never reaches the admin pages (nor the audit export).
        var tenant = await NewPageAsync();
        await LoginAsync(tenant, "freigabe@example.com", TestData.Password, "/app");
        await tenant.GotoAsync("/admin/tenants");
        await tenant.WaitForURLAsync("**/forbidden**");
        await Expect(tenant.GetByTestId("tenant-table")).ToHaveCountAsync(0);
        var export = await tenant.APIRequest.GetAsync("/admin/audit/export.csv", new() { MaxRedirects = 0 });
        Assert.NotEqual(200, export.Status);

        AssertNoBrowserProblems();
    }

    [Fact]
    public async Task Super_admin_exports_a_tenants_data_as_zip_and_records_and_revokes_the_contract_end()
    {
        var (tenantId, _) = await Factory.ApprovedTenantAsync("chef@vertrag.de", "Praxis Vertragsende GmbH");
        var admin = await NewPageAsync();
        await LoginAsAdminAsync(admin);
        await admin.GotoAsync($"/admin/tenants/{tenantId}");
        var card = admin.GetByTestId("tenant-privacy");
        await Expect(card).ToContainTextAsync("Datenschutz und Vertrag");

        // Export asks for the reason, then offers the ZIP; it holds the tenant's files and is audited.
        await admin.GetByTestId("tenant-export").ClickAsync();
        await admin.GetByTestId("reason-input").FillAsync("Auskunftsersuchen des Mandanten");
        await admin.GetByTestId("dialog-confirm").ClickAsync();
        var download = await admin.RunAndWaitForDownloadAsync(() => admin.GetByTestId("tenant-export-download").ClickAsync());
        Assert.StartsWith($"mandant-{tenantId:n}-", download.SuggestedFilename);
        using (var zip = System.IO.Compression.ZipFile.OpenRead((await download.PathAsync())!))
        {
            Assert.Contains(zip.Entries, e => e.FullName == "tenant.json");
            Assert.Contains(zip.Entries, e => e.FullName == "invoices.csv");
        }

        await Expect(admin.GetByTestId("audit-table").Locator("tr[data-action='privacy.tenant_exported']")).ToHaveCountAsync(1);

        // Contract end: the tenant is suspended and the deletion date is shown; revoking keeps everything.
        await admin.GetByTestId("contract-end").ClickAsync();
        await Expect(admin.GetByTestId("reason-dialog")).ToContainTextAsync("gelöscht");
        await admin.GetByTestId("reason-input").FillAsync("Kündigung zum Monatsende");
        await admin.GetByTestId("dialog-confirm").ClickAsync();
        await Expect(admin.GetByTestId("contract-ended")).ToContainTextAsync("Die Daten werden am");
        await Expect(admin.Locator(".page-header [data-status]")).ToHaveAttributeAsync("data-status", "suspended");
        await AssertAccessibleAsync(admin);
        await ScreenshotAsync(admin, "admin-tenant-contract-end");

        await admin.GetByTestId("contract-end-revoke").ClickAsync();
        await admin.GetByTestId("reason-input").FillAsync("Kündigung zurückgezogen");
        await admin.GetByTestId("dialog-confirm").ClickAsync();
        await Expect(admin.GetByTestId("contract-ended")).ToHaveCountAsync(0);
        await Expect(admin.GetByTestId("contract-end")).ToBeVisibleAsync();
        Assert.Equal(0L, await CountAsync($"SELECT count(*) FROM tenants WHERE id = '{tenantId}' AND contract_ended_at IS NOT NULL"));

        AssertNoBrowserProblems();
    }
}
