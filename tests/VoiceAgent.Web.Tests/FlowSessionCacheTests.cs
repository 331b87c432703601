using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.AspNetCore.Mvc.Testing;
using StackExchange.Redis;
using VoiceAgent.Telephony.Calls;
using VoiceAgent.Telephony.Twilio;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// The hot copy of call flow sessions in Redis (issue #18): turns on any instance take the state from Redis when the
/// copy carries the row's current version, from PostgreSQL otherwise — PostgreSQL stays the record.
/// </summary>
public sealed class FlowSessionCacheTests : IntegrationTest
{
    private const string AuthToken = "0123456789abcdef0123456789abcdef";
    private const string CallSid = "CA" + "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";

    [Fact]
    public async Task Turns_on_any_instance_use_the_current_hot_copy_never_a_stale_one_and_go_on_without_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var first = WithRedis(redis);
        await using var second = WithRedis(redis);
        var admin = await App.LoginAsAdminAsync();
        (await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = AuthToken })).EnsureSuccessStatusCode();
        var (tenantId, tenantAdmin) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Alpha");
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        (await tenantAdmin.PostAsJsonAsync("/api/tenant/numbers", new { number = "030 1111111", flowId })).EnsureSuccessStatusCode();
        await using var watcher = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var cache = watcher.GetDatabase();

        Assert.Single((await WebhookAsync(first, "/telephony/twilio/voice", new()
        {
            ["CallSid"] = CallSid, ["From"] = "+491701234567", ["To"] = "+49301111111", ["CallStatus"] = "ringing",
        })).Descendants("Gather"));
        var sessionId = await ScalarAsync<Guid>("SELECT id FROM flow_sessions");
        var key = FlowSessionCache.Key(sessionId);

        // The copy carries the row's version (xmin) as PostgreSQL has it after the turn's save.
        var (version, state) = Split(await cache.StringGetAsync(key));
        Assert.Equal(await ScalarAsync<string>("SELECT xmin::text FROM flow_sessions"), version);

        // The next turn, on the other instance, takes the state from the copy: a mark put into it is stored with the turn.
        await cache.StringSetAsync(key, version + "\n" + Marked(state, "aus-redis"));
        var offer = await WebhookAsync(second, "/telephony/twilio/gather", new() { ["CallSid"] = CallSid, ["SpeechResult"] = "Ich möchte einen Termin" });
        Assert.StartsWith("Der nächste freie Termin wäre am", offer.Descendants("Say").First().Value, StringComparison.Ordinal);
        Assert.Contains("aus-redis", await ScalarAsync<string>("SELECT state::text FROM flow_sessions"), StringComparison.Ordinal);

        // A copy of another version (an older turn, a rolled-back one) is never used: the state comes from PostgreSQL.
        var (current, currentState) = Split(await cache.StringGetAsync(key));
        await cache.StringSetAsync(key, (uint.Parse(current, System.Globalization.CultureInfo.InvariantCulture) - 1) + "\n" + Marked(currentState, "veraltet"));
        var booked = await WebhookAsync(first, "/telephony/twilio/gather", new() { ["CallSid"] = CallSid, ["SpeechResult"] = "Ja, gerne" });
        Assert.Contains("ist eingetragen", booked.Descendants("Say").First().Value, StringComparison.Ordinal);
        Assert.DoesNotContain("veraltet", await ScalarAsync<string>("SELECT state::text FROM flow_sessions"), StringComparison.Ordinal);

        // Redis gone: the call goes on from PostgreSQL.
        await redis.StopAsync();
        var bye = await WebhookAsync(second, "/telephony/twilio/gather", new() { ["CallSid"] = CallSid, ["SpeechResult"] = "Nein danke, tschüss" });
        Assert.Single(bye.Descendants("Hangup"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM sandbox_events WHERE tenant_id = '{tenantId}'"));
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(sql, connection);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    private WebApplicationFactory<Program> WithRedis(RedisServer redis) =>
        App.WithWebHostBuilder(b => b.UseSetting("Redis:Configuration", redis.Configuration));

    private static (string Version, string State) Split(RedisValue value)
    {
        var text = (string?)value ?? throw new InvalidOperationException("no hot copy in Redis");
        var cut = text.IndexOf('\n', StringComparison.Ordinal);
        return (text[..cut], text[(cut + 1)..]);
    }

    /// <summary>The state with a variable only this copy has.</summary>
    private static string Marked(string state, string mark)
    {
        var json = JsonNode.Parse(state)!.AsObject();
        var variables = json.First(p => string.Equals(p.Key, "variables", StringComparison.OrdinalIgnoreCase)).Value!.AsObject();
        variables["cacheMark"] = mark;
        return json.ToJsonString();
    }

    private static async Task<XDocument> WebhookAsync(WebApplicationFactory<Program> instance, string path, Dictionary<string, string> form)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(AuthToken, "http://localhost" + path, form));
        var response = await instance.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return XDocument.Parse(await response.Content.ReadAsStringAsync());
    }
}
