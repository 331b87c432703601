using System.Net;
using System.Net.Http.Json;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

public sealed class ApprovalApiTests : IntegrationTest
{
    [Fact]
    public async Task Pending_admin_can_sign_in_but_only_sees_the_review_status()
    {
        await App.RegisterAsync(TestData.Registration("wartet@firma.de"));
        var tenant = await App.LoginAsync("wartet@firma.de", TestData.Password);

        var own = await Json(await tenant.GetAsync("/api/tenant"));
        Assert.Equal("pending", own.GetProperty("status").GetString());
        var users = await tenant.GetAsync("/api/tenant/users");
        Assert.Equal(HttpStatusCode.Forbidden, users.StatusCode);
        Assert.Contains("Registrierung wird geprüft", (await Json(users)).GetProperty("title").GetString());

        var html = await PortalPage.GetAsync(App, "wartet@firma.de", TestData.Password, "/status");
        Assert.Contains("Ihre Registrierung wird geprüft", html);
        var page = PortalPage.Create(App);
        await page.LoginAsync("wartet@firma.de", TestData.Password);
        var dashboard = await page.Client.GetAsync("/app");
        Assert.Equal(HttpStatusCode.Redirect, dashboard.StatusCode);
        Assert.Equal("/status", dashboard.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Approval_lifecycle_is_audited_and_mailed_to_the_tenant_admin()
    {
        var id = await App.RegisterAsync(TestData.Registration("chef@werkstatt.de", "Werkstatt Huber"));
        var admin = await App.LoginAsAdminAsync();

        Assert.Equal("approved", (await Json(await admin.PostAsync($"/api/admin/tenants/{id}/approve", null))).GetProperty("status").GetString());
        var suspend = await admin.PostAsJsonAsync($"/api/admin/tenants/{id}/suspend", new { reason = "Zahlung offen" });
        Assert.Equal("suspended", (await Json(suspend)).GetProperty("status").GetString());
        Assert.Equal("approved", (await Json(await admin.PostAsync($"/api/admin/tenants/{id}/reactivate", null))).GetProperty("status").GetString());

        var audit = await Json(await admin.GetAsync($"/api/admin/audit?tenantId={id}"));
        var actions = audit.EnumerateArray().Select(a => a.GetProperty("action").GetString()).Reverse().ToList();
        Assert.Equal(["tenant.registered", "tenant.approved", "tenant.suspended", "tenant.reactivated"], actions);
        var suspended = audit.EnumerateArray().Single(a => a.GetProperty("action").GetString() == "tenant.suspended");
        Assert.Equal("Zahlung offen", suspended.GetProperty("reason").GetString());
        Assert.Equal(VoiceAgentFactory.AdminEmail, suspended.GetProperty("actorEmail").GetString());

        // Sent after commit by the outbox job.
        var mails = await App.WaitForMailsAsync(3);
        Assert.Equal(3, mails.Count);
        Assert.All(mails, m => Assert.Contains("To: chef@werkstatt.de", m));
        Assert.Contains(mails, m => m.Contains("Zahlung offen"));
    }

    [Fact]
    public async Task Rejection_needs_a_reason_and_the_tenant_sees_it()
    {
        var id = await App.RegisterAsync(TestData.Registration("nein@firma.de"));
        var admin = await App.LoginAsAdminAsync();

        var missing = await admin.PostAsJsonAsync($"/api/admin/tenants/{id}/reject", new { reason = " " });
        Assert.Equal("Bitte geben Sie eine Begründung an.", (await FieldErrors(missing))["reason"][0]);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM tenants WHERE status = 'pending'"));

        var rejected = await admin.PostAsJsonAsync($"/api/admin/tenants/{id}/reject", new { reason = "Keine Firma <b>erkennbar</b>" });
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);

        var html = await PortalPage.GetAsync(App, "nein@firma.de", TestData.Password, "/status");
        Assert.Contains("Keine Firma &lt;b&gt;erkennbar&lt;/b&gt;", html);
    }

    [Fact]
    public async Task Impossible_transitions_are_conflicts_and_change_nothing()
    {
        var id = await App.RegisterAsync(TestData.Registration("x@firma.de"));
        var admin = await App.LoginAsAdminAsync();

        var reactivate = await admin.PostAsync($"/api/admin/tenants/{id}/reactivate", null);
        Assert.Equal(HttpStatusCode.Conflict, reactivate.StatusCode);
        Assert.Equal("Diese Aktion ist im Status „Ausstehend“ nicht möglich.", (await Json(reactivate)).GetProperty("title").GetString());
        var suspend = await admin.PostAsJsonAsync($"/api/admin/tenants/{id}/suspend", new { reason = "x" });
        Assert.Equal(HttpStatusCode.Conflict, suspend.StatusCode);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM tenants WHERE status = 'pending'"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM audit_entries WHERE tenant_id IS NOT NULL"));
    }

    [Fact]
    public async Task Tenant_list_filters_by_status()
    {
        var a = await App.RegisterAsync(TestData.Registration("a@firma.de", "A GmbH"));
        await App.RegisterAsync(TestData.Registration("b@firma.de", "B GmbH"));
        var admin = await App.LoginAsAdminAsync();
        await admin.PostAsync($"/api/admin/tenants/{a}/approve", null);

        async Task<string[]> Names(string status) =>
            (await Json(await admin.GetAsync($"/api/admin/tenants?status={status}"))).EnumerateArray()
                .Select(t => t.GetProperty("companyName").GetString()!).Order().ToArray();

        Assert.Equal(["A GmbH"], await Names("approved"));
        Assert.Equal(["B GmbH"], await Names("pending"));
        Assert.Empty(await Names("suspended"));
        Assert.Equal(["A GmbH", "B GmbH"], await Names("all"));
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/admin/tenants?status=deleted")).StatusCode);
    }

    [Fact]
    public async Task Admin_endpoints_refuse_tenants_and_anonymous_callers()
    {
        var (id, tenant) = await App.ApprovedTenantAsync("chef@firma.de");

        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.GetAsync("/api/admin/tenants")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.PostAsJsonAsync($"/api/admin/tenants/{id}/suspend", new { reason = "x" })).StatusCode);
        var anonymous = await App.CreateClient().GetAsync("/api/admin/tenants");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bitte melden Sie sich an.", (await Json(anonymous)).GetProperty("title").GetString());
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM tenants WHERE status = 'approved'"));
    }

    [Fact]
    public async Task Unknown_tenant_id_is_404()
    {
        var admin = await App.LoginAsAdminAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/admin/tenants/{Guid.NewGuid()}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/admin/tenants/{Guid.NewGuid()}")).StatusCode);
    }
}
