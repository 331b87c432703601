using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using VoiceAgent.Platform;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Telephony.Twilio;

namespace VoiceAgent.Testing.Cluster;

/// <summary>
/// What a driver of the local cluster (deploy/local/cluster.sh: instances on 127.0.0.1:base+1…) does the way its users
/// do it: a super-admin with a known authenticator key, tenants, flows and numbers through the public API, Twilio's
/// signed webhooks, and a look into the database as its owner. Shared by the failover drills (tests/VoiceAgent.Drills)
/// and the soak benchmark, so both set the cluster up the same way. The scripts that start them (drill.sh, soak.sh)
/// export what the instances got: the connection strings, the key ring, VOICEAGENT_APP_PORT_BASE.
/// </summary>
public static class ClusterApi
{
    /// <summary>The platform's Twilio auth token a driver stores (<see cref="ConfigureTwilioAsync"/>) to sign webhooks.</summary>
    public const string AuthToken = "0123456789abcdef0123456789abcdef";

    public const string CallerNumber = "+491701234567";

    /// <summary>Instance i listens on 127.0.0.1:base+i (VOICEAGENT_APP_PORT_BASE, default 5000, as lib.sh).</summary>
    public static int PortBase => int.Parse(Environment.GetEnvironmentVariable("VOICEAGENT_APP_PORT_BASE") ?? "5000", CultureInfo.InvariantCulture);

    public static Uri Instance(int i) => new($"http://127.0.0.1:{PortBase + i}");

    /// <summary>An API client of instance <paramref name="i"/>, with a bearer token when given.</summary>
    /// <param name="redirects">False: a redirect is returned as it is (OAuth start), not followed.</param>
    public static HttpClient Client(int i, string? bearer = null, bool redirects = true)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = redirects }) { BaseAddress = Instance(i), Timeout = TimeSpan.FromSeconds(30) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }

    /// <summary>Signs in on instance <paramref name="i"/> through the API; the bearer token.</summary>
    public static async Task<string> LoginAsync(int i, string email, string password, string? code = null)
    {
        using var client = Client(i);
        var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password, twoFactorCode = code });
        await EnsureAsync(response, $"login of {email} on instance {i}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    /// <summary>
    /// A super-admin of this run (dev-seeded: Production refuses such accounts) with a known authenticator key, created
    /// with the platform's own services on the cluster's database (the environment's Database__* settings).
    /// </summary>
    public static async Task CreateSuperAdminAsync(string email, string password, string authenticatorKey)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        await using var services = new ServiceCollection().AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddVoiceAgentPlatform(configuration).BuildServiceProvider();
        await using (var scope = services.CreateAsyncScope())
        {
            var outcome = await scope.ServiceProvider.GetRequiredService<DevSeeder>().CreateSuperAdminAsync(email, password, devSeeded: true);
            if (outcome.Kind != OutcomeKind.Ok)
            {
                throw new InvalidOperationException($"super-admin {email}: {outcome.Kind} {outcome.Message}");
            }
        }

        await VoiceAgentFactory.EnrolAuthenticatorAsync(services, email, authenticatorKey);
    }

    /// <summary>The platform's Twilio auth token (so the driver can sign webhooks), stored through instance 1.</summary>
    public static async Task ConfigureTwilioAsync(string admin)
    {
        using var client = Client(1, admin);
        await EnsureAsync(await client.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = AuthToken }), "twilio.auth_token");
    }

    /// <summary>The platform's OpenAI key (any: the fake takes every key), so tenants may choose OpenAI's engines.</summary>
    public static async Task ConfigureOpenAiAsync(string admin)
    {
        using var client = Client(1, admin);
        await EnsureAsync(await client.PutAsJsonAsync("/api/admin/settings/openai.api_key", new { value = "sk-drill-" + new string('d', 40) }), "openai.api_key");
    }

    /// <summary>A tenant (registered, approved, setup skipped) on the given speech engines, e.g.
    /// <c>new { provider = "Offline" }</c>; its admin's e-mail (password <see cref="TestData.Password"/>) and bearer token.</summary>
    public static async Task<(string Email, string Token)> TenantAsync(string admin, object speech, string prefix = "drill", string company = "Drill Praxis GmbH")
    {
        var email = $"{prefix}-{Guid.NewGuid():N}"[..22] + "@example.com";
        using var anonymous = Client(1);
        var registered = await anonymous.PostAsJsonAsync("/api/auth/register", TestData.Registration(email, company));
        await EnsureAsync(registered, "registration");
        var tenantId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tenantId").GetGuid();
        using (var superAdmin = Client(1, admin))
        {
            await EnsureAsync(await superAdmin.PostAsync($"/api/admin/tenants/{tenantId}/approve", null), "approval");
        }

        var token = await LoginAsync(1, email, TestData.Password);
        using var tenant = Client(1, token);
        await EnsureAsync(await tenant.PostAsync("/api/tenant/setup/skip", null), "setup skipped");
        await EnsureAsync(await tenant.PutAsJsonAsync("/api/tenant/speech", speech), "speech engines");
        return (email, token);
    }

    /// <summary>The sample flow (Terminannahme) published and a fresh Berlin number bound to it (at Twilio, or the given
    /// provider); the number in E.164.</summary>
    public static async Task<string> NumberAsync(string tenantToken, string flowName = "Drill", string provider = "twilio")
    {
        using var tenant = Client(1, tenantToken);
        using var sample = JsonDocument.Parse(await File.ReadAllTextAsync(RepositoryFiles.PathOf("src", "VoiceAgent.CallFlows", "Samples", "terminannahme.json")));
        var created = await tenant.PostAsJsonAsync("/api/flows", new { name = flowName, definition = sample.RootElement });
        await EnsureAsync(created, "flow created");
        var flowId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await EnsureAsync(await tenant.PostAsync($"/api/flows/{flowId}/versions/1/publish", null), "flow published");
        var local = Random.Shared.Next(2_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture);
        await EnsureAsync(await tenant.PostAsJsonAsync("/api/tenant/numbers", new { number = "030 " + local, flowId, provider }), "number bound");
        return "+4930" + local;
    }

    /// <summary>Twilio's inbound-call parameters (the ones the app reads).</summary>
    public static Dictionary<string, string> Inbound(string callSid, string number, string from = CallerNumber) => new()
    {
        ["CallSid"] = callSid, ["AccountSid"] = "AC" + new string('1', 32), ["From"] = from, ["To"] = number, ["CallStatus"] = "ringing",
    };

    /// <summary>A webhook as Twilio posts it to an instance (the load balancer's choice): signed over that URL.</summary>
    /// <param name="client">A shared client (drivers sending many); null: a fresh one for this request (drills that kill
    /// instances keep no pooled connection to a dead one).</param>
    public static Task<HttpResponseMessage> PostAsync(int instance, string pathAndQuery, Dictionary<string, string> form, HttpClient? client = null) =>
        PostAsync(Instance(instance), pathAndQuery, form, client);

    /// <inheritdoc cref="PostAsync(int, string, Dictionary{string, string}, HttpClient?)"/>
    public static async Task<HttpResponseMessage> PostAsync(Uri origin, string pathAndQuery, Dictionary<string, string> form, HttpClient? client = null)
    {
        var url = new Uri(origin, pathAndQuery).AbsoluteUri;
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(AuthToken, url, form));
        if (client is not null)
        {
            return await client.SendAsync(request);
        }

        using var own = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return await own.SendAsync(request);
    }

    /// <summary>A webhook answered with TwiML (throws on any other answer).</summary>
    public static async Task<XDocument> TwimlAsync(int instance, string pathAndQuery, Dictionary<string, string> form, HttpClient? client = null)
    {
        using var response = await PostAsync(instance, pathAndQuery, form, client);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{pathAndQuery} on instance {instance}: {(int)response.StatusCode} {Shorten(body)}");
        }

        return XDocument.Parse(body);
    }

    public static string[] Said(XDocument twiml) => [.. twiml.Descendants("Say").Select(s => s.Value)];

    /// <summary>A path from a TwiML URL attribute (absolute or relative), to post it to any instance.</summary>
    public static string PathOf(string url) => new Uri(url, UriKind.RelativeOrAbsolute).IsAbsoluteUri ? new Uri(url).PathAndQuery : url;

    /// <summary>One number from the database, as its owner.</summary>
    public static async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public static string OwnerConnectionString => Environment.GetEnvironmentVariable("Database__OwnerConnectionString")
        ?? throw new InvalidOperationException("Database__OwnerConnectionString is not set (run through deploy/local/drill.sh or soak.sh).");

    private static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {Shorten(await response.Content.ReadAsStringAsync())}");
        }
    }

    private static string Shorten(string body) => body.Length <= 500 ? body : body[..500] + " …";
}
