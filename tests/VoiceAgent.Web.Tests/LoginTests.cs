using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Identity;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

public sealed class LoginTests : IntegrationTest
{
    [Fact]
    public async Task Login_returns_a_bearer_token_usable_on_the_api()
    {
        var response = await App.CreateClient().PostAsJsonAsync("/api/auth/login",
            new { email = VoiceAgentFactory.AdminEmail, password = VoiceAgentFactory.AdminPassword, twoFactorCode = App.CurrentCode(VoiceAgentFactory.AdminEmail) });

        var body = await Json(response);
        Assert.Equal("Bearer", body.GetProperty("tokenType").GetString());
        Assert.True(body.GetProperty("expiresIn").GetInt32() > 0);
        var admin = await App.LoginAsAdminAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/admin/tenants")).StatusCode);
    }

    [Fact]
    public async Task Wrong_password_is_401_in_german_and_locks_out_after_five_failures()
    {
        var client = App.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            var failed = await client.PostAsJsonAsync("/api/auth/login", new { email = VoiceAgentFactory.AdminEmail, password = "falsch-123456" });
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        var locked = await client.PostAsJsonAsync("/api/auth/login",
            new { email = VoiceAgentFactory.AdminEmail, password = VoiceAgentFactory.AdminPassword });
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Contains("gesperrt", (await Json(locked)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Portal_login_page_is_german_and_sets_an_auth_cookie()
    {
        var page = PortalPage.Create(App);
        var html = await (await page.Client.GetAsync("/login")).Content.ReadAsStringAsync();
        Assert.Contains("<html lang=\"de\"", html);
        Assert.Contains("<title>Anmelden · VoiceAgent</title>", html);

        var response = await page.LoginAsync(VoiceAgentFactory.AdminEmail, VoiceAgentFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        // Signed in, the dashboard's page is served (interactive: the circuit renders it in the browser).
        var dashboard = await page.Client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("_framework/blazor.web.js", await dashboard.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Portal_session_is_revalidated_against_the_security_stamp()
    {
        // Re-validate on every request: the check must find the user although it runs before any tenant scope exists.
        using var app = App.WithWebHostBuilder(b => b.ConfigureServices(s =>
            s.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.Zero)));
        var page = PortalPage.Create(app);
        await page.LoginAsync(VoiceAgentFactory.AdminEmail, VoiceAgentFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, (await page.Client.GetAsync("/admin")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await page.Client.GetAsync("/admin/tenants")).StatusCode);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            await db.InScopeAsync(s => s.UsePlatform(), async () =>
            {
                var admin = await users.FindByEmailAsync(VoiceAgentFactory.AdminEmail);
                return await users.UpdateSecurityStampAsync(admin!);
            });
        }

        var after = await page.Client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/login", after.Headers.Location?.PathAndQuery ?? after.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Portal_form_without_antiforgery_token_is_refused()
    {
        var client = PortalPage.Create(App).Client;
        var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["Input.Email"] = VoiceAgentFactory.AdminEmail,
            ["Input.Password"] = VoiceAgentFactory.AdminPassword,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("voiceagent.auth", StringComparison.Ordinal)));
    }
}

public sealed class ProductionLoginTests : IntegrationTest
{
    protected override string Environment => "Production";

    [Fact]
    public async Task Dev_seeded_account_is_refused_in_production()
    {
        await App.CreateSuperAdminAsync("seeded@voiceagent.local", "Seeded-Passwort-1", devSeeded: true);

        var response = await App.CreateClient().PostAsJsonAsync("/api/auth/login", new { email = "seeded@voiceagent.local", password = "Seeded-Passwort-1" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Entwicklungskonten", (await Json(response)).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.OK, (await App.LoginAsAdminAsync().ContinueWith(t => t.Result.GetAsync("/api/admin/tenants")).Unwrap()).StatusCode);
    }
}

public sealed class RateLimitTests : IntegrationTest
{
    [Fact]
    public async Task Anonymous_auth_endpoints_are_rate_limited_per_client_with_a_german_429()
    {
        var client = App.CreateClient();
        HttpResponseMessage last = default!;
        for (var i = 0; i <= Platform.Http.RateLimits.PermitsPerMinute; i++)
        {
            last = await client.PostAsJsonAsync("/api/auth/login", new { email = "niemand@firma.de", password = "falsch-123456" });
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);
        Assert.Equal("Zu viele Anfragen. Bitte warten Sie einen Moment.", (await Json(last)).GetProperty("title").GetString());
        // Health is not behind the auth limiter (it may be 503 while the scheduler has not announced itself yet).
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await client.GetAsync("/api/health")).StatusCode);
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    public void Clients_are_grouped_by_address_and_ipv6_by_64_prefix(string address, string key) =>
        Assert.Equal(key, Platform.Http.RateLimits.ClientKey(System.Net.IPAddress.Parse(address)));
}
