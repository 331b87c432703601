using VoiceAgent.Testing;
using Xunit.Abstractions;

namespace VoiceAgent.Web.Tests;

public sealed partial class TwilioTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_twilio_webhook_resolves_its_call_with_exactly_one_routing_query()
    {
        await ConfigureTwilioAsync();
        await TenantWithNumberAsync("chef@a.de", "Praxis Alpha", "030 1111111");
        var twilio = App.CreateClient();
        var sid = "CA" + new string('1', 32);
        using var log = new DbCommandLog();
        Task<IReadOnlyList<string>> Send(string label, string path, Dictionary<string, string> form) =>
            TelephonyRoutingQueries.CommandsOfAsync(log, output, label, () => Webhook(twilio, path, form));

        var voice = await Send("twilio voice (new call)", "/telephony/twilio/voice", Inbound(sid, "+49301111111"));
        var gather = await Send("twilio gather", "/telephony/twilio/gather", new() { ["CallSid"] = sid, ["SpeechResult"] = "Ich möchte einen Termin" });
        // A dial callback the flow does not wait for still names the call: resolved once, answered with the current state.
        var dial = await Send("twilio dial", "/telephony/twilio/dial", new()
        {
            ["CallSid"] = sid, ["DialCallSid"] = "CA" + new string('2', 32), ["DialCallStatus"] = "completed", ["DialCallDuration"] = "5",
        });
        var status = await Send("twilio status", "/telephony/twilio/status", new() { ["CallSid"] = sid, ["CallStatus"] = "completed", ["CallDuration"] = "40" });
        var unknown = await Send("twilio gather (unknown call)", "/telephony/twilio/gather", new() { ["CallSid"] = "CA" + new string('3', 32), ["SpeechResult"] = "Hallo" });

        Assert.All([voice, gather, dial, status, unknown], commands => Assert.Equal(1, TelephonyRoutingQueries.Count(commands)));
        TelephonyRoutingQueries.AssertLeanSetUp(voice);
        Assert.All([gather, dial, status, unknown], commands => Assert.Contains(commands, c => c.Contains("call_tenant(", StringComparison.Ordinal)));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM calls"));
        Assert.Equal(5, await CountAsync("SELECT seconds FROM usage_records WHERE kind = 'forward'"));
        Assert.Equal(35, await CountAsync("SELECT seconds FROM usage_records WHERE kind = 'bot'"));
    }
}
