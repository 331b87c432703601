using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>TOTP two-factor authentication (issue #16, item 5): enrolment, the second step, recovery codes, resets.</summary>
public sealed class TwoFactorTests : IntegrationTest
{
    private const string Email = "chef@salon.de";

    [Fact]
    public async Task Enrolment_then_login_needs_a_code_and_a_recovery_code_works_once_and_a_reset_ends_the_sessions()
    {
        var (tenantId, tenant) = await App.ApprovedTenantAsync(Email);

        var setup = await Json(await tenant.GetAsync("/api/account/2fa"));
        Assert.False(setup.GetProperty("enabled").GetBoolean());
        Assert.False(setup.GetProperty("required").GetBoolean());
        var key = setup.GetProperty("sharedKey").GetString()!;
        Assert.StartsWith("otpauth://totp/VoiceAgent:chef%40salon.de?secret=" + key, setup.GetProperty("authenticatorUri").GetString());

        // A wrong code enables nothing.
        var wrong = await tenant.PostAsJsonAsync("/api/account/2fa/enable", new { code = WrongCode(key) });
        Assert.Equal("Der Code ist ungültig oder abgelaufen. Bitte versuchen Sie es erneut.", (await FieldErrors(wrong))["code"][0]);
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM users WHERE email = '{Email}' AND two_factor_enabled"));

        var enabled = await tenant.PostAsJsonAsync("/api/account/2fa/enable", new { code = Totp.Code(key) });
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        var codes = (await Json(enabled)).GetProperty("codes").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Equal(10, codes.Distinct().Count());
        // Enabling changed the security stamp: the token used for it is worthless now.
        Assert.Equal(HttpStatusCode.Unauthorized, (await tenant.GetAsync("/api/tenant")).StatusCode);

        // The password alone is not enough any more.
        var passwordOnly = await App.CreateClient().PostAsJsonAsync("/api/auth/login", new { email = Email, password = TestData.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, passwordOnly.StatusCode);
        Assert.Equal("RequiresTwoFactor", (await Json(passwordOnly)).GetProperty("detail").GetString());
        var badCode = await Login(new { email = Email, password = TestData.Password, twoFactorCode = WrongCode(key) });
        Assert.Equal(HttpStatusCode.Unauthorized, badCode.StatusCode);

        var withCode = await Login(new { email = Email, password = TestData.Password, twoFactorCode = Totp.Code(key) });
        Assert.Equal(HttpStatusCode.OK, withCode.StatusCode);
        var session = await BearerAsync(withCode);
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/api/tenant")).StatusCode);

        // A recovery code works exactly once.
        var recovery = await Login(new { email = Email, password = TestData.Password, twoFactorRecoveryCode = codes[3] });
        Assert.Equal(HttpStatusCode.OK, recovery.StatusCode);
        var again = await Login(new { email = Email, password = TestData.Password, twoFactorRecoveryCode = codes[3] });
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.Equal(9, (await Json(await session.GetAsync("/api/account/2fa"))).GetProperty("recoveryCodesLeft").GetInt32());

        // The super-admin resets the user's 2FA: every session of the user ends; the password alone signs in again.
        var admin = await App.LoginAsAdminAsync();
        var userId = await UserIdAsync(Email);
        Assert.Equal(HttpStatusCode.NoContent,
            (await admin.PostAsJsonAsync($"/api/admin/users/{userId}/reset-2fa", new { reason = "Telefon verloren" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await session.GetAsync("/api/tenant")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Login(new { email = Email, password = TestData.Password })).StatusCode);
        Assert.Equal(1, await CountAsync(
            $"SELECT count(*) FROM audit_entries WHERE action = 'user.2fa_reset' AND tenant_id = '{tenantId}' AND reason = 'Telefon verloren'"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'user.2fa_enabled'"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'auth.recovery_code_used'"));
        // The old key is gone with the reset.
        var fresh = await BearerAsync(await Login(new { email = Email, password = TestData.Password }));
        Assert.NotEqual(key, (await Json(await fresh.GetAsync("/api/account/2fa"))).GetProperty("sharedKey").GetString());
    }

    [Fact]
    public async Task Portal_second_step_accepts_a_code_and_a_reset_ends_every_cookie_session()
    {
        await App.ApprovedTenantAsync(Email);
        const string key = "KRUGS4ZANFZSAYJAORSXG5BAMRZXK3DU";
        await App.EnrolAuthenticatorAsync(Email, key.ToUpperInvariant());

        var first = PortalPage.Create(App);
        var step = await first.LoginAsync(Email, TestData.Password);
        Assert.Equal(HttpStatusCode.Redirect, step.StatusCode);
        var secondStep = PathOf(step);
        Assert.StartsWith("/login/2fa", secondStep);
        // Before the second step, the portal is closed.
        Assert.Equal(HttpStatusCode.Redirect, (await first.Client.GetAsync("/app")).StatusCode);
        var wrong = await first.SecondFactorAsync(secondStep, WrongCode(key.ToUpperInvariant()));
        Assert.Contains("Der Code ist ungültig oder abgelaufen.", await wrong.Content.ReadAsStringAsync());
        var done = await first.SecondFactorAsync(secondStep, Totp.Code(key.ToUpperInvariant()));
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await first.Client.GetAsync("/app")).StatusCode);

        var second = PortalPage.Create(App);
        Assert.Equal(HttpStatusCode.Redirect, (await second.LoginAsync(Email, TestData.Password, Totp.Code(key.ToUpperInvariant()))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.Client.GetAsync("/app")).StatusCode);

        var admin = await App.LoginAsAdminAsync();
        (await admin.PostAsJsonAsync($"/api/admin/users/{await UserIdAsync(Email)}/reset-2fa", new { reason = "Gerät gestohlen" })).EnsureSuccessStatusCode();

        foreach (var page in new[] { first, second })
        {
            var after = await page.Client.GetAsync("/app");
            Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
            Assert.StartsWith("/login", PathOf(after));
        }
    }

    [Fact]
    public async Task Password_change_ends_the_other_sessions_and_keeps_this_one()
    {
        var (_, token) = await App.ApprovedTenantAsync(Email);
        var here = PortalPage.Create(App);
        var there = PortalPage.Create(App);
        await here.LoginAsync(Email, TestData.Password);
        await there.LoginAsync(Email, TestData.Password);
        Assert.Equal(HttpStatusCode.OK, (await there.Client.GetAsync("/app")).StatusCode);

        var wrongCurrent = await here.PostFormAsync("/account/security", "change-password",
            new() { ["Password.Current"] = "Falsch-123456", ["Password.New"] = "Neues-Passwort-2027" });
        Assert.True(wrongCurrent.StatusCode == HttpStatusCode.OK, $"{wrongCurrent.StatusCode} {PathOf(wrongCurrent)}");
        Assert.Contains("Das aktuelle Passwort ist falsch.", await wrongCurrent.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await there.Client.GetAsync("/app")).StatusCode);

        var changed = await here.PostFormAsync("/account/security", "change-password",
            new() { ["Password.Current"] = TestData.Password, ["Password.New"] = "Neues-Passwort-2027" });
        Assert.Contains("Passwort geändert. Alle anderen Sitzungen wurden beendet.", await changed.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, (await here.Client.GetAsync("/app")).StatusCode);
        var other = await there.Client.GetAsync("/app");
        Assert.Equal(HttpStatusCode.Redirect, other.StatusCode);
        Assert.StartsWith("/login", PathOf(other));
        Assert.Equal(HttpStatusCode.Unauthorized, (await token.GetAsync("/api/tenant")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Login(new { email = Email, password = "Neues-Passwort-2027" })).StatusCode);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'user.password_changed'"));
    }

    [Fact]
    public async Task A_super_admin_without_2fa_can_only_reach_the_enrolment_page()
    {
        const string root = "root@test.local";
        const string password = "Root-Passwort-123";
        await App.CreateSuperAdminAsync(root, password, twoFactor: false);

        var page = PortalPage.Create(App);
        var login = await page.LoginAsync(root, password);
        Assert.Equal("/account/security", PathOf(login));
        foreach (var path in new[] { "/admin", "/admin/tenants", "/admin/jobs", "/app" })
        {
            var response = await page.Client.GetAsync(path);
            Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"{path}: {response.StatusCode}");
            if (response.StatusCode == HttpStatusCode.Redirect)
            {
                Assert.True(PathOf(response).StartsWith("/account/security", StringComparison.Ordinal), $"{path} → {PathOf(response)}");
            }
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await page.Client.GetAsync("/api/admin/tenants")).StatusCode);
        var html = await (await page.Client.GetAsync("/account/security")).Content.ReadAsStringAsync();
        Assert.Contains("Als Plattform-Administrator müssen Sie die Zwei-Faktor-Anmeldung einrichten", html);
        Assert.Contains("<svg", html);

        // Over the API, the token of such a session opens the enrolment only.
        var api = await BearerAsync(await Login(new { email = root, password }));
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/api/admin/tenants")).StatusCode);
        var setup = await Json(await api.GetAsync("/api/account/2fa"));
        Assert.True(setup.GetProperty("required").GetBoolean());
        var key = setup.GetProperty("sharedKey").GetString()!;
        (await api.PostAsJsonAsync("/api/account/2fa/enable", new { code = Totp.Code(key) })).EnsureSuccessStatusCode();

        var enrolled = await BearerAsync(await Login(new { email = root, password, twoFactorCode = Totp.Code(key) }));
        Assert.Equal(HttpStatusCode.OK, (await enrolled.GetAsync("/api/admin/tenants")).StatusCode);
    }

    private Task<HttpResponseMessage> Login(object body) => App.CreateClient().PostAsJsonAsync("/api/auth/login", body);

    private async Task<HttpClient> BearerAsync(HttpResponseMessage login)
    {
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var client = App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await Json(login)).GetProperty("accessToken").GetString());
        return client;
    }

    // A code that is valid in none of the accepted time steps (Identity accepts ±2 steps of 30 s).
    private static string WrongCode(string key)
    {
        var now = DateTimeOffset.UtcNow;
        var valid = Enumerable.Range(-3, 7).Select(i => Totp.Code(key, now.AddSeconds(30 * i))).ToHashSet();
        return Enumerable.Range(0, 1000).Select(i => i.ToString("D6")).First(c => !valid.Contains(c));
    }
}
