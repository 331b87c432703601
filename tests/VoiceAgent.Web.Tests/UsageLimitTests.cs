using System.Net;
using System.Net.Http.Json;
using System.Xml.Linq;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using VoiceAgent.Platform.Http;
using VoiceAgent.Telephony.Twilio;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// Limits per tenant, per user, per caller number and per client /64 (issue #16). The counters' clock is a
/// FakeTimeProvider: a window ends when the test moves the clock, not when time passes.
/// </summary>
public sealed class UsageLimitTests : IntegrationTest
{
    private const string TwilioToken = "0123456789abcdef0123456789abcdef";
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero));

    private WebApplicationFactory<Program> Limited(params (string Key, string Value)[] settings) => App.WithWebHostBuilder(b =>
    {
        foreach (var (key, value) in settings)
        {
            b.UseSetting("RateLimits:" + key, value);
        }

        b.ConfigureServices(s =>
        {
            s.AddSingleton(new LocalRateCounter(clock));
            s.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, ForwardedHeadersTests.PeerFromTestHeader>();
        });
    });

    private static async Task AssertLimitedAsync(HttpResponseMessage response, string title)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.True(int.TryParse(response.Headers.RetryAfter?.ToString(), out var seconds) && seconds is > 0 and <= 60,
            $"Retry-After {response.Headers.RetryAfter}");
        Assert.Equal(title, (await Json(response)).GetProperty("title").GetString());
    }

    private async Task<HttpClient> TenantClientAsync(WebApplicationFactory<Program> app, string email, string company)
    {
        var (_, admin) = await App.ApprovedTenantAsync(email, company);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = admin.DefaultRequestHeaders.Authorization;
        return client;
    }

    [Fact]
    public async Task A_tenant_runs_out_of_api_calls_per_minute_others_do_not_and_the_next_minute_is_fresh()
    {
        var app = Limited(("ApiCallsPerTenantPerMinute", "5"));
        var alpha = await TenantClientAsync(app, "chef@alpha.de", "Praxis Alpha");
        var beta = await TenantClientAsync(app, "chef@beta.de", "Salon Beta");
        clock.Advance(TimeSpan.FromMinutes(1));

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await alpha.GetAsync("/api/tenant/numbers")).StatusCode);
        }

        await AssertLimitedAsync(await alpha.GetAsync("/api/tenant/numbers"), "Ihr Konto hat gerade zu viele Anfragen gestellt. Bitte warten Sie einen Moment.");
        Assert.Equal(HttpStatusCode.OK, (await beta.GetAsync("/api/tenant/numbers")).StatusCode);

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await alpha.GetAsync("/api/tenant/numbers")).StatusCode);
    }

    [Fact]
    public async Task A_tenants_plan_sets_its_own_limit_and_other_tenants_keep_the_default()
    {
        var app = Limited(("ApiCallsPerTenantPerMinute", "2"), ("Plans:Premium:ApiCallsPerTenantPerMinute", "4"));
        var seed = new VoiceAgent.Testing.BillingSeed(Database);
        var premium = await seed.PlanAsync("Premium", 0, 0, 0, 0, 0);
        var (alphaId, alphaAdmin) = await App.ApprovedTenantAsync("chef@alpha.de", "Praxis Alpha");
        await seed.AssignAsync(alphaId, premium, new DateOnly(2020, 1, 1));
        var alpha = app.CreateClient();
        alpha.DefaultRequestHeaders.Authorization = alphaAdmin.DefaultRequestHeaders.Authorization;
        var beta = await TenantClientAsync(app, "chef@beta.de", "Salon Beta");

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await alpha.GetAsync("/api/tenant/numbers")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await alpha.GetAsync("/api/tenant/numbers")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await beta.GetAsync("/api/tenant/numbers")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await beta.GetAsync("/api/tenant/numbers")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await beta.GetAsync("/api/tenant/numbers")).StatusCode);
    }

    [Fact]
    public async Task Simulations_and_changes_have_their_own_limits_reads_go_on()
    {
        var app = Limited(("SimulationsPerTenantPerMinute", "2"), ("ChangesPerUserPerMinute", "4"));
        var (tenantId, admin) = await App.ApprovedTenantAsync("chef@alpha.de", "Praxis Alpha");
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = admin.DefaultRequestHeaders.Authorization;
        clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/api/flows/{flowId}/simulations", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/api/flows/{flowId}/simulations", new { })).StatusCode);
        await AssertLimitedAsync(await client.PostAsJsonAsync($"/api/flows/{flowId}/simulations", new { }),
            "Es wurden gerade zu viele Testanrufe gestartet. Bitte warten Sie einen Moment.");

        // Two changes so far (the refused simulation was not counted as one); two more are allowed this minute.
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await client.PutAsJsonAsync("/api/tenant/calendar-settings", new { })).StatusCode);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await client.PutAsJsonAsync("/api/tenant/calendar-settings", new { })).StatusCode);
        await AssertLimitedAsync(await client.PutAsJsonAsync("/api/tenant/calendar-settings", new { }),
            "Sie haben gerade zu viele Änderungen vorgenommen. Bitte warten Sie einen Moment.");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/tenant/numbers")).StatusCode);
    }

    [Fact]
    public async Task A_caller_who_calls_too_often_hears_a_polite_refusal_and_only_a_shortened_number_is_audited()
    {
        var app = Limited(("CallsPerCallerPerHour", "2"));
        var admin = await App.LoginAsAdminAsync();
        (await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = TwilioToken })).EnsureSuccessStatusCode();
        var (tenantId, tenant) = await App.ApprovedTenantAsync("chef@alpha.de", "Praxis Alpha");
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        Assert.Equal(HttpStatusCode.Created, (await tenant.PostAsJsonAsync("/api/tenant/numbers", new { number = "030 1111111", region = "DE", flowId })).StatusCode);
        var twilio = app.CreateClient();

        async Task<XDocument> CallAsync(int n, string from)
        {
            var form = new Dictionary<string, string>
            {
                ["CallSid"] = "CA" + n.ToString("D32", System.Globalization.CultureInfo.InvariantCulture), ["AccountSid"] = "AC" + new string('1', 32),
                ["From"] = from, ["To"] = "+49301111111", ["CallStatus"] = "ringing", ["Direction"] = "inbound", ["ApiVersion"] = "2010-04-01",
            };
            var request = new HttpRequestMessage(HttpMethod.Post, "/telephony/twilio/voice") { Content = new FormUrlEncodedContent(form) };
            request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(TwilioToken, "http://localhost/telephony/twilio/voice", form));
            var response = await twilio.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return XDocument.Parse(await response.Content.ReadAsStringAsync());
        }

        await CallAsync(1, "+491701234567");
        await CallAsync(2, "+491701234567");
        var refused = await CallAsync(3, "+491701234567");
        Assert.Contains("schon mehrmals angerufen", refused.Descendants("Say").Single().Value);
        Assert.Single(refused.Descendants("Hangup"));
        await CallAsync(4, "+491701234567");
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM calls"));

        // Another caller gets through; an hour later the first one does again.
        Assert.DoesNotContain("schon mehrmals angerufen", (await CallAsync(5, "+491709999999")).ToString());
        Assert.Equal(3, await CountAsync("SELECT count(*) FROM calls"));
        clock.Advance(TimeSpan.FromHours(1));
        await CallAsync(6, "+491701234567");
        Assert.Equal(4, await CountAsync("SELECT count(*) FROM calls"));

        // One audit entry for the flood, with the number shortened.
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'call.refused.caller_limit' AND details = 'twilio: +4917…67'"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM audit_entries WHERE details LIKE '%1701234567%'"));
    }

    [Fact]
    public async Task Anonymous_clients_are_limited_per_ipv6_64()
    {
        var app = Limited(("AnonymousPerClientPerMinute", "3"));
        var client = app.CreateClient();

        async Task<HttpStatusCode> LoginFromAsync(string peer)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = JsonContent.Create(new { email = "niemand@firma.de", password = "falsch-123456" }) };
            request.Headers.Add(ForwardedHeadersTests.PeerFromTestHeader.HeaderName, peer);
            return (await client.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await LoginFromAsync("2001:db8:1:2::1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginFromAsync("2001:db8:1:2::2"));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginFromAsync("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginFromAsync("2001:db8:1:2::9"));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginFromAsync("2001:db8:1:3::1"));
    }
}
