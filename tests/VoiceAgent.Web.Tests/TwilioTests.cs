using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.CallFlows.Prompts;
using VoiceAgent.Telephony.Calls;
using VoiceAgent.Telephony.Twilio;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>Phone numbers, inbound routing and gather-mode calls over Twilio's signed webhooks.</summary>
public sealed partial class TwilioTests : IntegrationTest
{
    private const string AuthToken = "0123456789abcdef0123456789abcdef";

    private async Task ConfigureTwilioAsync()
    {
        var admin = await App.LoginAsAdminAsync();
        (await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = AuthToken })).EnsureSuccessStatusCode();
    }

    /// <summary>Posts a webhook as Twilio would: form body, signature over the full URL and the sorted parameters.</summary>
    private static async Task<HttpResponseMessage> Webhook(HttpClient client, string path, Dictionary<string, string> form, string? token = AuthToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(token ?? "wrong", "http://localhost" + path, form));
        return await client.SendAsync(request);
    }

    private static Dictionary<string, string> Inbound(string callSid, string to, string from = "+491701234567") => new()
    {
        ["CallSid"] = callSid,
        ["AccountSid"] = "AC" + new string('1', 32),
        ["From"] = from,
        ["To"] = to,
        ["CallStatus"] = "ringing",
        ["Direction"] = "inbound",
        ["ApiVersion"] = "2010-04-01",
    };

    private static async Task<XDocument> Twiml(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/xml", response.Content.Headers.ContentType?.MediaType);
        return XDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static string[] Said(XDocument twiml) => twiml.Descendants("Say").Select(s => s.Value).ToArray();

    private async Task<(Guid TenantId, HttpClient Admin, Guid FlowId)> TenantWithNumberAsync(string email, string company, string number)
    {
        var (tenantId, admin) = await App.ApprovedTenantAsync(email, company);
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        var bound = await admin.PostAsJsonAsync("/api/tenant/numbers", new { number, region = "DE", flowId });
        Assert.Equal(HttpStatusCode.Created, bound.StatusCode);
        return (tenantId, admin, flowId);
    }

    [Fact]
    public async Task Each_tenants_number_routes_to_its_own_live_flow()
    {
        await ConfigureTwilioAsync();
        await TenantWithNumberAsync("chef@a.de", "Praxis Alpha", "030 1111111");
        await TenantWithNumberAsync("chef@b.de", "Salon Beta", "+49 (0)40 2222222");
        var twilio = App.CreateClient();

        var alpha = Said(await Twiml(await Webhook(twilio, "/telephony/twilio/voice", Inbound("CA" + new string('a', 32), "+49301111111"))));
        var beta = Said(await Twiml(await Webhook(twilio, "/telephony/twilio/voice", Inbound("CA" + new string('b', 32), "+49402222222"))));

        Assert.Contains("Praxis Alpha", alpha[0]);
        Assert.Contains("Salon Beta", beta[0]);
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM calls"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM calls c JOIN tenants t ON t.id = c.tenant_id WHERE t.company_name = 'Praxis Alpha' AND c.to_number = '+49301111111'"));
    }

    [Fact]
    public async Task Binding_is_normalized_unique_across_tenants_audited_and_reassignable()
    {
        var (_, adminA, _) = await TenantWithNumberAsync("chef@a.de", "Praxis Alpha", "030 1111111");
        var (tenantB, adminB) = await App.ApprovedTenantAsync("chef@b.de", "Salon Beta");
        var flowB = await App.SeedSampleFlowAsync(tenantB);

        var taken = await adminB.PostAsJsonAsync("/api/tenant/numbers", new { number = "0049 30 1111111", flowId = flowB });
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Contains("bereits einem anderen Kunden", (await Json(taken)).GetProperty("title").GetString());
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{tenantB}' AND action = 'number.bind_refused'"));

        var invalid = await adminB.PostAsJsonAsync("/api/tenant/numbers", new { number = "110", region = "DE", flowId = flowB });
        Assert.Contains("110", (await FieldErrors(invalid))["number"][0]);
        var premium = await adminB.PostAsJsonAsync("/api/tenant/numbers", new { number = "0900 1234567", region = "DE", flowId = flowB });
        Assert.Contains("0900", (await FieldErrors(premium))["number"][0]);

        var numberA = (await Json(await adminA.GetAsync("/api/tenant/numbers")))[0];
        Assert.Equal("+49301111111", numberA.GetProperty("number").GetString());
        Assert.Equal(HttpStatusCode.OK, (await adminA.DeleteAsync($"/api/tenant/numbers/{numberA.GetProperty("id").GetGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await adminB.PostAsJsonAsync("/api/tenant/numbers", new { number = "030 1111111", region = "DE", flowId = flowB })).StatusCode);

        Assert.Equal(2, await CountAsync("SELECT count(*) FROM phone_numbers WHERE number = '+49301111111'"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM phone_numbers WHERE number = '+49301111111' AND released_at IS NULL"));
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.DeleteAsync($"/api/tenant/numbers/{numberA.GetProperty("id").GetGuid()}")).StatusCode);
    }

    [Fact]
    public async Task Forged_or_altered_signatures_are_403_and_store_nothing()
    {
        await ConfigureTwilioAsync();
        await TenantWithNumberAsync("chef@a.de", "Praxis Alpha", "030 1111111");
        var twilio = App.CreateClient();
        var form = Inbound("CA" + new string('c', 32), "+49301111111");

        var forged = await Webhook(twilio, "/telephony/twilio/voice", form, token: "not-the-token");
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);

        var altered = new HttpRequestMessage(HttpMethod.Post, "/telephony/twilio/voice")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>(form) { ["From"] = "+499001234567" }),
        };
        altered.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(AuthToken, "http://localhost/telephony/twilio/voice", form));
        Assert.Equal(HttpStatusCode.Forbidden, (await twilio.SendAsync(altered)).StatusCode);

        var unsigned = await twilio.PostAsync("/telephony/twilio/voice", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM calls"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM flow_sessions"));
    }

    [Fact]
    public async Task Unknown_number_and_suspended_tenant_get_an_announcement_and_no_usage()
    {
        await ConfigureTwilioAsync();
        var (tenantId, _, _) = await TenantWithNumberAsync("chef@a.de", "Praxis Alpha", "030 1111111");
        var twilio = App.CreateClient();

        var unknown = await Twiml(await Webhook(twilio, "/telephony/twilio/voice", Inbound("CA" + new string('d', 32), "+49309999999")));
        Assert.Equal(["Diese Rufnummer ist derzeit nicht erreichbar. Auf Wiederhören."], Said(unknown));
        Assert.Single(unknown.Descendants("Hangup"));

        var admin = await App.LoginAsAdminAsync();
        (await admin.PostAsJsonAsync($"/api/admin/tenants/{tenantId}/suspend", new { reason = "Zahlung offen" })).EnsureSuccessStatusCode();
        var suspended = await Twiml(await Webhook(twilio, "/telephony/twilio/voice", Inbound("CA" + new string('e', 32), "+49301111111")));
        Assert.Equal(["Diese Rufnummer ist derzeit nicht erreichbar. Auf Wiederhören."], Said(suspended));

        Assert.Equal(0, await CountAsync("SELECT count(*) FROM calls"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM usage_records"));
    }

    [Fact]
    public async Task Gather_dialogue_alternating_between_two_app_instances_books_and_meters_once()
    {
        await ConfigureTwilioAsync();
        var (tenantId, tenantAdmin, _) = await TenantWithNumberAsync("chef@a.de", "Praxis Alpha", "030 1111111");
        await using var second = new VoiceAgentFactory(Database);
        var nodeA = App.CreateClient();
        var nodeB = second.CreateClient();
        var sid = "CA" + new string('f', 32);

        var greeting = await Twiml(await Webhook(nodeA, "/telephony/twilio/voice", Inbound(sid, "+49301111111")));
        var gather = Assert.Single(greeting.Descendants("Gather"));
        Assert.Equal("speech", gather.Attribute("input")?.Value);
        Assert.Equal("de-DE", gather.Attribute("language")?.Value);
        Assert.Equal("http://localhost/telephony/twilio/gather", gather.Attribute("action")?.Value);

        var offer = Said(await Twiml(await Webhook(nodeB, "/telephony/twilio/gather", new() { ["CallSid"] = sid, ["SpeechResult"] = "Ich möchte einen Termin" })));
        Assert.StartsWith("Der nächste freie Termin wäre am", offer[0]);
        var booked = Said(await Twiml(await Webhook(nodeA, "/telephony/twilio/gather", new() { ["CallSid"] = sid, ["SpeechResult"] = "Ja, gerne" })));
        Assert.Contains("ist eingetragen", booked[0]);
        var bye = await Twiml(await Webhook(nodeB, "/telephony/twilio/gather", new() { ["CallSid"] = sid, ["SpeechResult"] = "Nein danke, tschüss" }));
        Assert.Equal("Vielen Dank für Ihren Anruf. Auf Wiederhören!", Said(bye)[^1]);
        Assert.Single(bye.Descendants("Hangup"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM sandbox_events WHERE tenant_id = '{tenantId}' AND caller_number = '+491701234567'"));

        var completed = new Dictionary<string, string> { ["CallSid"] = sid, ["CallStatus"] = "completed", ["CallDuration"] = "95" };
        Assert.Equal(HttpStatusCode.NoContent, (await Webhook(nodeB, "/telephony/twilio/status", completed)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Webhook(nodeA, "/telephony/twilio/status", completed)).StatusCode);

        Assert.Equal(1, await CountAsync("SELECT count(*) FROM usage_records"));
        Assert.Equal(95, await CountAsync("SELECT seconds FROM usage_records WHERE kind = 'bot'"));
        Assert.Equal(4, await CountAsync("SELECT cardinality(turn_latencies_ms) FROM calls"));

        var history = await Json(await tenantAdmin.GetAsync("/api/tenant/calls"));
        var call = Assert.Single(history.EnumerateArray());
        Assert.Equal(95, call.GetProperty("botSeconds").GetInt32());
        var detail = await Json(await tenantAdmin.GetAsync($"/api/tenant/calls/{call.GetProperty("id").GetGuid()}"));
        var transcript = detail.GetProperty("transcript").EnumerateArray().Select(t => t.GetProperty("text").GetString()).ToList();
        Assert.Contains("Ich möchte einen Termin", transcript);

        // What the call detail page shows: the caller's words, a latency on each of the four agent turns, the booking.
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        var view = await db.InScopeAsync(s => s.UseTenant(tenantId), () => CallHistory.DetailAsync(db, call.GetProperty("id").GetGuid(), default));
        Assert.NotNull(view);
        Assert.Contains(view.Transcript, t => t.IsCaller && t.Text == "Ich möchte einen Termin");
        Assert.Equal(4, view.Transcript.Count(t => t.LatencyMs is not null));
        Assert.Contains(view.Path, p => p.NodeId == "offer");
        Assert.Single(view.Bookings);
    }

    [Fact]
    public async Task While_the_database_is_unreachable_callers_hear_an_apology_or_busy_and_nothing_is_billed_twice()
    {
        await ConfigureTwilioAsync();
        await TenantWithNumberAsync("chef@a.de", "Praxis Alpha", "030 1111111");
        // The second instance's PostgreSQL is gone (restart, failover): every connection is refused.
        await using var cut = new VoiceAgentFactory(Database)
        {
            Settings = { ["Database:AppConnectionString"] = "Host=127.0.0.1;Port=1;Database=voiceagent;Username=nobody;Password=none;Timeout=2" },
        };
        var up = App.CreateClient();
        var down = cut.CreateClient();
        var sid = "CA" + new string('d', 32);
        Assert.Single((await Twiml(await Webhook(up, "/telephony/twilio/voice", Inbound(sid, "+49301111111")))).Descendants("Gather"));

        // The caller's answer reaches the instance without a database: a German apology and the end, not Twilio's error.
        var answer = await Twiml(await Webhook(down, "/telephony/twilio/gather", new() { ["CallSid"] = sid, ["SpeechResult"] = "Ich möchte einen Termin" }));
        Assert.Contains("technische Störung", Assert.Single(Said(answer)), StringComparison.Ordinal);
        Assert.Single(answer.Descendants("Hangup"));
        // A new call there hears the busy announcement and leaves nothing behind.
        var newCall = await Twiml(await Webhook(down, "/telephony/twilio/voice", Inbound("CA" + new string('e', 32), "+49301111111")));
        Assert.StartsWith("Alle Leitungen sind im Moment belegt", Assert.Single(Said(newCall)), StringComparison.Ordinal);
        // The status callback it cannot store is refused (503), and the one that gets through bills once.
        var completed = new Dictionary<string, string> { ["CallSid"] = sid, ["CallStatus"] = "completed", ["CallDuration"] = "31" };
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Webhook(down, "/telephony/twilio/status", completed)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Webhook(up, "/telephony/twilio/status", completed)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Webhook(up, "/telephony/twilio/status", completed)).StatusCode);

        Assert.Equal(1, await CountAsync("SELECT count(*) FROM calls"));
        Assert.Equal(31, await CountAsync("SELECT seconds FROM usage_records WHERE kind = 'bot'"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM usage_records"));
    }

    [Fact]
    public async Task Transfers_dial_only_allow_listed_numbers_and_meter_forward_seconds_once_in_any_order()
    {
        await ConfigureTwilioAsync();
        var (tenantId, admin) = await App.ApprovedTenantAsync("chef@a.de", "Praxis Alpha");
        var flow = JsonSerializer.Deserialize<JsonElement>("""
            { "name": "Weiterleitung", "nodes": [
                { "id": "start", "type": "Start" },
                { "id": "allowed", "type": "Transfer", "inputs": { "target": "+4930555555" } },
                { "id": "forbidden", "type": "Transfer", "inputs": { "target": "+499001234567" } },
                { "id": "done", "type": "Hangup", "inputs": { "goodbye": "</Say><Dial>+499001234567</Dial><Say>" } },
                { "id": "refused", "type": "Hangup", "inputs": { "goodbye": "Das geht leider nicht." } } ],
              "connections": [
                { "from": "start", "outcome": "Done", "to": "allowed" },
                { "from": "allowed", "outcome": "Connected", "to": "forbidden" },
                { "from": "allowed", "outcome": "NoAnswer", "to": "done" }, { "from": "allowed", "outcome": "Busy", "to": "done" },
                { "from": "allowed", "outcome": "Failed", "to": "done" },
                { "from": "forbidden", "outcome": "Connected", "to": "done" }, { "from": "forbidden", "outcome": "NoAnswer", "to": "done" },
                { "from": "forbidden", "outcome": "Busy", "to": "done" }, { "from": "forbidden", "outcome": "Failed", "to": "refused" } ] }
            """);
        var flowId = (await Json(await admin.PostAsJsonAsync("/api/flows", new { name = "Weiterleitung", definition = flow }))).GetProperty("id").GetGuid();
        (await admin.PostAsync($"/api/flows/{flowId}/versions/1/publish", null)).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("/api/tenant/call-settings", new { transferTargets = new[] { "030 555555" } })).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/tenant/numbers", new { number = "030 1111111", region = "DE", flowId })).EnsureSuccessStatusCode();
        var twilio = App.CreateClient();
        var sid = "CA" + new string('9', 32);

        var dial = await Twiml(await Webhook(twilio, "/telephony/twilio/voice", Inbound(sid, "+49301111111")));
        Assert.Equal("+4930555555", Assert.Single(dial.Descendants("Number")).Value);
        Assert.Equal("http://localhost/telephony/twilio/dial", dial.Descendants("Dial").Single().Attribute("action")?.Value);

        // Out of order: the call's status callback arrives before the Dial action callback, and both arrive twice.
        var completed = new Dictionary<string, string> { ["CallSid"] = sid, ["CallStatus"] = "completed", ["CallDuration"] = "100" };
        await Webhook(twilio, "/telephony/twilio/status", completed);
        var dialed = new Dictionary<string, string>
        {
            ["CallSid"] = sid, ["DialCallSid"] = "CA" + new string('8', 32), ["DialCallStatus"] = "completed", ["DialCallDuration"] = "30",
        };
        var afterDial = await Twiml(await Webhook(twilio, "/telephony/twilio/dial", dialed));
        await Webhook(twilio, "/telephony/twilio/dial", dialed);
        await Webhook(twilio, "/telephony/twilio/status", completed);

        // The second transfer target is not on the allow-list: no Dial, the flow takes its Failed path.
        Assert.Empty(afterDial.Descendants("Dial"));
        Assert.Equal(["Das geht leider nicht."], Said(afterDial));
        Assert.Equal(70, await CountAsync("SELECT seconds FROM usage_records WHERE kind = 'bot'"));
        Assert.Equal(30, await CountAsync("SELECT seconds FROM usage_records WHERE kind = 'forward'"));
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM usage_records"));
        Assert.Equal(tenantId, Guid.Parse((await Json(await admin.GetAsync("/api/tenant"))).GetProperty("id").GetString()!));
    }

    [Fact]
    public async Task Tenant_text_cannot_inject_twiml_verbs()
    {
        await ConfigureTwilioAsync();
        var (_, admin) = await App.ApprovedTenantAsync("chef@a.de", "Praxis Alpha");
        var flow = JsonSerializer.Deserialize<JsonElement>("""
            { "name": "X", "nodes": [ { "id": "start", "type": "Start" },
                { "id": "bye", "type": "Hangup", "inputs": { "goodbye": "Hallo</Say><Dial>+499001234567</Dial><Say>" } } ],
              "connections": [ { "from": "start", "outcome": "Done", "to": "bye" } ] }
            """);
        var flowId = (await Json(await admin.PostAsJsonAsync("/api/flows", new { name = "X", definition = flow }))).GetProperty("id").GetGuid();
        (await admin.PostAsync($"/api/flows/{flowId}/versions/1/publish", null)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/tenant/numbers", new { number = "030 1111111", region = "DE", flowId })).EnsureSuccessStatusCode();

        var twiml = await Twiml(await Webhook(App.CreateClient(), "/telephony/twilio/voice", Inbound("CA" + new string('7', 32), "+49301111111")));

        Assert.Empty(twiml.Descendants("Dial"));
        // After the AI disclosure (always first), the tenant's text is one literal <Say>.
        Assert.Equal([TenantPrompts.Disclosure("de", "Praxis Alpha"), "Hallo</Say><Dial>+499001234567</Dial><Say>"], Said(twiml));
    }
}
