using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Npgsql;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

public sealed class FlowPagesTests : IntegrationTest
{
    private const string Admin = "chef@praxis.de";

    [Fact]
    public async Task Flow_api_changes_with_the_portal_cookie_alone_are_refused()
    {
        // The designer works over its Blazor circuit now; no page hands a script a token for the JSON API, so a change
        // that rides on the cookie alone (a cross-site request) is refused and changes nothing. Reading stays possible.
        var (_, admin) = await App.ApprovedTenantAsync(Admin);
        var id = (await Json(await admin.PostAsJsonAsync("/api/flows", new { name = "Empfang" }))).GetProperty("id").GetGuid();
        var page = PortalPage.Create(App);
        await page.LoginAsync(Admin, TestData.Password);

        var reads = await page.Client.GetAsync($"/api/flows/{id}");
        var without = await page.Client.PatchAsJsonAsync($"/api/flows/{id}", new { name = "Gekapert" });
        var forged = new HttpRequestMessage(HttpMethod.Patch, $"/api/flows/{id}") { Content = JsonContent.Create(new { name = "Gekapert" }) };
        forged.Headers.Add("RequestVerificationToken", "erfunden");
        var withForgedToken = await page.Client.SendAsync(forged);

        Assert.Equal(HttpStatusCode.OK, reads.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, without.StatusCode);
        Assert.Contains("Bitte laden Sie die Seite neu", (await Json(without)).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, withForgedToken.StatusCode);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM flows WHERE name = 'Gekapert'"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM flows WHERE name = 'Empfang'"));
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
