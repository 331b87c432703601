using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

/// <summary>Issue #16, item 5: wrong passwords lock one (account, address) pair, never the account for everyone.</summary>
public sealed class SignInLockoutTests : IntegrationTest
{
    private const string Email = "chef@salon.de";
    private const string Wrong = "falsch-123456";
    private const string LockedTitle = "Zu viele Fehlversuche: Die Anmeldung von dieser Adresse ist vorübergehend gesperrt. Bitte versuchen Sie es in einigen Minuten erneut.";
    private const string FailedTitle = "E-Mail-Adresse oder Passwort ist falsch.";

    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero));

    protected override TimeProvider? AppTime => clock;

    [Fact]
    public async Task Wrong_passwords_from_one_ipv6_64_do_not_lock_the_account_for_another_address()
    {
        await App.ApprovedTenantAsync(Email);

        // Five wrong passwords from five addresses of one /64: the pair is locked at the fifth.
        var titles = new List<string?>();
        for (var i = 1; i <= 5; i++)
        {
            var failed = await LoginAsync(Email, Wrong, $"2001:db8:1:2::{i:x}");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
            titles.Add((await Json(failed)).GetProperty("title").GetString());
        }

        Assert.Equal([FailedTitle, FailedTitle, FailedTitle, FailedTitle, LockedTitle], titles);

        // The right password from the same /64 is refused without being checked …
        var sameNetwork = await LoginAsync(Email, TestData.Password, "2001:db8:1:2:ffff::1");
        Assert.Equal(HttpStatusCode.Unauthorized, sameNetwork.StatusCode);
        Assert.Equal(LockedTitle, (await Json(sameNetwork)).GetProperty("title").GetString());

        // … while the user signs in normally from any other network.
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(Email, TestData.Password, "2001:db8:1:3::1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(Email, TestData.Password, "203.0.113.9")).StatusCode);

        // Identity's account-wide lockout was never touched; failures and the lock are audited without the password.
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM users WHERE email = '{Email}' AND (access_failed_count > 0 OR lockout_end IS NOT NULL)"));
        Assert.Equal(5, await CountAsync($"SELECT count(*) FROM audit_entries WHERE action = 'auth.sign_in_failed' AND details LIKE '%client=2001:db8:1:2::/64%'"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'auth.sign_in_locked' AND tenant_id IS NOT NULL"));
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM audit_entries WHERE details LIKE '%{Wrong}%' OR details LIKE '%{TestData.Password}%'"));
    }

    [Fact]
    public async Task Unknown_and_known_accounts_get_the_same_answers()
    {
        await App.ApprovedTenantAsync(Email);

        var known = new List<string?>();
        var unknown = new List<string?>();
        for (var i = 0; i < 6; i++)
        {
            known.Add((await Json(await LoginAsync(Email, Wrong, "198.51.100.7"))).GetProperty("title").GetString());
            unknown.Add((await Json(await LoginAsync("niemand@salon.de", Wrong, "198.51.100.7"))).GetProperty("title").GetString());
        }

        Assert.Equal(known, unknown);
        Assert.Equal(LockedTitle, unknown[^1]);
    }

    [Fact]
    public async Task A_locked_pair_opens_after_the_window_and_the_next_lock_lasts_twice_as_long()
    {
        await App.ApprovedTenantAsync(Email);
        const string address = "192.0.2.44";
        await FailAsync(5, address);

        clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(Email, TestData.Password, address)).StatusCode);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(Email, TestData.Password, address)).StatusCode);

        // A success starts the pair afresh: four wrong passwords do not lock it.
        await FailAsync(4, address);
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(Email, TestData.Password, address)).StatusCode);

        // Without a success between them, the second lock lasts 30 minutes.
        await FailAsync(5, address);
        clock.Advance(TimeSpan.FromMinutes(15));
        await FailAsync(5, address);
        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(Email, TestData.Password, address)).StatusCode);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(Email, TestData.Password, address)).StatusCode);
    }

    [Fact]
    public async Task The_super_admin_unlocks_a_user_and_it_is_audited()
    {
        var (tenantId, _) = await App.ApprovedTenantAsync(Email);
        await FailAsync(5, "192.0.2.44");
        await FailAsync(5, "2001:db8:9:9::1");
        var userId = await UserIdAsync(Email);

        var tenant = await App.LoginAsync(Email, TestData.Password);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.PostAsync($"/api/admin/users/{userId}/unlock", null)).StatusCode);
        var admin = await App.LoginAsAdminAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/admin/users/{Guid.NewGuid()}/unlock", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/admin/users/{userId}/unlock", null)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(Email, TestData.Password, "192.0.2.44")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(Email, TestData.Password, "2001:db8:9:9::1")).StatusCode);
        Assert.Equal(1, await CountAsync(
            $"SELECT count(*) FROM audit_entries WHERE action = 'user.unlocked' AND tenant_id = '{tenantId}' AND actor_email = '{VoiceAgentFactory.AdminEmail}' AND details LIKE '%addresses=2%'"));
    }

    private async Task FailAsync(int times, string address)
    {
        for (var i = 0; i < times; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(Email, Wrong, address)).StatusCode);
        }
    }

    private Task<HttpResponseMessage> LoginAsync(string email, string password, string address)
    {
        var client = App.CreateClient();
        client.DefaultRequestHeaders.Add(TestClientAddress.Header, address);
        return client.PostAsJsonAsync("/api/auth/login", new { email, password });
    }
}
