using System.Net;
using System.Net.Http.Json;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

public sealed class TelephonyPagesTests : IntegrationTest
{
    [Fact]
    public async Task Numbers_page_connects_a_number_in_the_tenants_country_and_lists_it()
    {
        var (tenantId, _) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Alpha");
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        var page = PortalPage.Create(App);
        await page.LoginAsync("chef@praxis.de", TestData.Password);

        var response = await page.PostFormAsync("/app/numbers", "bind-number", new()
        {
            ["Input.Number"] = "030 / 123 45 67",
            ["Input.Region"] = "DE",
            ["Input.Provider"] = "twilio",
            ["Input.FlowId"] = flowId.ToString(),
        });

        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("ist jetzt verbunden", html);
        Assert.Contains("49 30 1234567", html);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM phone_numbers WHERE number = '+49301234567' AND released_at IS NULL"));

        var refused = await page.PostFormAsync("/app/numbers", "bind-number", new()
        {
            ["Input.Number"] = "112", ["Input.Region"] = "DE", ["Input.Provider"] = "twilio", ["Input.FlowId"] = flowId.ToString(),
        });
        Assert.Contains("112", await refused.Content.ReadAsStringAsync());
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM phone_numbers"));
    }

    [Fact]
    public async Task Call_history_lists_no_simulator_sessions_and_shows_the_live_count()
    {
        var (tenantId, admin) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Alpha");
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        var session = await Json(await admin.PostAsJsonAsync($"/api/flows/{flowId}/simulations", new { }));
        Assert.NotEqual(Guid.Empty, session.GetProperty("sessionId").GetGuid());

        var html = await PortalPage.GetAsync(App, "chef@praxis.de", TestData.Password, "/app/calls");

        Assert.Contains("Noch keine Anrufe.", html);
        Assert.Contains("data-testid=\"live-calls\"", html);
    }
}
