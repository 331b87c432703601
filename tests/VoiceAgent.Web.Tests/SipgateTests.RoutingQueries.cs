using System.Xml.Linq;
using VoiceAgent.Testing;
using Xunit.Abstractions;

namespace VoiceAgent.Web.Tests;

public sealed partial class SipgateTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_sipgate_push_resolves_its_call_with_exactly_one_routing_query()
    {
        await MenuTenantAsync();
        var sipgate = Sipgate().CreateClient();
        using var log = new DbCommandLog();
        Task<IReadOnlyList<string>> Send(string label, string body) =>
            TelephonyRoutingQueries.CommandsOfAsync(log, output, label, () => PushAsync(sipgate, body));

        var newCall = await Send("sipgate newCall", NewCall("sg-count"));
        var key = await Send("sipgate dtmf (key 1)", Dtmf("sg-count", "1"));
        var announced = await Send("sipgate dtmf (announcement ended)", Dtmf("sg-count", ""));
        var answer = await Send("sipgate answer", Answer("sg-count", Target));
        var hangup = await Send("sipgate hangup", Hangup("sg-count", Target));

        Assert.All([newCall, key, announced, answer, hangup], commands => Assert.Equal(1, TelephonyRoutingQueries.Count(commands)));
        TelephonyRoutingQueries.AssertLeanSetUp(newCall);
        Assert.All([key, announced, answer, hangup], commands => Assert.Contains(commands, c => c.Contains("call_tenant(", StringComparison.Ordinal)));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM usage_records WHERE kind = 'forward'"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM usage_records WHERE kind = 'bot'"));
    }
}
