using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using VoiceAgent.CallFlows;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

public sealed class FlowsApiTests : IntegrationTest
{
    private static object Definition(string greeting) => JsonSerializer.Deserialize<JsonElement>($$"""
        {
          "name": "Test",
          "nodes": [
            { "id": "start", "type": "Start" },
            { "id": "bye", "type": "Hangup", "inputs": { "goodbye": "{{greeting}}" } }
          ],
          "connections": [ { "from": "start", "outcome": "Done", "to": "bye" } ]
        }
        """);

    private static async Task<Guid> CreateFlowAsync(HttpClient client, string name = "Rezeption")
    {
        var response = await client.PostAsJsonAsync("/api/flows", new { name, definition = Definition("Hallo v1") });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await Json(response)).GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task Draft_saves_are_audited_once_per_editing_session_and_person()
    {
        var (tenantId, admin) = await App.ApprovedTenantAsync("chef@praxis.de");
        (await admin.PostAsJsonAsync("/api/tenant/users", new { email = "zweite@praxis.de", password = TestData.Password, role = "TenantAdmin" }))
            .EnsureSuccessStatusCode();
        var colleague = await App.LoginAsync("zweite@praxis.de", TestData.Password);
        var id = await CreateFlowAsync(admin);

        foreach (var text in new[] { "Hallo", "Hallo!", "Guten Tag" })
        {
            (await admin.PutAsJsonAsync($"/api/flows/{id}/draft", new { definition = Definition(text) })).EnsureSuccessStatusCode();
        }

        (await colleague.PutAsJsonAsync($"/api/flows/{id}/draft", new { definition = Definition("Servus") })).EnsureSuccessStatusCode();

        var audit = $"SELECT count(*) FROM audit_entries WHERE tenant_id = '{tenantId}' AND action = 'flow.draft_saved'";
        Assert.Equal(2, await CountAsync(audit));
        Assert.Equal(1, await CountAsync(audit + " AND actor_email = 'chef@praxis.de' AND details = 'Rezeption v1 r4'"));
        Assert.Equal(1, await CountAsync(audit + " AND actor_email = 'zweite@praxis.de'"));
    }

    [Fact]
    public async Task Activities_are_served_from_their_descriptors()
    {
        var (_, admin) = await App.ApprovedTenantAsync("chef@praxis.de");

        var activities = await Json(await admin.GetAsync("/api/activities"));

        var listen = activities.EnumerateArray().Single(a => a.GetProperty("type").GetString() == "Listen");
        Assert.Equal("Zuhören", listen.GetProperty("displayName").GetProperty("de").GetString());
        Assert.Equal(["Recognized", "NoInput", "NoMatch"], listen.GetProperty("outcomes").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
        Assert.True(activities.GetArrayLength() >= 14);
    }

    [Fact]
    public async Task Concurrent_publishes_leave_exactly_one_live_version_and_each_publish_is_audited()
    {
        var (_, admin) = await App.ApprovedTenantAsync("chef@praxis.de");
        var id = await CreateFlowAsync(admin);
        for (var v = 1; v <= 6; v++)
        {
            if (v > 1)
            {
                (await admin.PutAsJsonAsync($"/api/flows/{id}/draft", new { definition = Definition($"Hallo v{v}") })).EnsureSuccessStatusCode();
            }

            (await admin.PostAsync($"/api/flows/{id}/versions/{v}/stage", null)).EnsureSuccessStatusCode();
        }

        var responses = await Task.WhenAll(Enumerable.Range(1, 6).Select(v => admin.PostAsync($"/api/flows/{id}/versions/{v}/publish", null)));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, r.StatusCode.ToString()));
        var succeeded = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        Assert.True(succeeded >= 1);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM flow_versions WHERE flow_id = '{id}' AND status = 'live'"));
        Assert.Equal(succeeded, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'flow.published'"));
    }

    [Fact]
    public async Task Rollback_re_promotes_an_older_version_and_is_audited()
    {
        var (_, admin) = await App.ApprovedTenantAsync("chef@praxis.de");
        var id = await CreateFlowAsync(admin);
        (await admin.PostAsync($"/api/flows/{id}/versions/1/publish", null)).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/api/flows/{id}/draft", new { definition = Definition("Hallo v2") })).EnsureSuccessStatusCode();
        (await admin.PostAsync($"/api/flows/{id}/versions/2/publish", null)).EnsureSuccessStatusCode();

        var rollback = await admin.PostAsync($"/api/flows/{id}/versions/1/rollback", null);

        Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
        var versions = (await Json(await admin.GetAsync($"/api/flows/{id}"))).GetProperty("versions").EnumerateArray()
            .ToDictionary(v => v.GetProperty("version").GetInt32(), v => v.GetProperty("status").GetString());
        Assert.Equal("live", versions[1]);
        Assert.Equal("retired", versions[2]);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'flow.rolled_back' AND details = 'Rezeption v1'"));
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/flows/{id}/versions/1/rollback", null)).StatusCode);
    }

    [Fact]
    public async Task Invalid_draft_is_saved_with_errors_but_cannot_be_published()
    {
        var (_, admin) = await App.ApprovedTenantAsync("chef@praxis.de");
        var id = await CreateFlowAsync(admin);
        var broken = JsonSerializer.Deserialize<JsonElement>("""{ "name": "x", "nodes": [ { "id": "say", "type": "Speak" } ], "connections": [] }""");

        var saved = await Json(await admin.PutAsJsonAsync($"/api/flows/{id}/draft", new { definition = broken }));
        var codes = saved.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("code").GetString()).ToList();
        Assert.Contains("missing_start", codes);
        Assert.Contains("missing_input", codes);

        var publish = await admin.PostAsync($"/api/flows/{id}/versions/1/publish", null);
        var errors = await FieldErrors(publish);
        Assert.Contains(errors["definition"], m => m.Contains("Start-Knoten"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM flow_versions WHERE status = 'live'"));
    }

    [Fact]
    public async Task Another_tenants_flow_is_404_everywhere()
    {
        var (_, adminA) = await App.ApprovedTenantAsync("chef@a.de", "A GmbH");
        var (_, adminB) = await App.ApprovedTenantAsync("chef@b.de", "B GmbH");
        var foreign = await CreateFlowAsync(adminB);

        Assert.Equal(HttpStatusCode.NotFound, (await adminA.GetAsync($"/api/flows/{foreign}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await adminA.GetAsync($"/api/flows/{foreign}/versions/1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await adminA.PostAsync($"/api/flows/{foreign}/versions/1/publish", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await adminA.PutAsJsonAsync($"/api/flows/{foreign}/draft", new { definition = Definition("x") })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await adminA.PostAsJsonAsync($"/api/flows/{foreign}/simulations", new { })).StatusCode);
        Assert.Empty((await Json(await adminA.GetAsync("/api/flows"))).EnumerateArray());
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM flow_versions WHERE status = 'live'"));
    }

    [Fact]
    public async Task Validate_endpoint_reports_errors_with_node_ids()
    {
        var (_, admin) = await App.ApprovedTenantAsync("chef@praxis.de");
        var response = await admin.PostAsJsonAsync("/api/flows/validate", new
        {
            definition = JsonSerializer.Deserialize<JsonElement>("""{ "nodes": [ { "id": "s", "type": "Start" }, { "id": "x", "type": "Nope" } ], "connections": [ { "from": "s", "outcome": "Done", "to": "x" } ] }"""),
        });

        var body = await Json(response);
        Assert.False(body.GetProperty("valid").GetBoolean());
        var error = body.GetProperty("errors").EnumerateArray().Single();
        Assert.Equal("x", error.GetProperty("nodeId").GetString());
        Assert.Equal("unknown_type", error.GetProperty("code").GetString());
    }
}
