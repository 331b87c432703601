using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// /api/health tells the truth: a provider is operational only after an authenticated call succeeded (cached, per
/// provider), down with a reason when its credentials are rejected, degraded on 429/5xx/timeouts; the overall status is
/// the worst part, and 503 means the database or the scheduler is down. The fake Twilio account endpoint stands in for a
/// provider (200 with the right credentials, 401 otherwise, scripted 429/5xx, or no answer at all).
/// </summary>
public sealed class HealthTests : IntegrationTest
{
    private const string Sid = "AC0123456789abcdef0123456789abcdef";
    private const string Token = "0123456789abcdef0123456789abcdef";

    // This class's default host runs no Hangfire server: the scheduler is down (the hosts that need it start their own).
    protected override Dictionary<string, string?> AppSettings => new() { ["Jobs:RunServer"] = "false" };

    [Fact]
    public async Task Without_a_scheduler_the_health_is_503_down_with_every_provider_not_configured()
    {
        var response = await App.CreateClient().GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await Json(response);
        Assert.Equal("down", body.GetProperty("status").GetString());
        Assert.Equal("operational", body.GetProperty("database").GetString());
        Assert.Equal("down", body.GetProperty("scheduler").GetString());
        Assert.Equal("not_configured", body.GetProperty("redis").GetString());
        foreach (var provider in new[] { "twilio", "sipgate", "openai", "googlecloud", "stripe", "lexoffice", "google", "microsoft" })
        {
            var entry = body.GetProperty("providers").GetProperty(provider);
            Assert.Equal("not_configured", entry.GetProperty("status").GetString());
            Assert.False(entry.TryGetProperty("reason", out _));
        }
    }

    [Fact]
    public async Task Liveness_is_200_alive_anonymously_while_readiness_is_503()
    {
        var client = App.CreateClient();

        var ready = await client.GetAsync("/api/health");
        var live = await client.GetAsync("/api/health/live");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("application/json", live.Content.Headers.ContentType?.MediaType);
        var body = await Json(live);
        Assert.Equal("alive", body.GetProperty("status").GetString());
        Assert.Single(body.EnumerateObject());
    }

    [Fact]
    public async Task With_a_scheduler_and_nothing_configured_the_health_is_200_operational()
    {
        await using var app = new VoiceAgentFactory(Database);
        var client = app.CreateClient();

        // Hangfire announces its server shortly after the start.
        JsonElement body = default;
        await Eventually.UntilAsync(async () =>
        {
            var response = await client.GetAsync("/api/health");
            body = await Json(response);
            return response.StatusCode == HttpStatusCode.OK;
        }, "the scheduler's first heartbeat");

        Assert.Equal("operational", body.GetProperty("status").GetString());
        Assert.Equal("operational", body.GetProperty("scheduler").GetString());
    }

    [Fact]
    public async Task A_provider_is_operational_after_a_good_call_down_when_rejected_and_degraded_on_429_5xx_and_hangs()
    {
        await using var twilio = await FakeTwilioAccountsApi.StartAsync(Sid, Token);
        await using var app = new VoiceAgentFactory(Database)
        {
            Settings =
            {
                ["Jobs:RunServer"] = "false",
                ["Twilio:ApiBaseUrl"] = twilio.BaseUrl,
                ["Health:CacheFor"] = "00:00:00", // every request checks again: this test is about the states, not the cache
                ["Health:Wait"] = "00:00:01",
            },
        };
        var admin = await app.LoginAsAdminAsync();
        await admin.PutAsJsonAsync("/api/admin/settings/twilio.account_sid", new { value = Sid });
        await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = Token });

        var up = await TwilioAsync(app);
        Assert.Equal("operational", up.GetProperty("status").GetString());
        Assert.False(up.TryGetProperty("reason", out _));
        Assert.True(up.TryGetProperty("checkedAt", out _));

        twilio.Status = 503;
        Assert.Equal(("degraded", "Störung beim Anbieter (HTTP 503)"), State(await TwilioAsync(app)));

        twilio.Status = 429;
        Assert.Equal(("degraded", "Zu viele Anfragen (HTTP 429)"), State(await TwilioAsync(app)));

        twilio.Status = null;
        twilio.Hang = true;
        var response = await app.CreateClient().GetAsync("/api/health");
        var hanging = (await Json(response)).GetProperty("providers").GetProperty("twilio");
        Assert.Equal(("degraded", "Zeitüberschreitung"), State(hanging));
        Assert.False(hanging.TryGetProperty("checkedAt", out _));

        twilio.Hang = false;
        await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = "ffffffffffffffffffffffffffffffff" });
        var rejected = await (await app.CreateClient().GetAsync("/api/health")).Content.ReadAsStringAsync();
        using var parsed = JsonDocument.Parse(rejected);
        Assert.Equal(("down", "Zugangsdaten abgelehnt"), State(parsed.RootElement.GetProperty("providers").GetProperty("twilio")));
        Assert.Equal("down", parsed.RootElement.GetProperty("status").GetString());
        // Never a secret or the provider's own message in the body.
        Assert.DoesNotContain("ffffffff", rejected);
        Assert.DoesNotContain(Sid, rejected);
        Assert.DoesNotContain("Authenticate", rejected);
    }

    [Fact]
    public async Task A_provider_answer_is_cached_for_at_most_a_minute_and_a_new_key_is_checked_at_once()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var twilio = await FakeTwilioAccountsApi.StartAsync(Sid, Token);
        await using var app = new VoiceAgentFactory(Database)
        {
            Time = time,
            Settings = { ["Jobs:RunServer"] = "false", ["Twilio:ApiBaseUrl"] = twilio.BaseUrl },
        };
        var admin = await app.LoginAsAdminAsync();
        await admin.PutAsJsonAsync("/api/admin/settings/twilio.account_sid", new { value = Sid });
        await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = Token });

        Assert.Equal("operational", (await TwilioAsync(app)).GetProperty("status").GetString());
        Assert.Equal(1, twilio.Requests);

        time.Advance(TimeSpan.FromSeconds(59));
        twilio.Status = 503;
        Assert.Equal("operational", (await TwilioAsync(app)).GetProperty("status").GetString());
        Assert.Equal(1, twilio.Requests);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("degraded", (await TwilioAsync(app)).GetProperty("status").GetString());
        Assert.Equal(2, twilio.Requests);

        twilio.Status = null;
        await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = "ffffffffffffffffffffffffffffffff" });
        Assert.Equal("down", (await TwilioAsync(app)).GetProperty("status").GetString());
        Assert.Equal(3, twilio.Requests);
    }

    [Fact]
    public async Task A_hanging_provider_is_degraded_by_timeout_on_the_clock_and_its_late_answer_is_used_next_time()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var twilio = await FakeTwilioAccountsApi.StartAsync(Sid, Token);
        await using var app = new VoiceAgentFactory(Database)
        {
            Time = time,
            Settings = { ["Jobs:RunServer"] = "false", ["Twilio:ApiBaseUrl"] = twilio.BaseUrl },
        };
        var admin = await app.LoginAsAdminAsync();
        await admin.PutAsJsonAsync("/api/admin/settings/twilio.account_sid", new { value = Sid });
        await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = Token });
        twilio.Hang = true;

        var pending = app.CreateClient().GetAsync("/api/health");
        await Eventually.UntilAsync(() => twilio.Requests == 1, "the check reached the provider");
        Assert.False(pending.IsCompleted);
        // The request waits two seconds on the app's clock, then answers without the provider.
        await Eventually.UntilAsync(() =>
        {
            time.Advance(TimeSpan.FromMilliseconds(500));
            return pending.IsCompleted;
        }, "the health request answered");
        var hanging = (await Json(await pending)).GetProperty("providers").GetProperty("twilio");
        Assert.Equal(("degraded", "Zeitüberschreitung"), State(hanging));

        // The provider goes away (its server stops and drops the hanging connection), so the app's pending check ends and
        // the host can shut down.
        time.Advance(TimeSpan.FromSeconds(15));
        await twilio.DisposeAsync();
    }

    [Fact]
    public async Task Health_is_503_with_database_down_when_postgres_is_stopped()
    {
        var own = await PostgresServer.StartAsync();
        await using var app = new VoiceAgentFactory(own);
        var client = app.CreateClient();
        await Eventually.UntilAsync(async () => (await client.GetAsync("/api/health")).StatusCode == HttpStatusCode.OK, "the scheduler's first heartbeat");

        own.Stop();
        var response = await client.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await Json(response);
        Assert.Equal("down", body.GetProperty("database").GetString());
        Assert.Equal("down", body.GetProperty("status").GetString());

        // Liveness does not touch the database: the process still answers, so an orchestrator must not restart it.
        var live = await client.GetAsync("/api/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("alive", (await Json(live)).GetProperty("status").GetString());
    }

    private static async Task<JsonElement> TwilioAsync(VoiceAgentFactory app)
    {
        var response = await app.CreateClient().GetAsync("/api/health");
        return (await Json(response)).GetProperty("providers").GetProperty("twilio");
    }

    private static (string?, string?) State(JsonElement provider) =>
        (provider.GetProperty("status").GetString(), provider.TryGetProperty("reason", out var reason) ? reason.GetString() : null);
}
