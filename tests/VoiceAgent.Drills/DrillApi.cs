using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using Npgsql;
using VoiceAgent.Telephony.Twilio;
using VoiceAgent.Testing;

namespace VoiceAgent.Drills;

/// <summary>What the drills do on the cluster the way its users do it: tenants, flows and numbers through the public API,
/// Twilio's signed webhooks, and a look into the database (as the schema owner) to count what was stored.</summary>
internal static class DrillApi
{
    public const string AuthToken = "0123456789abcdef0123456789abcdef";
    public const string CallerNumber = "+491701234567";

    /// <summary>The platform's Twilio auth token (so the drills can sign webhooks), stored through instance 1.</summary>
    public static async Task ConfigureTwilioAsync(string admin)
    {
        using var client = LocalCluster.Client(1, admin);
        (await client.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = AuthToken })).EnsureSuccessStatusCode();
    }

    /// <summary>A tenant of this drill (registered, approved, setup skipped) on the given speech engines; its admin's
    /// e-mail (password <see cref="TestData.Password"/>) and bearer token.</summary>
    public static async Task<(string Email, string Token)> TenantAsync(string admin, object speech)
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

        var token = await LocalCluster.LoginAsync(1, email, TestData.Password);
        using var tenant = LocalCluster.Client(1, token);
        (await tenant.PostAsync("/api/tenant/setup/skip", null)).EnsureSuccessStatusCode();
        var chosen = await tenant.PutAsJsonAsync("/api/tenant/speech", speech);
        Assert.True(chosen.IsSuccessStatusCode, await chosen.Content.ReadAsStringAsync());
        return (email, token);
    }

    /// <summary>The sample flow published and a fresh Berlin number bound to it (at Twilio, or the given provider); the
    /// number in E.164.</summary>
    public static async Task<string> NumberAsync(string tenantToken, string provider = "twilio")
    {
        using var tenant = LocalCluster.Client(1, tenantToken);
        using var sample = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(LocalCluster.Root, "src/VoiceAgent.CallFlows/Samples/terminannahme.json")));
        var created = await tenant.PostAsJsonAsync("/api/flows", new { name = "Drill", definition = sample.RootElement });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var flowId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        (await tenant.PostAsync($"/api/flows/{flowId}/versions/1/publish", null)).EnsureSuccessStatusCode();
        var local = Random.Shared.Next(2_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var bound = await tenant.PostAsJsonAsync("/api/tenant/numbers", new { number = "030 " + local, flowId, provider });
        Assert.True(bound.IsSuccessStatusCode, await bound.Content.ReadAsStringAsync());
        return "+4930" + local;
    }

    public static Dictionary<string, string> Inbound(string callSid, string number) => new()
    {
        ["CallSid"] = callSid, ["AccountSid"] = "AC" + new string('1', 32), ["From"] = CallerNumber, ["To"] = number, ["CallStatus"] = "ringing",
    };

    /// <summary>A webhook as Twilio posts it to an instance (the load balancer's choice): signed over that URL.</summary>
    public static async Task<HttpResponseMessage> PostAsync(int instance, string pathAndQuery, Dictionary<string, string> form)
    {
        var url = new Uri(LocalCluster.Instance(instance), pathAndQuery).AbsoluteUri;
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(AuthToken, url, form));
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return await client.SendAsync(request);
    }

    /// <summary>A webhook answered with TwiML (fails the drill on any other answer).</summary>
    public static async Task<XDocument> TwimlAsync(int instance, string pathAndQuery, Dictionary<string, string> form)
    {
        using var response = await PostAsync(instance, pathAndQuery, form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{pathAndQuery} on instance {instance}: {(int)response.StatusCode} {body}");
        return XDocument.Parse(body);
    }

    public static string[] Said(XDocument twiml) => [.. twiml.Descendants("Say").Select(s => s.Value)];

    /// <summary>A path from a TwiML URL attribute (absolute or relative), to post it to any instance.</summary>
    public static string PathOf(string url) => new Uri(url, UriKind.RelativeOrAbsolute).IsAbsoluteUri ? new Uri(url).PathAndQuery : url;

    /// <summary>One number from the database, as its owner (drill.sh exports the instances' connection strings).</summary>
    public static async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string OwnerConnectionString => Environment.GetEnvironmentVariable("Database__OwnerConnectionString")
        ?? throw new InvalidOperationException("Database__OwnerConnectionString is not set (run the drills with deploy/local/drill.sh).");
}
