using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Npgsql;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

public sealed class FlowPagesTests : IntegrationTest
{
    private const string Admin = "chef@praxis.de";

    private static async Task<string> Html(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Flows_page_lists_live_version_numbers_and_the_designer_link_and_is_in_the_navigation()
    {
        var (tenantId, admin) = await App.ApprovedTenantAsync(Admin, "Praxis Alpha");
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        (await admin.PostAsJsonAsync("/api/tenant/numbers", new { number = "030 1234567", region = "DE", flowId })).EnsureSuccessStatusCode();

        var html = WebUtility.HtmlDecode(await PortalPage.GetAsync(App, Admin, TestData.Password, "/app/flows"));

        Assert.Contains("<h1 class=\"page-title mb-3\">Abläufe</h1>", html);
        Assert.Contains($"data-flow-name=\"Terminannahme\"", html);
        Assert.Contains($"href=\"/app/flows/{flowId}/designer\"", html);
        Assert.Contains(">Bearbeiten</a>", html);
        Assert.Contains("+49 30 1234567", html);
        Assert.Contains("href=\"/app/flows\"", html);
        Assert.Contains("href=\"/app/calendar\"", html);
    }

    [Fact]
    public async Task Flows_are_created_renamed_duplicated_and_deleted_through_the_page()
    {
        var (_, admin) = await App.ApprovedTenantAsync(Admin);
        var page = PortalPage.Create(App);
        await page.LoginAsync(Admin, TestData.Password);

        var created = await Html(await page.PostFormAsync("/app/flows", "create-flow", new() { ["Input.Name"] = "Notdienst" }));
        Assert.Contains("Der Ablauf „Notdienst“ wurde angelegt.", created);
        var id = (await Json(await admin.GetAsync("/api/flows"))).EnumerateArray().Single().GetProperty("id").GetGuid();

        var renamed = await Html(await page.PostFormAsync("/app/flows", $"rename-{id}", new() { ["NewName"] = "Notdienst Wochenende" }));
        Assert.Contains("Der Ablauf heißt jetzt „Notdienst Wochenende“.", renamed);

        var duplicated = await Html(await page.PostFormAsync("/app/flows", $"duplicate-{id}", new()));
        Assert.Contains("Die Kopie „Notdienst Wochenende (Kopie)“ wurde angelegt.", duplicated);
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM flows"));

        var number = await Json(await admin.PostAsJsonAsync("/api/tenant/numbers", new { number = "030 7654321", region = "DE", flowId = id }));
        var refused = await Html(await page.PostFormAsync("/app/flows", $"delete-{id}", new()));
        Assert.Contains("„Notdienst Wochenende“ kann nicht gelöscht werden", refused);
        Assert.Contains("+49 30 7654321", refused);
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM flows"));

        (await admin.DeleteAsync($"/api/tenant/numbers/{number.GetProperty("id").GetGuid()}")).EnsureSuccessStatusCode();
        var deleted = await Html(await page.PostFormAsync("/app/flows", $"delete-{id}", new()));
        Assert.Contains("Der Ablauf „Notdienst Wochenende“ wurde gelöscht.", deleted);
        Assert.Equal(["Notdienst Wochenende (Kopie)"], (await Json(await admin.GetAsync("/api/flows"))).EnumerateArray().Select(f => f.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task A_taken_name_is_reported_on_the_page_and_nothing_changes()
    {
        var (_, admin) = await App.ApprovedTenantAsync(Admin);
        (await admin.PostAsJsonAsync("/api/flows", new { name = "Empfang" })).EnsureSuccessStatusCode();
        var page = PortalPage.Create(App);
        await page.LoginAsync(Admin, TestData.Password);

        var html = await Html(await page.PostFormAsync("/app/flows", "create-flow", new() { ["Input.Name"] = "Empfang" }));

        Assert.Contains("Es gibt bereits einen Ablauf mit diesem Namen.", html);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM flows"));
    }

    [Fact]
    public async Task Designer_api_calls_with_the_portal_cookie_need_the_antiforgery_header()
    {
        var (_, admin) = await App.ApprovedTenantAsync(Admin);
        var id = (await Json(await admin.PostAsJsonAsync("/api/flows", new { name = "Empfang" }))).GetProperty("id").GetGuid();
        var page = PortalPage.Create(App);
        await page.LoginAsync(Admin, TestData.Password);
        var html = await (await page.Client.GetAsync("/app/flows")).Content.ReadAsStringAsync();
        var token = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);

        var reads = await page.Client.GetAsync($"/api/flows/{id}");
        var without = await page.Client.PatchAsJsonAsync($"/api/flows/{id}", new { name = "Gekapert" });
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/flows/{id}") { Content = JsonContent.Create(new { name = "Rezeption" }) };
        request.Headers.Add("RequestVerificationToken", token);
        var with = await page.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, reads.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, without.StatusCode);
        Assert.Contains("Bitte laden Sie die Seite neu", (await Json(without)).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM flows WHERE name = 'Rezeption'"));
    }

    [Fact]
    public async Task Tenant_and_admin_api_changes_with_the_portal_cookie_also_need_the_antiforgery_header()
    {
        var (tenantId, admin) = await App.ApprovedTenantAsync(Admin);
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        var page = PortalPage.Create(App);
        await page.LoginAsync(Admin, TestData.Password);

        // A cross-site form post rides on the cookie but cannot know the token: refused, nothing bound.
        var forged = await page.Client.PostAsJsonAsync("/api/tenant/numbers", new { number = "030 1234567", region = "DE", flowId });
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await page.Client.DeleteAsync("/api/tenant/twilio-account")).StatusCode);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM phone_numbers"));
        Assert.Equal(HttpStatusCode.OK, (await page.Client.GetAsync("/api/tenant/numbers")).StatusCode);

        // Bearer clients (scripts, the CLI) carry no ambient credentials and need no token.
        Assert.Equal(HttpStatusCode.Created,
            (await admin.PostAsJsonAsync("/api/tenant/numbers", new { number = "030 1234567", region = "DE", flowId })).StatusCode);
    }
}
