using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Npgsql;
using VoiceAgent.Calendars;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Web.Tests;

/// <summary>Connecting Google and Microsoft 365 with OAuth (authorization code + PKCE) against the providers' fakes.</summary>
public sealed class ConnectorOAuthTests : IntegrationTest
{
    // The connector host runs the jobs with the fakes' settings; the test's default host runs none.
    protected override Dictionary<string, string?> AppSettings => new() { ["Jobs:RunServer"] = "false", ["Calendars:RunWorker"] = "false" };

    [Fact]
    public async Task Authorize_redirects_to_the_provider_with_state_pkce_s256_and_the_exact_redirect_uri()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (_, _, admin) = await host.TenantAsync("chef@praxis.de");

        var google = await ConnectorTestHost.AuthorizeAsync(admin, "google");
        var microsoft = await ConnectorTestHost.AuthorizeAsync(admin, "microsoft");

        Assert.Equal(host.Google.AuthorizeUrl.GetLeftPart(UriPartial.Path), google.GetLeftPart(UriPartial.Path));
        var g = QueryHelpers.ParseQuery(google.Query);
        Assert.Equal("S256", g["code_challenge_method"]);
        Assert.Equal(43, g["code_challenge"].ToString().Length);
        Assert.True(g["state"].ToString().Length > 40);
        Assert.Equal("http://localhost/oauth/callback/google", g["redirect_uri"]);
        Assert.Equal("code", g["response_type"]);
        Assert.Equal("offline", g["access_type"]);
        Assert.Equal("consent", g["prompt"]);
        Assert.Contains("https://www.googleapis.com/auth/calendar.events", g["scope"].ToString());

        Assert.Equal(new Uri(host.Graph.BaseUrl, "common/oauth2/v2.0/authorize").ToString(), microsoft.GetLeftPart(UriPartial.Path));
        var m = QueryHelpers.ParseQuery(microsoft.Query);
        Assert.Equal("S256", m["code_challenge_method"]);
        Assert.Equal("http://localhost/oauth/callback/microsoft", m["redirect_uri"]);
        Assert.Equal("query", m["response_mode"]);
        Assert.Contains("offline_access", m["scope"].ToString());
        Assert.NotEqual(g["state"], m["state"]);
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM oauth_states WHERE used_at IS NULL AND expires_at > now() + interval '9 minutes'"));
    }

    [Fact]
    public async Task Google_connect_stores_the_tokens_only_as_ciphertext_and_is_audited()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (tenantId, _, admin) = await host.TenantAsync("chef@praxis.de");

        await host.ConnectAsync(admin, "google");

        var connector = await host.ConnectorAsync(admin, "google");
        Assert.Equal("connected", connector.GetProperty("status").GetString());
        Assert.Equal(FakeGoogleCalendarServer.PrimaryCalendar, connector.GetProperty("account").GetString());
        Assert.Equal("Praxis Dr. Muster", connector.GetProperty("calendarName").GetString());
        Assert.True(connector.GetProperty("active").GetBoolean());
        var stored = await ScalarAsync<string>($"SELECT protected_secret FROM calendar_connections WHERE tenant_id = '{tenantId}'");
        Assert.NotEmpty(host.Google.OAuth.IssuedTokens);
        Assert.All(host.Google.OAuth.IssuedTokens, token => Assert.DoesNotContain(token, stored));
        Assert.DoesNotContain("refresh", stored, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{tenantId}' AND action = 'connector.connected'"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{tenantId}' AND action = 'connector.calendar_selected'"));
        var all = await CountAsync("SELECT count(*) FROM audit_entries WHERE " +
                                   string.Join(" OR ", host.Google.OAuth.IssuedTokens.Select(t => $"details LIKE '%{t}%'")));
        Assert.Equal(0, all);
    }

    [Fact]
    public async Task Microsoft_connect_goes_through_msal_and_stores_its_token_cache_as_ciphertext()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (tenantId, _, admin) = await host.TenantAsync("chef@praxis.de");

        await host.ConnectAsync(admin, "microsoft", FakeGraphServer.SecondCalendar);

        var connector = await host.ConnectorAsync(admin, "microsoft");
        Assert.Equal("connected", connector.GetProperty("status").GetString());
        Assert.Equal("praxis@contoso.onmicrosoft.com", connector.GetProperty("account").GetString());
        Assert.Equal("Praxis", connector.GetProperty("calendarName").GetString());
        var exchange = host.Graph.OAuth.TokenRequests.First(r => r["grant_type"] == "authorization_code");
        Assert.Equal(43, exchange["code_verifier"].Length);
        Assert.Equal("http://localhost/oauth/callback/microsoft", exchange["redirect_uri"]);
        var stored = await ScalarAsync<string>($"SELECT protected_secret FROM calendar_connections WHERE tenant_id = '{tenantId}'");
        Assert.All(host.Graph.OAuth.IssuedTokens, token => Assert.DoesNotContain(token, stored));
    }

    [Theory]
    [InlineData("google")]
    [InlineData("microsoft")]
    public async Task A_tampered_state_is_refused_and_nothing_is_stored(string provider)
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (_, _, admin) = await host.TenantAsync("chef@praxis.de");
        var callback = host.Approve(provider, await ConnectorTestHost.AuthorizeAsync(admin, provider));
        var query = QueryHelpers.ParseQuery(new Uri("http://x" + callback).Query);
        var state = query["state"].ToString();
        var tampered = state[..^4] + (state[^4] == 'A' ? "B" : "A") + state[^3..];

        var response = await admin.GetAsync($"/oauth/callback/{provider}?code={query["code"]}&state={tampered}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM calendar_connections"));
        Assert.Equal(0, host.Google.OAuth.TokenRequests.Count + host.Graph.OAuth.TokenRequests.Count);
        // The genuine state still works afterwards: the forgery did not consume it.
        Assert.Equal(HttpStatusCode.Redirect, (await admin.GetAsync(callback)).StatusCode);
    }

    [Fact]
    public async Task A_replayed_state_is_refused()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (tenantId, _, admin) = await host.TenantAsync("chef@praxis.de");
        var authorize = await ConnectorTestHost.AuthorizeAsync(admin, "google");
        var callback = host.Approve("google", authorize);
        Assert.Equal(HttpStatusCode.Redirect, (await admin.GetAsync(callback)).StatusCode);
        // The provider would never issue a second code for one authorization; an attacker replaying the state might.
        var secondCode = host.Approve("google", authorize);

        var replay = await admin.GetAsync(secondCode);

        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Contains("schon verwendet", (await Json(replay)).GetProperty("title").GetString());
        Assert.Single(host.Google.OAuth.TokenRequests);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{tenantId}' AND action = 'connector.connected'"));
    }

    [Fact]
    public async Task An_expired_state_is_refused_and_nothing_is_stored()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (_, _, admin) = await host.TenantAsync("chef@praxis.de");
        var callback = host.Approve("google", await ConnectorTestHost.AuthorizeAsync(admin, "google"));
        await ExecuteAsync("UPDATE oauth_states SET created_at = created_at - interval '11 minutes', expires_at = expires_at - interval '11 minutes'");

        var response = await admin.GetAsync(callback);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM calendar_connections"));
        Assert.Empty(host.Google.OAuth.TokenRequests);
    }

    [Fact]
    public async Task A_state_of_another_tenant_is_refused_and_nothing_is_stored()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (_, _, victim) = await host.TenantAsync("chef@praxis.de");
        var (attackerTenant, _, attacker) = await host.TenantAsync("boss@andere-praxis.de", "Andere Praxis");
        var callback = host.Approve("google", await ConnectorTestHost.AuthorizeAsync(attacker, "google"));

        var response = await victim.GetAsync(callback);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM calendar_connections"));
        Assert.Empty(host.Google.OAuth.TokenRequests);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM oauth_states WHERE tenant_id = '{attackerTenant}' AND used_at IS NULL"));
    }

    [Fact]
    public async Task A_missing_pkce_verifier_is_refused_and_the_provider_refuses_a_code_without_one()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (_, _, admin) = await host.TenantAsync("chef@praxis.de");
        var authorize = await ConnectorTestHost.AuthorizeAsync(admin, "google");
        var callback = host.Approve("google", authorize);
        await ExecuteAsync("UPDATE oauth_states SET protected_code_verifier = ''");

        var response = await admin.GetAsync(callback);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM calendar_connections"));
        Assert.Empty(host.Google.OAuth.TokenRequests);

        // And the (fake) provider enforces PKCE: the same code redeemed without a verifier is refused.
        using var raw = new HttpClient();
        var code = QueryHelpers.ParseQuery(new Uri("http://x" + host.Approve("google", authorize)).Query)["code"].ToString();
        var exchange = await raw.PostAsync(host.Google.TokenUrl, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = "http://localhost/oauth/callback/google",
            ["client_id"] = host.Google.OAuth.ClientId, ["client_secret"] = host.Google.OAuth.ClientSecret,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, exchange.StatusCode);
        Assert.Equal("invalid_grant", (await exchange.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_denied_consent_stores_nothing_and_the_browser_gets_a_readable_page()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (_, _, admin) = await host.TenantAsync("chef@praxis.de");
        var state = QueryHelpers.ParseQuery((await ConnectorTestHost.AuthorizeAsync(admin, "google")).Query)["state"].ToString();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/oauth/callback/google?error=access_denied&state={Uri.EscapeDataString(state)}");
        request.Headers.Accept.ParseAdd("text/html");

        var response = await admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Der Zugriff auf den Kalender wurde nicht erlaubt", html);
        Assert.Contains("href=\"/app/connectors\"", html);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM calendar_connections"));
    }

    [Theory]
    [InlineData("google")]
    [InlineData("microsoft")]
    public async Task An_expired_access_token_is_refreshed_transparently(string provider)
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (tenantId, _, admin) = await host.TenantAsync("chef@praxis.de");
        await host.ConnectAsync(admin, provider);
        var oauth = provider == "google" ? host.Google.OAuth : host.Graph.OAuth;
        var before = await ScalarAsync<string>($"SELECT protected_secret FROM calendar_connections WHERE tenant_id = '{tenantId}'");
        oauth.ExpireAccessTokens();

        var calendars = await admin.GetAsync($"/api/tenant/connectors/{provider}/calendars");

        Assert.Equal(HttpStatusCode.OK, calendars.StatusCode);
        Assert.Equal(2, (await Json(calendars)).GetArrayLength());
        Assert.Equal(1, oauth.RefreshCount);
        var after = await ScalarAsync<string>($"SELECT protected_secret FROM calendar_connections WHERE tenant_id = '{tenantId}'");
        Assert.NotEqual(before, after);
        Assert.Equal("connected", (await host.ConnectorAsync(admin, provider)).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("google")]
    [InlineData("microsoft")]
    public async Task A_revoked_grant_breaks_the_connection_and_tells_the_tenant(string provider)
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (tenantId, flowId, admin) = await host.TenantAsync("chef@praxis.de");
        await host.ConnectAsync(admin, provider);
        (provider == "google" ? host.Google.OAuth : host.Graph.OAuth).RevokeGrant();

        var (call, _) = await SimulatedCall.StartAsync(admin, flowId, "+4915112345678");
        var turn = await call.SayAsync("Ich hätte gern einen Termin");

        // FindSlots fails: the sample flow hands over (no slot is invented).
        Assert.Contains("handoff", turn.GetProperty("visited").EnumerateArray().Select(v => v.GetString()));
        var connector = await host.ConnectorAsync(admin, provider);
        Assert.Equal("broken", connector.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(connector.GetProperty("lastError").GetString()));
        var mail = Assert.Single(await host.MailsAsync("funktioniert nicht mehr"), m => m.Contains("funktioniert nicht mehr", StringComparison.Ordinal));
        Assert.Contains("To: chef@praxis.de", mail);
        Assert.Contains("verbinden Sie unter „Kalender & Verbindungen“ neu", mail);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{tenantId}' AND action = 'connector.broken'"));

        // The interactive page's alert and "Neu verbinden" button: tests/VoiceAgent.E2E/ConnectorTests.cs.

        // Connecting again repairs it; the chosen calendar stays the booking calendar.
        await host.ConnectAsync(admin, provider);
        var repaired = await host.ConnectorAsync(admin, provider);
        Assert.Equal("connected", repaired.GetProperty("status").GetString());
        Assert.True(repaired.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Oauth_routes_are_limited_per_user_and_per_address()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database, new()
        {
            ["Calendars:OAuthPermitsPerUser"] = "3",
            ["Calendars:OAuthPermitsPerAddress"] = "5",
        });
        var (_, _, first) = await host.TenantAsync("chef@praxis.de");
        var (_, _, second) = await host.TenantAsync("boss@andere-praxis.de", "Andere Praxis");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await first.GetAsync("/api/tenant/connectors/google/authorize")).StatusCode);
        }

        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await second.GetAsync("/api/tenant/connectors/google/authorize")).StatusCode);
        }

        // first: 3 allowed, the 4th over its own limit (and no permit of the address used); second: 2 more fit the address's 5.
        Assert.Equal(
            [HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.TooManyRequests,
             HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.TooManyRequests],
            statuses);
        var limited = await first.GetAsync("/api/tenant/connectors/google/authorize");
        Assert.Equal("60", limited.Headers.RetryAfter?.ToString());
        Assert.Equal(5, await CountAsync("SELECT count(*) FROM oauth_states"));
    }

    [Fact]
    public async Task The_list_shows_calendar_connectors_and_crm_connectors_as_coming_soon()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (_, _, admin) = await host.TenantAsync("chef@praxis.de");

        var list = await admin.GetFromJsonAsync<JsonElement>("/api/tenant/connectors");

        var byProvider = list.EnumerateArray().ToDictionary(c => c.GetProperty("provider").GetString()!, c => c);
        Assert.Equal(["google", "microsoft", "caldav", "hubspot", "salesforce", "pipedrive"], byProvider.Keys.ToArray());
        Assert.All(new[] { "google", "microsoft", "caldav" }, p => Assert.Equal("available", byProvider[p].GetProperty("status").GetString()));
        Assert.All(new[] { "hubspot", "salesforce", "pipedrive" }, p =>
        {
            Assert.Equal("coming_soon", byProvider[p].GetProperty("status").GetString());
            Assert.Equal("crm", byProvider[p].GetProperty("category").GetString());
        });
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/tenant/connectors/hubspot/authorize")).StatusCode);
        // How the interactive page shows them ("Demnächst verfügbar"): tests/VoiceAgent.E2E/ConnectorTests.cs.
    }

    [Fact]
    public async Task Disconnect_is_audited_revokes_google_and_calls_use_the_sandbox_again()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (tenantId, _, admin) = await host.TenantAsync("chef@praxis.de");
        await host.ConnectAsync(admin, "google");

        var response = await admin.DeleteAsync("/api/tenant/connectors/google");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Single(host.Google.OAuth.RevokedTokens);
        Assert.Equal("available", (await host.ConnectorAsync(admin, "google")).GetProperty("status").GetString());
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM audit_entries WHERE tenant_id = '{tenantId}' AND action = 'connector.disconnected'"));
        var options = await admin.GetFromJsonAsync<JsonElement>("/api/flows/designer-options");
        Assert.Equal("sandbox", options.GetProperty("calendars")[0].GetProperty("value").GetString());
    }

    [Fact]
    public async Task Only_a_tenant_admin_may_connect()
    {
        await using var host = await ConnectorTestHost.StartAsync(Database);
        var (_, _, admin) = await host.TenantAsync("chef@praxis.de");
        (await admin.PostAsJsonAsync("/api/tenant/users", new { email = "mitarbeiter@praxis.de", password = TestData.Password, role = "TenantUser" }))
            .EnsureSuccessStatusCode();
        var member = await host.ClientAsync("mitarbeiter@praxis.de", TestData.Password);

        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync("/api/tenant/connectors/google/authorize")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync("/api/tenant/connectors")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.DeleteAsync("/api/tenant/connectors/google")).StatusCode);
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }
}
