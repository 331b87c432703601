using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.CallFlows;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Telephony.Twilio;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>Call replay (issue #14): a stored run's steps with the version that ran, for test-console sessions and phone calls.</summary>
public sealed class ReplayTests : IntegrationTest
{
    private const string AuthToken = "0123456789abcdef0123456789abcdef";

    private static async Task<Guid> StartSimulationAsync(HttpClient client, Guid flowId)
    {
        var response = await client.PostAsJsonAsync($"/api/flows/{flowId}/simulations", new { callerNumber = "+491701234567" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await Json(response)).GetProperty("sessionId").GetGuid();
    }

    private static async Task<JsonElement> SayAsync(HttpClient client, Guid flowId, Guid sessionId, string text)
    {
        var response = await client.PostAsJsonAsync($"/api/flows/{flowId}/simulations/{sessionId}/turns", new { text });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json(response);
    }

    private static async Task<JsonElement> ReplayAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json(response);
    }

    private static string Step(JsonElement s) =>
        $"{s.GetProperty("turn").GetInt32()}:{s.GetProperty("nodeId").GetString()}"
        + (s.GetProperty("edge") is { ValueKind: JsonValueKind.Object } e
            ? $" {e.GetProperty("outcome").GetString()} -> {e.GetProperty("target").GetString()}"
            : s.GetProperty("waits").GetString() is { } waits ? $" waits {waits}" : s.GetProperty("ends").GetBoolean() ? " ends" : "");

    private static string[] Texts(JsonElement lines) => lines.EnumerateArray().Select(l => l.GetProperty("text").GetString()!).ToArray();

    [Fact]
    public async Task A_test_console_booking_replays_its_path_in_order_with_variables_and_lines()
    {
        var (tenantId, admin) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Dr. Weber");
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        var sessionId = await StartSimulationAsync(admin, flowId);
        var offer = await SayAsync(admin, flowId, sessionId, "Ich möchte gerne einen Termin vereinbaren");
        var slotText = offer.GetProperty("variables").GetProperty("slot").GetProperty("text").GetString()!;
        await SayAsync(admin, flowId, sessionId, "Ja, das passt");
        var bye = await SayAsync(admin, flowId, sessionId, "Nein danke, tschüss");
        Assert.Equal("completed", bye.GetProperty("status").GetString());

        var replay = await ReplayAsync(admin, $"/api/flows/{flowId}/sessions/{sessionId}/replay");

        Assert.Equal(sessionId, replay.GetProperty("sessionId").GetGuid());
        Assert.Equal("simulation", replay.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, replay.GetProperty("callId").ValueKind);
        Assert.Equal(flowId, replay.GetProperty("flowId").GetGuid());
        Assert.Equal(1, replay.GetProperty("version").GetInt32());
        Assert.Equal("live", replay.GetProperty("versionStatus").GetString());
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM flow_versions WHERE id = '{replay.GetProperty("versionId").GetGuid()}' AND flow_id = '{flowId}'"));
        Assert.Contains(replay.GetProperty("definition").GetProperty("nodes").EnumerateArray(), n => n.GetProperty("id").GetString() == "findSlots");
        Assert.True(replay.GetProperty("pathInDefinition").GetBoolean());
        Assert.True(replay.GetProperty("traced").GetBoolean());
        Assert.Equal("completed", replay.GetProperty("status").GetString());

        var steps = replay.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(
        [
            "0:start Done -> greeting", "0:greeting Done -> intent", "0:intent waits caller-input",
            "1:intent Recognized -> isBook", "1:isBook True -> findSlots", "1:findSlots Found -> offer", "1:offer Done -> confirm",
            "1:confirm waits caller-input",
            "2:confirm Recognized -> confirmed", "2:confirmed True -> book", "2:book Created -> bookedPending",
            "2:bookedPending False -> booked", "2:booked Done -> anythingElse", "2:anythingElse Done -> anythingElseListen",
            "2:anythingElseListen waits caller-input",
            "3:anythingElseListen Recognized -> isBook", "3:isBook False -> isQuery", "3:isQuery False -> isCancel",
            "3:isCancel False -> isHuman", "3:isHuman False -> isBye", "3:isBye True -> goodbye", "3:goodbye ends",
        ], steps.Select(Step));
        Assert.Equal(Enumerable.Range(1, steps.Count), steps.Select(s => s.GetProperty("sequence").GetInt32()));
        Assert.Equal("findSlots", steps[5].GetProperty("edge").GetProperty("source").GetString());

        // The variables after each step, computed from the stored changes.
        Assert.Equal("Praxis Dr. Weber", replay.GetProperty("variables").GetProperty("tenant").GetProperty("name").GetString());
        Assert.False(steps[2].GetProperty("variables").TryGetProperty("intent", out _));
        Assert.Equal("book_appointment", steps[3].GetProperty("variables").GetProperty("intent").GetString());
        Assert.Contains("intent", steps[3].GetProperty("changed").EnumerateArray().Select(c => c.GetString()));
        Assert.False(steps[4].GetProperty("variables").TryGetProperty("slot", out _));
        Assert.Equal(slotText, steps[5].GetProperty("variables").GetProperty("slot").GetProperty("text").GetString());
        Assert.False(steps[9].GetProperty("variables").TryGetProperty("event", out _));
        Assert.Equal(slotText, steps[10].GetProperty("variables").GetProperty("event").GetProperty("text").GetString());
        Assert.Equal("+491701234567", steps[^1].GetProperty("variables").GetProperty("caller").GetProperty("number").GetString());

        // The inputs as the activity got them, and the transcript lines each step produced.
        Assert.Equal($"Der nächste freie Termin wäre am {slotText}. Passt Ihnen das?", steps[6].GetProperty("inputs").GetProperty("text").GetString());
        Assert.Equal([$"Der nächste freie Termin wäre am {slotText}. Passt Ihnen das?"], Texts(steps[6].GetProperty("lines")));
        Assert.Equal(["Ich möchte gerne einen Termin vereinbaren"], Texts(steps[3].GetProperty("lines")));
        Assert.Equal("Caller", steps[3].GetProperty("lines")[0].GetProperty("role").GetString());
        Assert.Equal(["Vielen Dank für Ihren Anruf. Auf Wiederhören!"], Texts(steps[^1].GetProperty("lines")));
        // Every line belongs to a step but the AI disclosure, which the run says before the first node.
        var transcript = replay.GetProperty("transcript");
        Assert.StartsWith("Guten Tag, Sie sprechen mit dem KI-Assistenten von Praxis Dr. Weber.", transcript[0].GetProperty("text").GetString());
        Assert.True(!transcript[0].TryGetProperty("nodeId", out var nodeId) || nodeId.ValueKind == JsonValueKind.Null);
        Assert.Equal(transcript.GetArrayLength() - 1, steps.Sum(s => s.GetProperty("lines").GetArrayLength()));
    }

    [Fact]
    public async Task Another_tenants_or_an_unknown_session_or_call_is_not_found()
    {
        var (tenantId, admin) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Dr. Weber");
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        var sessionId = await StartSimulationAsync(admin, flowId);
        var callId = await new CallsSeed(Database.OwnerConnectionString).CallAsync(tenantId, "+49301111111", "goodbye",
            DateTimeOffset.UtcNow.AddMinutes(-5), instance: new FlowInstance());
        var (otherTenant, other) = await App.ApprovedTenantAsync("chef@b.de", "B GmbH");
        var otherFlow = await App.SeedSampleFlowAsync(otherTenant);

        await ReplayAsync(admin, $"/api/flows/{flowId}/sessions/{sessionId}/replay");
        await ReplayAsync(admin, $"/api/tenant/calls/{callId}/replay");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/flows/{flowId}/sessions/{sessionId}/replay")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/flows/{otherFlow}/sessions/{sessionId}/replay")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/tenant/calls/{callId}/replay")).StatusCode);
        var unknown = await admin.GetAsync($"/api/tenant/calls/{Guid.NewGuid()}/replay");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/flows/{flowId}/sessions/{Guid.NewGuid()}/replay")).StatusCode);
        // The session exists, but not under this flow.
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/flows/{Guid.NewGuid()}/sessions/{sessionId}/replay")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await App.CreateClient().GetAsync($"/api/tenant/calls/{callId}/replay")).StatusCode);
    }

    [Fact]
    public async Task A_gather_call_replays_after_it_ended_and_the_portal_reads_the_same_through_the_query()
    {
        var admin = await App.LoginAsAdminAsync();
        (await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = AuthToken })).EnsureSuccessStatusCode();
        var (tenantId, tenantAdmin) = await App.ApprovedTenantAsync("chef@a.de", "Praxis Alpha");
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        Assert.Equal(HttpStatusCode.Created,
            (await tenantAdmin.PostAsJsonAsync("/api/tenant/numbers", new { number = "030 1111111", region = "DE", flowId })).StatusCode);
        var twilio = App.CreateClient();
        var sid = "CA" + new string('f', 32);

        await TwimlAsync(twilio, "/telephony/twilio/voice", new()
        {
            ["CallSid"] = sid, ["AccountSid"] = "AC" + new string('1', 32), ["From"] = "+491701234567", ["To"] = "+49301111111",
            ["CallStatus"] = "ringing", ["Direction"] = "inbound", ["ApiVersion"] = "2010-04-01",
        });
        await TwimlAsync(twilio, "/telephony/twilio/gather", new() { ["CallSid"] = sid, ["SpeechResult"] = "Ich möchte mit einem Mitarbeiter sprechen" });
        await TwimlAsync(twilio, "/telephony/twilio/status", new() { ["CallSid"] = sid, ["CallStatus"] = "completed", ["CallDuration"] = "30" },
            HttpStatusCode.NoContent);
        var callId = (await Json(await tenantAdmin.GetAsync("/api/tenant/calls")))[0].GetProperty("id").GetGuid();

        var replay = await ReplayAsync(tenantAdmin, $"/api/tenant/calls/{callId}/replay");

        Assert.Equal("call", replay.GetProperty("kind").GetString());
        Assert.Equal(callId, replay.GetProperty("callId").GetGuid());
        Assert.Equal(flowId, replay.GetProperty("flowId").GetGuid());
        var steps = replay.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["0:start Done -> greeting", "0:greeting Done -> intent", "0:intent waits caller-input", "1:intent Recognized -> isBook"],
            steps.Take(4).Select(Step));
        Assert.Contains("1:isHuman True -> handoff", steps.Select(Step));
        Assert.Equal("human", steps[3].GetProperty("variables").GetProperty("intent").GetString());
        Assert.Equal(["Ich möchte mit einem Mitarbeiter sprechen"], Texts(steps[3].GetProperty("lines")));

        // What the call detail page and the designer get through DI, in the tenant's scope: the same replay; none for another tenant.
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        var query = scope.ServiceProvider.GetRequiredService<ReplayQuery>();
        var view = await db.InScopeAsync(s => s.UseTenant(tenantId), () => query.ForCallAsync(callId));
        Assert.NotNull(view);
        Assert.Equal(steps.Count, view.Steps.Count);
        Assert.Equal(replay.GetProperty("sessionId").GetGuid(), view.SessionId);
        Assert.Equal("handoff", view.Steps.First(s => s.Edge?.Source == "isHuman").Edge!.Target);
        var (otherTenant, _) = await App.ApprovedTenantAsync("chef@b.de", "B GmbH");
        await using var otherScope = App.Services.CreateAsyncScope();
        var otherDb = otherScope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        var otherQuery = otherScope.ServiceProvider.GetRequiredService<ReplayQuery>();
        Assert.Null(await otherDb.InScopeAsync(s => s.UseTenant(otherTenant), () => otherQuery.ForCallAsync(callId)));
    }

    [Fact]
    public async Task A_call_stored_before_runs_were_traced_replays_its_transcript_without_steps()
    {
        var (tenantId, admin) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Dr. Weber");
        await App.SeedSampleFlowAsync(tenantId);
        var stored = FlowInstance.FromJson("""
            {"id":"0f3c","status":2,"currentNodeId":"goodbye","variables":{"caller":{"number":"+491701234567"}},"transcript":[{"role":"Agent","text":"Guten Tag","nodeId":"greeting","at":"2026-11-20T14:05:00+00:00"}],"counters":{},"steps":3,"incidents":[]}
            """);
        var callId = await new CallsSeed(Database.OwnerConnectionString).CallAsync(tenantId, "+49301111111", "goodbye",
            DateTimeOffset.UtcNow.AddMinutes(-5), instance: stored);

        var replay = await ReplayAsync(admin, $"/api/tenant/calls/{callId}/replay");

        Assert.False(replay.GetProperty("traced").GetBoolean());
        Assert.Empty(replay.GetProperty("steps").EnumerateArray());
        Assert.Equal(["Guten Tag"], Texts(replay.GetProperty("transcript")));
        Assert.Equal("completed", replay.GetProperty("status").GetString());
    }

    private static async Task TwimlAsync(HttpClient client, string path, Dictionary<string, string> form, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(AuthToken, "http://localhost" + path, form));
        var response = await client.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.OK)
        {
            Assert.NotNull(XDocument.Parse(await response.Content.ReadAsStringAsync()).Root);
        }
    }
}
