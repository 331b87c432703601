using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using VoiceAgent.Telephony.Twilio;
using VoiceAgent.Testing;

namespace VoiceAgent.Drills;

/// <summary>
/// Issue #18's failover drills on the local cluster. Each drill leaves the cluster as it found it (instances and Redis
/// running again). Instance 1 is the victim; instances 2 and 3 stay up.
/// </summary>
public sealed class FailoverDrills(LocalCluster cluster) : IClassFixture<LocalCluster>
{
    private const string AuthToken = "0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task A_token_issued_by_one_instance_is_accepted_by_every_other()
    {
        var token = await LocalCluster.LoginAsAdminAsync(1);
        for (var i = 1; i <= cluster.Instances; i++)
        {
            using var client = LocalCluster.Client(i, token);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/admin/tenants")).StatusCode);
        }
    }

    [Fact]
    public async Task Redis_stopped_every_instance_reports_degraded_and_keeps_serving_then_recovers()
    {
        var token = await LocalCluster.LoginAsAdminAsync(2);
        await LocalCluster.ControlAsync("stop-redis");
        try
        {
            for (var i = 1; i <= cluster.Instances; i++)
            {
                using var client = LocalCluster.Client(i, token);
                var health = await client.GetAsync("/api/health");
                Assert.Equal(HttpStatusCode.OK, health.StatusCode);
                var body = await health.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal("down", body.GetProperty("redis").GetString());
                Assert.Equal("degraded", body.GetProperty("status").GetString());
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/admin/tenants")).StatusCode);
            }
        }
        finally
        {
            await LocalCluster.ControlAsync("start-redis");
        }

        using var again = LocalCluster.Client(3);
        await Eventually.UntilAsync(async () =>
            (await again.GetFromJsonAsync<JsonElement>("/api/health")).GetProperty("redis").GetString() == "operational",
            "redis operational again", TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task An_instance_killed_during_a_gather_call_the_next_turn_is_answered_by_another()
    {
        var admin = await LocalCluster.LoginAsAdminAsync(1);
        using (var client = LocalCluster.Client(1, admin))
        {
            (await client.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = AuthToken })).EnsureSuccessStatusCode();
        }

        var number = await DrillTenantNumberAsync(admin);
        var callSid = "CA" + Guid.NewGuid().ToString("N");
        var first = await TwilioAsync(1, "/telephony/twilio/voice", new()
        {
            ["CallSid"] = callSid, ["From"] = "+491701234567", ["To"] = number, ["CallStatus"] = "ringing",
        });
        var action = first.Descendants("Gather").Single().Attribute("action")!.Value;
        var path = new Uri(action, UriKind.RelativeOrAbsolute).IsAbsoluteUri ? new Uri(action).PathAndQuery : action;

        await LocalCluster.ControlAsync("stop-app", "1", "--kill");
        try
        {
            // Twilio posts the caller's answer to the next instance (the load balancer skips the dead one).
            var next = await TwilioAsync(2, path, new()
            {
                ["CallSid"] = callSid, ["From"] = "+491701234567", ["To"] = number, ["CallStatus"] = "in-progress",
                ["SpeechResult"] = "Ich möchte einen Termin", ["Confidence"] = "0.9",
            });
            Assert.NotEmpty(next.Descendants("Say"));
            Assert.DoesNotContain(next.Descendants("Say"), s => s.Value.Contains("technisch", StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            await LocalCluster.ControlAsync("start-app", "1");
        }
    }

    /// <summary>
    /// A tenant of this drill (registered, approved, sample flow published) and a fresh number bound to the flow, all
    /// through the public API of instance 1.
    /// </summary>
    private static async Task<string> DrillTenantNumberAsync(string admin)
    {
        var email = $"drill-{Guid.NewGuid():N}"[..22] + "@example.com";
        using var anonymous = LocalCluster.Client(1);
        var registered = await anonymous.PostAsJsonAsync("/api/auth/register", TestData.Registration(email, "Drill Praxis GmbH"));
        Assert.True(registered.IsSuccessStatusCode, await registered.Content.ReadAsStringAsync());
        var tenantId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tenantId").GetGuid();
        using (var superAdmin = LocalCluster.Client(1, admin))
        {
            (await superAdmin.PostAsync($"/api/admin/tenants/{tenantId}/approve", null)).EnsureSuccessStatusCode();
        }

        using var tenant = LocalCluster.Client(1, await LocalCluster.LoginAsync(1, email, TestData.Password));
        (await tenant.PostAsync("/api/tenant/setup/skip", null)).EnsureSuccessStatusCode();
        using var sample = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(LocalCluster.Root, "src/VoiceAgent.CallFlows/Samples/terminannahme.json")));
        var created = await tenant.PostAsJsonAsync("/api/flows", new { name = "Drill", definition = sample.RootElement });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var flowId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        (await tenant.PostAsync($"/api/flows/{flowId}/versions/1/publish", null)).EnsureSuccessStatusCode();
        var local = Random.Shared.Next(2_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var bound = await tenant.PostAsJsonAsync("/api/tenant/numbers", new { number = "030 " + local, flowId });
        Assert.True(bound.IsSuccessStatusCode, await bound.Content.ReadAsStringAsync());
        return "+4930" + local;
    }

    private static async Task<XDocument> TwilioAsync(int instance, string pathAndQuery, Dictionary<string, string> form)
    {
        var url = new Uri(LocalCluster.Instance(instance), pathAndQuery).AbsoluteUri;
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(AuthToken, url, form));
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{pathAndQuery} on instance {instance}: {(int)response.StatusCode} {body}");
        return XDocument.Parse(body);
    }
}
