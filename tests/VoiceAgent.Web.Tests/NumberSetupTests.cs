using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using VoiceAgent.Platform.Auditing;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Telephony.Setup;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// The wizard's number step (issue #15) against the Twilio fake: the number is looked up with the chosen account's
/// credentials, its webhooks reported and pointed here; bad numbers never reach Twilio; sipgate's signed test push is noted.
/// </summary>
public sealed class NumberSetupTests : IntegrationTest, IAsyncLifetime
{
    // Fake SIDs and tokens, split so that secret scanners do not mistake the test data for real credentials.
    private const string PlatformSid = "AC" + "11111111111111111111111111111111";
    private const string PlatformToken = "0123456789abcdef" + "0123456789abcdef";
    private const string OwnSid = "AC" + "00112233445566778899aabbccddeeff";
    private const string OwnToken = "fedcba9876543210" + "fedcba9876543210";
    private const string Number = "+49301234567";
    private const string OldVoiceUrl = "https://old-provider.example.com/voice";
    private const string ExpectedVoiceUrl = "https://voice.example.com/telephony/twilio/voice";
    private const string ExpectedStatusUrl = "https://voice.example.com/telephony/twilio/status";

    private static readonly Uri PublicBase = new("https://voice.example.com/app/setup");
    private static readonly Actor Admin = new(null, "chef@alpha.de");

    private FakeTwilioServer twilio = null!;

    public NumberSetupTests() => CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");

    protected override Dictionary<string, string?> AppSettings => new()
    {
        ["Twilio:ApiBaseUrl"] = twilio.BaseUrl.AbsoluteUri,
        ["Twilio:RetryDelay"] = "00:00:00",
    };

    async Task IAsyncLifetime.InitializeAsync()
    {
        twilio = await FakeTwilioServer.StartAsync();
        twilio.AddAccount(PlatformSid, PlatformToken);
        twilio.AddAccount(OwnSid, OwnToken);
        await InitializeAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await twilio.DisposeAsync();
    }

    [Fact]
    public async Task Number_in_the_platform_account_that_points_elsewhere_is_reported_with_its_current_url_and_nothing_changes()
    {
        await PlatformAccountAsync();
        var (alpha, _) = await App.ApprovedTenantAsync("chef@alpha.de", "Praxis Alpha");
        var sid = twilio.AddNumber(PlatformSid, Number, OldVoiceUrl);

        // A national form is read in the tenant's country.
        var check = await CheckAsync(alpha, "030 1234567", TelephonyAccount.PlatformTwilio);

        Assert.Equal(OutcomeKind.Ok, check.Kind);
        Assert.Equal(new TwilioNumberCheck(Number, sid, OldVoiceUrl, null, false, ExpectedVoiceUrl, ExpectedStatusUrl), check.Value);
        var request = Assert.Single(twilio.Requests);
        Assert.Equal(("GET", PlatformSid), (request.Method, request.BasicUser));
        Assert.Empty(twilio.NumberUpdates);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'number.webhook_connected'"));
    }

    [Fact]
    public async Task Connect_points_voice_webhook_and_status_callback_here_once_and_audits_old_and_new_urls()
    {
        await PlatformAccountAsync();
        var (alpha, _) = await App.ApprovedTenantAsync("chef@alpha.de", "Praxis Alpha");
        var sid = twilio.AddNumber(PlatformSid, Number, OldVoiceUrl);

        var connected = await ConnectAsync(alpha, Number, TelephonyAccount.PlatformTwilio);

        Assert.Equal(OutcomeKind.Ok, connected.Kind);
        Assert.Equal(new TwilioNumberCheck(Number, sid, ExpectedVoiceUrl, ExpectedStatusUrl, true, ExpectedVoiceUrl, ExpectedStatusUrl), connected.Value);
        var update = Assert.Single(twilio.NumberUpdates);
        Assert.Equal((PlatformSid, sid), (update.AccountSid, update.NumberSid));
        Assert.Equal(new Dictionary<string, string>
        {
            ["VoiceUrl"] = ExpectedVoiceUrl, ["VoiceMethod"] = "POST", ["StatusCallback"] = ExpectedStatusUrl, ["StatusCallbackMethod"] = "POST",
            ["VoiceApplicationSid"] = "",
        }, update.Form);
        Assert.Equal((ExpectedVoiceUrl, ExpectedStatusUrl), (twilio.Number(PlatformSid, Number)!.VoiceUrl, twilio.Number(PlatformSid, Number)!.StatusCallback));
        Assert.Equal(1, await CountAsync($"""
            SELECT count(*) FROM audit_entries WHERE tenant_id = '{alpha}' AND action = 'number.webhook_connected' AND actor_email = 'chef@alpha.de'
               AND details = '{Number} (platform Twilio account): voice {OldVoiceUrl} → {ExpectedVoiceUrl}, status - → {ExpectedStatusUrl}'
            """));
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM audit_entries WHERE details LIKE '%{PlatformToken}%'"));

        // Already pointing here: checked again, not changed again.
        var again = await ConnectAsync(alpha, Number, TelephonyAccount.PlatformTwilio);
        Assert.True(again.Value!.PointsHere);
        Assert.Single(twilio.NumberUpdates);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'number.webhook_connected'"));

        // The URLs set are the ones the app serves.
        var routes = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText?.TrimStart('/'));
        Assert.Contains(NumberSetup.VoicePath, routes);
        Assert.Contains(NumberSetup.StatusPath, routes);
    }

    [Fact]
    public async Task Twiml_app_on_the_number_means_it_does_not_point_here_until_connect_removes_it()
    {
        await PlatformAccountAsync();
        var (alpha, _) = await App.ApprovedTenantAsync("chef@alpha.de", "Praxis Alpha");
        twilio.AddNumber(PlatformSid, Number, ExpectedVoiceUrl, ExpectedStatusUrl, voiceApplicationSid: "AP" + new string('a', 32));

        var check = await CheckAsync(alpha, Number, TelephonyAccount.PlatformTwilio);
        var connected = await ConnectAsync(alpha, Number, TelephonyAccount.PlatformTwilio);

        Assert.Equal((ExpectedVoiceUrl, false), (check.Value!.VoiceUrl, check.Value.PointsHere));
        Assert.True(connected.Value!.PointsHere);
        Assert.Null(twilio.Number(PlatformSid, Number)!.VoiceApplicationSid);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'number.webhook_connected' AND details LIKE '%TwiML app AP% removed'"));
    }

    [Fact]
    public async Task Own_account_is_asked_with_the_tenants_credentials_and_the_platform_account_with_the_platforms()
    {
        await PlatformAccountAsync();
        var (alpha, alphaAdmin) = await App.ApprovedTenantAsync("chef@alpha.de", "Praxis Alpha");
        (await alphaAdmin.PutAsJsonAsync("/api/tenant/twilio-account", new { accountSid = OwnSid, authToken = OwnToken })).EnsureSuccessStatusCode();
        var sid = twilio.AddNumber(OwnSid, Number, OldVoiceUrl);
        var before = twilio.Requests.Count;

        var own = await ConnectAsync(alpha, Number, TelephonyAccount.OwnTwilio);
        var platform = await CheckAsync(alpha, Number, TelephonyAccount.PlatformTwilio);

        Assert.True(own.Value!.PointsHere);
        Assert.Equal((OwnSid, sid), (Assert.Single(twilio.NumberUpdates).AccountSid, Assert.Single(twilio.NumberUpdates).NumberSid));
        Assert.Equal([OwnSid, OwnSid, PlatformSid], twilio.Requests.Skip(before).Select(r => r.BasicUser));
        Assert.Equal(["Die Nummer +49301234567 ist in diesem Twilio-Konto nicht vorhanden. Bitte prüfen Sie die Nummer oder wählen Sie das Konto, in dem sie liegt."],
            FieldErrors(platform, "number"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'number.webhook_connected' AND details LIKE '%(own Twilio account)%'"));
    }

    [Fact]
    public async Task Another_tenants_own_account_is_never_used()
    {
        await PlatformAccountAsync();
        var (alpha, alphaAdmin) = await App.ApprovedTenantAsync("chef@alpha.de", "Praxis Alpha");
        var (beta, _) = await App.ApprovedTenantAsync("chef@beta.de", "Salon Beta");
        (await alphaAdmin.PutAsJsonAsync("/api/tenant/twilio-account", new { accountSid = OwnSid, authToken = OwnToken })).EnsureSuccessStatusCode();
        twilio.AddNumber(OwnSid, Number, OldVoiceUrl);
        var before = twilio.Requests.Count;

        var betaOwn = await CheckAsync(beta, Number, TelephonyAccount.OwnTwilio);
        // Beta's session naming alpha's tenant id: alpha's account is invisible in beta's scope.
        var forged = await AsTenantAsync(beta, (services, _) =>
            services.GetRequiredService<NumberSetup>().ConnectTwilioAsync(alpha, Number, null, TelephonyAccount.OwnTwilio, PublicBase, Admin));

        Assert.Contains("noch kein eigenes Twilio-Konto", Assert.Single(FieldErrors(betaOwn, "account")));
        Assert.Contains("noch kein eigenes Twilio-Konto", Assert.Single(FieldErrors(forged, "account")));
        Assert.Equal(before, twilio.Requests.Count);
        Assert.Empty(twilio.NumberUpdates);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'number.webhook_connected'"));
    }

    [Fact]
    public async Task Invalid_premium_emergency_and_foreign_numbers_are_refused_in_german_without_asking_twilio()
    {
        await PlatformAccountAsync();
        var (alpha, alphaAdmin) = await App.ApprovedTenantAsync("chef@alpha.de", "Praxis Alpha");
        var (beta, betaAdmin) = await App.ApprovedTenantAsync("chef@beta.de", "Salon Beta");
        var betaFlow = await App.SeedSampleFlowAsync(beta);
        (await betaAdmin.PostAsJsonAsync("/api/tenant/numbers", new { number = "040 2222222", region = "DE", flowId = betaFlow })).EnsureSuccessStatusCode();
        twilio.AddNumber(PlatformSid, "+49402222222");
        twilio.AddNumber(PlatformSid, "+499001234567");
        var before = twilio.Requests.Count;

        Assert.StartsWith("Mehrwertnummern (0900, 0190) sind nicht erlaubt.",
            Assert.Single(FieldErrors(await CheckAsync(alpha, "0900 1234567", TelephonyAccount.PlatformTwilio), "number")));
        Assert.StartsWith("Notruf- und Servicenummern wie 110 oder 112 können nicht verbunden werden.",
            Assert.Single(FieldErrors(await ConnectAsync(alpha, "112", TelephonyAccount.PlatformTwilio), "number")));
        Assert.Single(FieldErrors(await CheckAsync(alpha, "keine Nummer", TelephonyAccount.PlatformTwilio), "number"));
        Assert.Single(FieldErrors(await CheckAsync(alpha, "", TelephonyAccount.PlatformTwilio), "number"));
        Assert.Contains("anderen Kunden", Assert.Single(FieldErrors(await ConnectAsync(alpha, "+49 40 2222222", TelephonyAccount.PlatformTwilio), "number")));
        Assert.Contains("sipgate", Assert.Single(FieldErrors(await CheckAsync(alpha, Number, TelephonyAccount.Sipgate), "account")));
        Assert.Single(FieldErrors(await CheckAsync(alpha, Number, (TelephonyAccount)42), "account"));
        Assert.Single(FieldErrors(await AsTenantAsync(alpha, (services, _) =>
            services.GetRequiredService<NumberSetup>().CheckTwilioAsync(alpha, "030 1234567", "FR", TelephonyAccount.PlatformTwilio, PublicBase)), "region"));

        Assert.Equal(before, twilio.Requests.Count);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'number.webhook_connected'"));

        // The tenant's own bound number may be checked (the wizard re-runs this step).
        (await alphaAdmin.PostAsJsonAsync("/api/tenant/numbers", new { number = Number, flowId = await App.SeedSampleFlowAsync(alpha) })).EnsureSuccessStatusCode();
        twilio.AddNumber(PlatformSid, Number);
        Assert.Equal(OutcomeKind.Ok, (await CheckAsync(alpha, Number, TelephonyAccount.PlatformTwilio)).Kind);
    }

    [Fact]
    public async Task Missing_accounts_and_refused_credentials_are_account_errors()
    {
        var (alpha, _) = await App.ApprovedTenantAsync("chef@alpha.de", "Praxis Alpha");
        twilio.AddNumber(PlatformSid, Number);

        Assert.Contains("kein Twilio-Konto hinterlegt", Assert.Single(FieldErrors(await CheckAsync(alpha, Number, TelephonyAccount.PlatformTwilio), "account")));
        Assert.Empty(twilio.Requests);

        var admin = await App.LoginAsAdminAsync();
        (await admin.PutAsJsonAsync("/api/admin/settings/twilio.account_sid", new { value = PlatformSid })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = "ffffffffffffffff" + "ffffffffffffffff" })).EnsureSuccessStatusCode();

        var refused = await ConnectAsync(alpha, Number, TelephonyAccount.PlatformTwilio);

        Assert.Contains("Zugangsdaten dieses Kontos abgelehnt", Assert.Single(FieldErrors(refused, "account")));
        Assert.Single(twilio.Requests); // a 401 is not retried
        Assert.Empty(twilio.NumberUpdates);
    }

    [Fact]
    public async Task Rate_limit_then_success_is_retried_and_twilio_down_is_a_conflict_without_details()
    {
        await PlatformAccountAsync();
        var (alpha, _) = await App.ApprovedTenantAsync("chef@alpha.de", "Praxis Alpha");
        var sid = twilio.AddNumber(PlatformSid, Number, OldVoiceUrl);

        twilio.Fail(new FakeTwilioServer.Failure(429, 20429, "Too Many Requests"));
        var retried = await CheckAsync(alpha, Number, TelephonyAccount.PlatformTwilio);
        Assert.Equal((OutcomeKind.Ok, sid), (retried.Kind, retried.Value!.Sid));
        Assert.Equal(2, twilio.Requests.Count);

        twilio.Fail(new FakeTwilioServer.Failure(503, 20503, "Service Unavailable"), new FakeTwilioServer.Failure(503, 20503, "Service Unavailable"));
        var down = await ConnectAsync(alpha, Number, TelephonyAccount.PlatformTwilio);
        Assert.Equal(OutcomeKind.Conflict, down.Kind);
        Assert.Equal("Twilio ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Minuten erneut.", down.Message);
        Assert.Equal(4, twilio.Requests.Count);

        // The lookup succeeds, the update fails twice: nothing changed, nothing audited.
        twilio.Fail(new FakeTwilioServer.Failure(502, 0, "", Html: true, Method: "POST"),
            new FakeTwilioServer.Failure(500, 20500, "Internal Server Error", Method: "POST"));
        var updateDown = await ConnectAsync(alpha, Number, TelephonyAccount.PlatformTwilio);
        Assert.Equal(OutcomeKind.Conflict, updateDown.Kind);
        Assert.Equal(["GET", "POST", "POST"], twilio.Requests.Skip(4).Select(r => r.Method));
        Assert.Empty(twilio.NumberUpdates);
        Assert.Equal(OldVoiceUrl, twilio.Number(PlatformSid, Number)!.VoiceUrl);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'number.webhook_connected'"));
    }

    [Fact]
    public async Task Twilio_unreachable_is_a_conflict()
    {
        await PlatformAccountAsync();
        var (alpha, _) = await App.ApprovedTenantAsync("chef@alpha.de", "Praxis Alpha");
        await twilio.DisposeAsync();

        var unreachable = await CheckAsync(alpha, Number, TelephonyAccount.PlatformTwilio);

        Assert.Equal((OutcomeKind.Conflict, "Twilio ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Minuten erneut."),
            (unreachable.Kind, unreachable.Message));
        twilio = await FakeTwilioServer.StartAsync(); // for DisposeAsync
    }

    [Fact]
    public async Task Signed_sipgate_push_is_noted_for_its_number_and_forged_or_outgoing_ones_are_not()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        var host = App.WithWebHostBuilder(b =>
        {
            b.UseSetting("Sipgate:Push:PublicKeyPem", SipgateTests.SigningKey.ExportSubjectPublicKeyInfoPem());
            b.UseSetting("ForwardedHeaders:KnownProxies:0", "127.0.0.1");
            b.ConfigureTestServices(s => s.AddSingleton<IStartupFilter, SipgateTests.BehindLocalProxy>().AddSingleton<TimeProvider>(time));
        });
        var sipgate = host.CreateClient();
        var asked = time.GetUtcNow();
        async Task<DateTimeOffset?> LastPushAsync(DateTimeOffset since)
        {
            await using var scope = host.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<NumberSetup>().SipgateLastSignedPushAsync(Number, since);
        }

        // Forged, from a foreign source, or an outgoing call (where "to" is the callee): nothing noted.
        var forged = SipgateTests.NewCall("sg-1", "49301234567");
        Assert.Equal(HttpStatusCode.Forbidden, (await SipgateTests.PushAsync(sipgate, forged, signature: SipgateTests.Sign(forged + "&x=1"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SipgateTests.PushAsync(sipgate, forged, forwardedFor: "203.0.113.9")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SipgateTests.PushAsync(sipgate, SipgateTests.NewCall("sg-2", "49301234567", direction: "out"))).StatusCode);
        Assert.Null(await LastPushAsync(asked.AddDays(-1)));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM sipgate_push_arrivals"));

        // Signed test call to a number bound to nobody yet: still the polite refusal, and the arrival is noted.
        time.Advance(TimeSpan.FromSeconds(5));
        var refused = await SipgateTests.PushAsync(sipgate, SipgateTests.NewCall("sg-3", "49301234567"));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM calls"));

        Assert.Equal(asked.AddSeconds(5), await LastPushAsync(asked));
        Assert.Null(await LastPushAsync(asked.AddSeconds(5)));
    }

    [Fact]
    public async Task Sipgate_instructions_name_the_push_url_of_the_configured_public_origin_or_else_the_browsers()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var info = scope.ServiceProvider.GetRequiredService<NumberSetup>().SipgateInstructions(PublicBase);
        var configured = App.WithWebHostBuilder(b => b.UseSetting("Telephony:PublicBaseUrl", "https://public.example.net"));
        await using var configuredScope = configured.Services.CreateAsyncScope();
        var behindProxy = configuredScope.ServiceProvider.GetRequiredService<NumberSetup>();

        Assert.Equal(new Uri("https://voice.example.com/telephony/sipgate/push"), info.IncomingUrl);
        Assert.Equal((info.IncomingUrl, info.IncomingUrl), (info.AnswerUrl, info.HangupUrl));
        Assert.Contains(info.Steps,
            step => step.Contains("Eingehende Anrufe", StringComparison.Ordinal) && step.Contains(info.IncomingUrl.AbsoluteUri, StringComparison.Ordinal));
        Assert.Equal(new Uri("https://public.example.net/telephony/sipgate/push"), behindProxy.SipgateInstructions(PublicBase).IncomingUrl);
        Assert.Equal(new Uri("https://public.example.net/telephony/twilio/voice"), behindProxy.Webhooks(PublicBase).Voice);
    }

    private async Task PlatformAccountAsync()
    {
        var admin = await App.LoginAsAdminAsync();
        (await admin.PutAsJsonAsync("/api/admin/settings/twilio.account_sid", new { value = PlatformSid })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = PlatformToken })).EnsureSuccessStatusCode();
    }

    private Task<Outcome<TwilioNumberCheck>> CheckAsync(Guid tenantId, string number, TelephonyAccount account) =>
        AsTenantAsync(tenantId, (services, _) => services.GetRequiredService<NumberSetup>().CheckTwilioAsync(tenantId, number, null, account, PublicBase));

    private Task<Outcome<TwilioNumberCheck>> ConnectAsync(Guid tenantId, string number, TelephonyAccount account) =>
        AsTenantAsync(tenantId, (services, _) => services.GetRequiredService<NumberSetup>().ConnectTwilioAsync(tenantId, number, null, account, PublicBase, Admin));

    private static string[] FieldErrors(Outcome<TwilioNumberCheck> outcome, string field)
    {
        Assert.Equal(OutcomeKind.Invalid, outcome.Kind);
        Assert.Equal([field], outcome.Errors!.Keys);
        return outcome.Errors[field];
    }
}
