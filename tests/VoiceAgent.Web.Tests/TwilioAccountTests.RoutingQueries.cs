using System.Net;
using System.Net.Http.Json;
using VoiceAgent.Testing;

namespace VoiceAgent.Web.Tests;

public sealed partial class TwilioAccountTests
{
    [Fact]
    public async Task An_own_accounts_callback_is_checked_against_the_call_resolved_once_for_the_handler()
    {
        await using var twilioApi = await FakeTwilioAccountsApi.StartAsync(OwnSid, OwnToken);
        await using var app = new VoiceAgentFactory(Database) { Settings = { ["Twilio:ApiBaseUrl"] = twilioApi.BaseUrl } };
        var platform = await app.LoginAsAdminAsync();
        (await platform.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = PlatformToken })).EnsureSuccessStatusCode();
        var (alpha, alphaAdmin) = await TenantWithNumberAsync(app, "chef@a.de", "Praxis Alpha", "030 1111111");
        await TenantWithNumberAsync(app, "chef@b.de", "Salon Beta", "040 2222222");
        (await alphaAdmin.PutAsJsonAsync("/api/tenant/twilio-account", new { accountSid = OwnSid, authToken = OwnToken })).EnsureSuccessStatusCode();
        var twilio = app.CreateClient();
        var alphaCall = "CA" + new string('a', 32);
        var betaCall = "CA" + new string('d', 32);
        await Twiml(await Webhook(twilio, "/telephony/twilio/voice", Inbound(alphaCall, "+49301111111", OwnSid), OwnToken));
        await Twiml(await Webhook(twilio, "/telephony/twilio/voice", Inbound(betaCall, "+49402222222", "AC" + new string('1', 32)), PlatformToken));
        using var log = new DbCommandLog();
        Dictionary<string, string> Completed(string callSid) =>
            new() { ["CallSid"] = callSid, ["AccountSid"] = OwnSid, ["CallStatus"] = "completed", ["CallDuration"] = "30" };

        log.Take();
        var foreign = await Webhook(twilio, "/telephony/twilio/status", Completed(betaCall), OwnToken);
        var foreignCommands = log.Take();
        var own = await Webhook(twilio, "/telephony/twilio/status", Completed(alphaCall), OwnToken);
        var ownCommands = log.Take();

        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, own.StatusCode);
        Assert.Equal(1, TelephonyRoutingQueries.Count(foreignCommands));
        Assert.Equal(1, TelephonyRoutingQueries.Count(ownCommands));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM usage_records"));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM usage_records WHERE tenant_id = '{alpha}' AND kind = 'bot' AND seconds = 30"));
    }
}
