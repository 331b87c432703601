using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Fakes;
using static VoiceAgent.Testing.Cluster.ClusterApi;

namespace VoiceAgent.Drills;

/// <summary>
/// Issue #18's failover drills on the local cluster: instances, Redis and PostgreSQL taken away under a call. Each drill
/// leaves the cluster as it found it (everything running again). Instances 1 and 2 are the victims; 3 stays up.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class FailoverDrills(LocalCluster cluster)
{
    private const string Interrupted = "technische Störung";

    [Fact]
    public async Task Redis_stopped_every_instance_reports_degraded_and_keeps_serving_then_recovers()
    {
        var token = await LocalCluster.LoginAsAdminAsync(2);
        await LocalCluster.ControlAsync("stop-redis");
        try
        {
            for (var i = 1; i <= cluster.Instances; i++)
            {
                using var client = Client(i, token);
                var health = await client.GetAsync("/api/health");
                Assert.Equal(HttpStatusCode.OK, health.StatusCode);
                var body = await health.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal("down", body.GetProperty("redis").GetString());
                Assert.Equal("degraded", body.GetProperty("status").GetString());
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/admin/tenants")).StatusCode);
            }
        }
        finally
        {
            await LocalCluster.ControlAsync("start-redis");
        }

        using var again = Client(3);
        await Eventually.UntilAsync(async () =>
            (await again.GetFromJsonAsync<JsonElement>("/api/health")).GetProperty("redis").GetString() == "operational",
            "redis operational again", TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task An_instance_killed_during_a_gather_call_the_next_turn_is_answered_by_another()
    {
        var (number, callSid, gather) = await GatherCallOnInstance1Async();

        await LocalCluster.ControlAsync("stop-app", "1", "--kill");
        try
        {
            // Twilio posts the caller's answer to the next instance (the load balancer skips the dead one).
            var next = await TwimlAsync(2, gather, new()
            {
                ["CallSid"] = callSid, ["From"] = CallerNumber, ["To"] = number, ["CallStatus"] = "in-progress",
                ["SpeechResult"] = "Ich möchte einen Termin", ["Confidence"] = "0.9",
            });
            Assert.NotEmpty(Said(next));
            Assert.DoesNotContain(Said(next), s => s.Contains(Interrupted, StringComparison.Ordinal));
        }
        finally
        {
            await LocalCluster.ControlAsync("start-app", "1");
        }
    }

    [Fact]
    public async Task An_instance_killed_during_a_media_stream_call_the_caller_hears_an_apology_and_the_minutes_are_billed_once()
    {
        var admin = await LocalCluster.LoginAsAdminAsync(1);
        await ConfigureTwilioAsync(admin);
        await ConfigureOpenAiAsync(admin);
        var (_, tenant) = await TenantAsync(admin, new { provider = "OpenAi", voice = "coral" });
        var number = await NumberAsync(tenant);
        var callSid = NewCallSid();

        // Instance 1 answers the call with a media stream; its token opens the stream on instance 2.
        var first = await TwimlAsync(1, "/telephony/twilio/voice", Inbound(callSid, number));
        var stream = Assert.Single(first.Descendants("Stream"));
        var token = stream.Elements("Parameter").Single(p => p.Attribute("name")?.Value == "token").Attribute("value")!.Value;
        var streamEnded = PathOf(first.Descendants("Connect").Single().Attribute("action")!.Value);
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{Instance(2).Authority}/telephony/media"), CancellationToken.None);
        var caller = await TwilioMediaCaller.StartAsync(socket, callSid, token);
        try
        {
            // The greeting, spoken by instance 2: the stream token issued by instance 1 was accepted there.
            await caller.ReceiveAudioAsync(160).WaitAsync(TimeSpan.FromSeconds(30));

            await LocalCluster.ControlAsync("stop-app", "2", "--kill");

            // Twilio sees the stream drop and asks the <Connect> action what comes next — instance 3 answers.
            var after = await TwimlAsync(3, streamEnded, new() { ["CallSid"] = callSid, ["StreamSid"] = TwilioMediaCaller.StreamSid });
            Assert.Contains(Interrupted, Assert.Single(Said(after)), StringComparison.Ordinal);
            Assert.Single(after.Descendants("Hangup"));

            // The status callback (here twice, on two instances) bills the minutes once.
            var completed = new Dictionary<string, string> { ["CallSid"] = callSid, ["CallStatus"] = "completed", ["CallDuration"] = "37" };
            Assert.Equal(HttpStatusCode.NoContent, (await PostAsync(3, "/telephony/twilio/status", completed)).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await PostAsync(1, "/telephony/twilio/status", completed)).StatusCode);
            Assert.Equal(1, await UsageRecordsAsync(callSid));
            Assert.Equal(37, await ScalarAsync(
                "SELECT sum(u.seconds) FROM usage_records u JOIN calls c ON c.id = u.call_id WHERE c.provider_call_id = @sid", ("sid", callSid)));
        }
        finally
        {
            await caller.DisposeAsync();
            socket.Dispose();
            await LocalCluster.ControlAsync("start-app", "2");
        }
    }

    [Fact]
    public async Task PostgreSQL_restarted_mid_call_callers_hear_the_apology_or_busy_and_nothing_is_billed_twice()
    {
        var (number, callSid, gather) = await GatherCallOnInstance1Async();

        await LocalCluster.ControlAsync("stop-postgres");
        try
        {
            // The caller's answer while PostgreSQL is down: a German apology and the end (not Twilio's English error).
            var answer = await TwimlAsync(2, gather, new() { ["CallSid"] = callSid, ["SpeechResult"] = "Ich möchte einen Termin" });
            Assert.Contains(Interrupted, Assert.Single(Said(answer)), StringComparison.Ordinal);
            Assert.Single(answer.Descendants("Hangup"));
            // A new caller hears that the lines are busy.
            var fresh = await TwimlAsync(3, "/telephony/twilio/voice", Inbound(NewCallSid(), number));
            Assert.StartsWith("Alle Leitungen sind im Moment belegt", Assert.Single(Said(fresh)), StringComparison.Ordinal);
        }
        finally
        {
            await LocalCluster.ControlAsync("start-postgres");
        }

        // PostgreSQL is back: the status callback bills the call once, however often and wherever it arrives.
        var completed = new Dictionary<string, string> { ["CallSid"] = callSid, ["CallStatus"] = "completed", ["CallDuration"] = "53" };
        for (var i = 1; i <= cluster.Instances; i++)
        {
            var status = await PostAsync(i, "/telephony/twilio/status", completed);
            Assert.True(status.StatusCode == HttpStatusCode.NoContent, $"status callback on instance {i} after the restart: {(int)status.StatusCode}");
        }

        Assert.Equal(1, await UsageRecordsAsync(callSid));
        // And every instance takes new calls again.
        for (var i = 1; i <= cluster.Instances; i++)
        {
            var sid = NewCallSid();
            Assert.Single((await TwimlAsync(i, "/telephony/twilio/voice", Inbound(sid, number))).Descendants("Gather"));
            await PostAsync(i, "/telephony/twilio/status", new() { ["CallSid"] = sid, ["CallStatus"] = "completed", ["CallDuration"] = "5" });
        }
    }

    [Fact]
    public async Task Instances_restarted_while_the_monthly_billing_is_due_it_runs_once()
    {
        var since = await ScalarAsync("SELECT (extract(epoch FROM now()) * 1000)::bigint");
        await RecurringJobClock.MakeDueAsync(OwnerConnectionString, "monthly-billing");
        await LocalCluster.ControlAsync("stop-app", "1", "--kill");
        await LocalCluster.ControlAsync("stop-app", "2");
        await LocalCluster.ControlAsync("start-app", "1");
        await LocalCluster.ControlAsync("start-app", "2");

        const string monthlyJobs = """
            FROM hangfire.job j JOIN hangfire.jobparameter p ON p.jobid = j.id AND p.name = 'RecurringJobId' AND p.value = '"monthly-billing"'
            WHERE j.createdat >= to_timestamp(@since / 1000.0) AT TIME ZONE 'UTC'
            """;
        await Eventually.UntilAsync(async () => await ScalarAsync("SELECT count(*) " + monthlyJobs + " AND j.statename = 'Succeeded'", ("since", since)) == 1,
            "the monthly billing job succeeded", TimeSpan.FromMinutes(3));
        // Hangfire moved the next occurrence to a future 1st: nothing is left that any instance could fire a second time.
        var next = await ScalarAsync("""
            SELECT CASE WHEN value ~ '^[0-9]+$' THEN value::bigint ELSE (extract(epoch FROM value::timestamptz) * 1000)::bigint END
            FROM hangfire.hash WHERE key = 'recurring-job:monthly-billing' AND field = 'NextExecution'
            """);
        Assert.True(next > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "the next monthly run lies in the future");
        Assert.Equal(1, await ScalarAsync("SELECT count(*) " + monthlyJobs, ("since", since)));
        Assert.Equal(1, await ScalarAsync(
            "SELECT count(*) FROM billing_runs WHERE trigger = 'schedule' AND started_at >= to_timestamp(@since / 1000.0)", ("since", since)));
    }

    /// <summary>A gather-mode call (own tenant on the offline engines, sample flow) answered by instance 1: its number,
    /// call sid and the path Twilio posts the caller's answer to.</summary>
    private static async Task<(string Number, string CallSid, string Gather)> GatherCallOnInstance1Async()
    {
        var admin = await LocalCluster.LoginAsAdminAsync(1);
        await ConfigureTwilioAsync(admin);
        var (_, tenant) = await TenantAsync(admin, new { provider = "Offline" });
        var number = await NumberAsync(tenant);
        var callSid = NewCallSid();
        var first = await TwimlAsync(1, "/telephony/twilio/voice", Inbound(callSid, number));
        return (number, callSid, PathOf(first.Descendants("Gather").Single().Attribute("action")!.Value));
    }

    private static string NewCallSid() => "CA" + Guid.NewGuid().ToString("N");

    private static Task<long> UsageRecordsAsync(string callSid) => ScalarAsync(
        "SELECT count(*) FROM usage_records u JOIN calls c ON c.id = u.call_id WHERE c.provider_call_id = @sid", ("sid", callSid));
}
