using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using VoiceAgent.Billing;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Cluster;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Http;
using VoiceAgent.Platform.Security;
using VoiceAgent.Telephony;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// Invalidation across instances (issue #18): a setting changed on one instance is seen by another at once — through
/// PostgreSQL NOTIFY without Redis, through Redis pub/sub with it, and through PostgreSQL again while Redis is down. The
/// hosts' clock stands still, so the caches' lifetimes never expire: only the announcement can refresh them.
/// </summary>
public sealed class ClusterEventsTests : IntegrationTest
{
    private const string Setting = "openai.api_key";

    protected override TimeProvider? AppTime { get; } = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero));

    private WebApplicationFactory<Program> Instance(string? redis = null) => App.WithWebHostBuilder(b =>
    {
        if (redis is not null)
        {
            b.UseSetting("Redis:Configuration", redis);
        }
    });

    private static async Task<string?> SettingOnAsync(WebApplicationFactory<Program> instance)
    {
        await using var scope = instance.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        return await db.InScopeAsync(s => s.UsePlatform(), () => scope.ServiceProvider.GetRequiredService<SettingsStore>().GetAsync(Setting));
    }

    private static async Task ListeningAsync(WebApplicationFactory<Program> instance) =>
        await instance.Services.GetRequiredService<ClusterEventsListener>().Listening.WaitAsync(TimeSpan.FromSeconds(30));

    private async Task<HttpClient> AdminOnAsync(WebApplicationFactory<Program> instance)
    {
        var admin = await App.LoginAsAdminAsync();
        var client = instance.CreateClient();
        foreach (var header in admin.DefaultRequestHeaders)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation(header.Key, header.Value);
        }

        return client;
    }

    [Fact]
    public async Task Without_redis_a_setting_changed_on_one_instance_is_seen_by_the_other_through_postgres_notify()
    {
        await using var first = Instance();
        await using var second = Instance();
        await ListeningAsync(first);
        await ListeningAsync(second);
        var admin = await AdminOnAsync(first);

        Assert.Null(await SettingOnAsync(second)); // cached now: "not set"
        (await admin.PutAsJsonAsync($"/api/admin/settings/{Setting}", new { value = "sk-test-" + new string('a', 40) })).EnsureSuccessStatusCode();
        await Eventually.UntilAsync(async () => await SettingOnAsync(second) == "sk-test-" + new string('a', 40), "the second instance sees the new key");

        (await admin.DeleteAsync($"/api/admin/settings/{Setting}")).EnsureSuccessStatusCode();
        await Eventually.UntilAsync(async () => await SettingOnAsync(second) is null, "the second instance sees the key removed");

        // Health without Redis: not configured, and that does not count against the status.
        var health = await Json(await second.CreateClient().GetAsync("/api/health"));
        Assert.Equal("not_configured", health.GetProperty("redis").GetString());
    }

    [Fact]
    public async Task With_redis_changes_travel_over_pub_sub_and_over_postgres_while_redis_is_down_health_degrades_but_serves()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var first = Instance(redis.Configuration);
        await using var second = Instance(redis.Configuration);
        await ListeningAsync(first);
        await ListeningAsync(second);
        var admin = await AdminOnAsync(first);

        // A bystander on the Redis channel sees the announcement (topic and key, never the value).
        await using var watcher = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var heard = new List<string>();
        await watcher.GetSubscriber().SubscribeAsync(RedisChannel.Literal("voiceagent:events"), (_, m) => { lock (heard) { heard.Add(m!); } });

        Assert.Null(await SettingOnAsync(second));
        var key = "sk-test-" + new string('b', 40);
        (await admin.PutAsJsonAsync($"/api/admin/settings/{Setting}", new { value = key })).EnsureSuccessStatusCode();
        await Eventually.UntilAsync(async () => await SettingOnAsync(second) == key, "the second instance sees the new key");
        await Eventually.UntilAsync(() => { lock (heard) { return heard.Count > 0; } }, "the announcement on Redis");
        lock (heard)
        {
            using var message = JsonDocument.Parse(heard[0]);
            Assert.Equal("settings", message.RootElement.GetProperty("T").GetString());
            Assert.Equal("setting:" + Setting, message.RootElement.GetProperty("K").GetString());
            Assert.DoesNotContain(key, heard[0], StringComparison.Ordinal);
        }

        var health = await Json(await second.CreateClient().GetAsync("/api/health"));
        Assert.Equal("operational", health.GetProperty("redis").GetString());

        // Redis gone: health says so (degraded, still 200 — the instance serves), and changes still arrive via PostgreSQL.
        await redis.StopAsync();
        var degraded = await second.CreateClient().GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, degraded.StatusCode);
        var body = await Json(degraded);
        Assert.Equal("down", body.GetProperty("redis").GetString());
        Assert.Equal("degraded", body.GetProperty("status").GetString());

        var rotated = "sk-test-" + new string('c', 40);
        (await admin.PutAsJsonAsync($"/api/admin/settings/{Setting}", new { value = rotated })).EnsureSuccessStatusCode();
        await Eventually.UntilAsync(async () => await SettingOnAsync(second) == rotated, "the second instance sees the rotated key without Redis");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/admin/settings")).StatusCode);
    }

    [Fact]
    public async Task A_plan_assigned_and_an_own_Twilio_account_removed_on_one_instance_are_seen_by_the_other_at_once()
    {
        await using var first = Instance();
        await using var second = Instance();
        await ListeningAsync(first);
        await ListeningAsync(second);
        var seed = new BillingSeed(Database);
        var tenantId = await seed.TenantAsync("Praxis Nord");
        var planId = await seed.PlanAsync("Komfort", 4900, 100, 50, 12m, 8m);
        const string accountSid = "AC0123456789abcdef0123456789abcdef";
        await seed.ExecuteAsync("""
            INSERT INTO tenant_twilio_accounts (tenant_id, account_sid, protected_auth_token, token_hint, verified_at, updated_at)
            VALUES (@t, @sid, 'ciphertext', '…cdef', now(), now())
            """, ("t", tenantId), ("sid", accountSid));
        var plans = second.Services.GetRequiredService<TenantPlanNames>();
        var directory = second.Services.GetRequiredService<TwilioAccountDirectory>();

        // Both cached on the second instance now: no plan yet, the account known.
        Assert.Null(await plans.CurrentAsync(tenantId, CancellationToken.None));
        Assert.NotNull(await directory.FindAsync(accountSid, CancellationToken.None));

        await using (var scope = first.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
            var actor = new Actor(null, "admin@voiceagent.local");
            await db.InScopeAsync(s => s.UsePlatform(),
                () => scope.ServiceProvider.GetRequiredService<PlanCatalog>().AssignAsync(tenantId, planId, new DateOnly(2026, 12, 1), actor));
            await db.InScopeAsync(s => s.UseTenant(tenantId),
                () => scope.ServiceProvider.GetRequiredService<TwilioAccounts>().DisconnectAsync(tenantId, actor));
        }

        await Eventually.UntilAsync(async () => await plans.CurrentAsync(tenantId, CancellationToken.None) == "Komfort",
            "the second instance sees the assigned plan");
        await Eventually.UntilAsync(async () => await directory.FindAsync(accountSid, CancellationToken.None) is null,
            "the second instance no longer knows the removed account");
    }
}
