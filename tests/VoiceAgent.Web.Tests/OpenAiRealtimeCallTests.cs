using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using VoiceAgent.Telephony.Twilio;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Web.Tests;

/// <summary>A tenant in OpenAI Realtime mode: Twilio's media stream talks to the (fake) Realtime WebSocket speech to speech.
/// The host's clock is a FakeTimeProvider: durations come from advancing it, never from the wall clock.</summary>
public sealed class OpenAiRealtimeCallTests : IntegrationTest
{
    private const string AuthToken = "0123456789abcdef0123456789abcdef";
    private const string CallSid = "CA" + "6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e";
    private const string Caller = "+491701234567";
    private static readonly string ApiKey = "sk-test-" + new string('k', 40);

    // Starts at the real time: the stream token's time limit is checked by Data Protection against the system clock.
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);

    protected override TimeProvider? AppTime => clock;

    private static byte[] Audio(int length, byte seed) => [.. Enumerable.Range(0, length).Select(i => (byte)((seed + i * 7) % 251))];

    [Fact]
    public async Task The_models_mulaw_reaches_twilio_unchanged_and_the_callers_audio_reaches_the_model_as_twilio_sent_it()
    {
        var greeting = Audio(1234, 3);
        var (app, openAi, token) = await StartCallAsync(new { provider = "OpenAiRealtime", voice = "coral" });
        await using (openAi)
        await using (app)
        {
            openAi.Realtime.Enqueue(new FakeRealtimeResponse(greeting, "Guten Tag, Praxis Alpha."));
            await using var caller = await OpenStreamAsync(app, token);

            Assert.Equal(greeting, await caller.ReceiveAudioAsync(greeting.Length));
            var frames = Enumerable.Range(0, 5).Select(i => Audio(160, (byte)(100 + i))).ToList();
            await caller.SendFramesAsync(frames);
            await Eventually.UntilAsync(() => openAi.Realtime.AppendedBase64.Count == frames.Count, "the frames appended");

            Assert.Equal(frames.Select(Convert.ToBase64String), openAi.Realtime.AppendedBase64);
            Assert.Equal(["gpt-realtime"], openAi.Realtime.Connections);
            var session = openAi.Realtime.Session!;
            Assert.Equal("audio/pcmu", (string?)session["audio"]!["input"]!["format"]!["type"]);
            Assert.Equal("audio/pcmu", (string?)session["audio"]!["output"]!["format"]!["type"]);
            Assert.Equal("server_vad", (string?)session["audio"]!["input"]!["turn_detection"]!["type"]);
            // The pipeline's short end-of-turn window, not the API's 500 ms default.
            Assert.Equal(300, (int?)session["audio"]!["input"]!["turn_detection"]!["silence_duration_ms"]);
            Assert.Equal("de", (string?)session["audio"]!["input"]!["transcription"]!["language"]);
            Assert.Equal("coral", (string?)session["audio"]!["output"]!["voice"]);
            var tools = session["tools"]!.AsArray().Select(t => (string?)t!["name"]).ToList();
            Assert.Contains("find_free_slots", tools);
            Assert.Contains("book_appointment", tools);
            Assert.Contains("end_call", tools);
            var greet = openAi.Realtime.Received.First(e => (string?)e["type"] == "response.create");
            Assert.Contains("Sie sprechen mit dem KI-Assistenten von Praxis Alpha", (string?)greet["response"]!["instructions"]);
            Assert.Empty(openAi.SpeechRequests);
            Assert.Empty(openAi.Transcriptions);
            Assert.DoesNotContain(openAi.Realtime.Received, e => (string?)e["type"] == "error");
        }
    }

    [Fact]
    public async Task Caller_speech_over_the_agent_clears_twilio_cancels_the_response_and_no_stale_audio_follows()
    {
        var (app, openAi, token) = await StartCallAsync(new { provider = "OpenAiRealtime", voice = "coral" });
        await using (openAi)
        await using (app)
        {
            var old = Enumerable.Repeat((byte)0x11, 4000).ToArray();
            var answer = Enumerable.Repeat((byte)0x22, 480).ToArray();
            openAi.Realtime.Enqueue(new FakeRealtimeResponse(old, "Guten Tag …", HoldAfterDeltas: 2), new FakeRealtimeResponse(answer, "Gerne."));
            await using var caller = await OpenStreamAsync(app, token);
            await caller.WaitForAsync("media");
            await caller.SendFramesAsync([Audio(160, 1)]);

            await openAi.Realtime.SpeechStartedAsync();
            await caller.WaitForAsync("clear");
            var cancel = await openAi.Realtime.WaitForAsync("response.cancel");
            Assert.StartsWith("resp_", (string?)cancel["response_id"]);

            await openAi.Realtime.CallerTurnAsync("Ich möchte einen Termin");
            var after = await caller.ReceiveAudioAsync(answer.Length);
            Assert.Equal(answer, after); // the delta in flight at the cancel never reached the caller
        }
    }

    [Fact]
    public async Task A_function_call_books_the_offered_slot_in_the_tenants_calendar_and_the_output_goes_back()
    {
        var (app, openAi, token) = await StartCallAsync(new { provider = "OpenAiRealtime", voice = "nova" });
        await using (openAi)
        await using (app)
        {
            var realtime = openAi.Realtime;
            realtime.Enqueue(new FakeRealtimeResponse(Audio(320, 1), "Guten Tag."));
            realtime.Enqueue(FakeRealtimeResponse.Call("find_free_slots", """{"part_of_day":"morning"}"""));
            realtime.Enqueue(() => FakeRealtimeResponse.Call("book_appointment", new JsonObject
            {
                ["start"] = (string?)JsonNode.Parse(realtime.FunctionOutputs[0])!["slots"]![0]!["start"], ["caller_name"] = "Erika Muster",
            }.ToJsonString()));
            realtime.Enqueue(new FakeRealtimeResponse(Audio(320, 9), "Ihr Termin ist eingetragen."));
            await using var caller = await OpenStreamAsync(app, token);
            await caller.ReceiveAudioAsync(320);
            await caller.SendFramesAsync([Audio(160, 2)]);

            await realtime.CallerTurnAsync("Ich möchte einen Termin am Vormittag");
            Assert.Equal(Audio(320, 9), await caller.ReceiveAudioAsync(320));

            var slots = JsonNode.Parse(realtime.FunctionOutputs[0])!["slots"]!.AsArray();
            Assert.NotEmpty(slots);
            var booked = JsonNode.Parse(realtime.FunctionOutputs[1])!;
            Assert.Contains((string?)booked["status"], new[] { "created", "pending" });
            Assert.Equal(1, await CountAsync($"SELECT count(*) FROM sandbox_events WHERE caller_number = '{Caller}'"));
            Assert.Equal(3, realtime.Received.Count(e => (string?)e["type"] == "response.create")); // greeting + one after each tool
            Assert.Equal("alloy", (string?)realtime.Session!["audio"]!["output"]!["voice"]); // "nova" is a text-to-speech voice only
        }
    }

    [Fact]
    public async Task The_transcript_turn_latency_and_the_calls_duration_are_stored_and_the_minutes_billed()
    {
        var (app, openAi, token) = await StartCallAsync(new { provider = "OpenAiRealtime", voice = "coral" },
            setting: ("Telephony:StreamIdleTimeout", "00:10:00"));
        await using (openAi)
        await using (app)
        {
            var realtime = openAi.Realtime;
            realtime.Enqueue(new FakeRealtimeResponse(Audio(320, 1), "Guten Tag."), new FakeRealtimeResponse(Audio(480, 2), "Sie haben keinen Termin."),
                FakeRealtimeResponse.Call("end_call", "{}"));
            await using var caller = await OpenStreamAsync(app, token);
            await caller.ReceiveAudioAsync(320);
            await caller.SendFramesAsync([Audio(160, 2)]);
            await realtime.CallerTurnAsync("Wann habe ich einen Termin?");
            await caller.ReceiveAudioAsync(480);

            clock.Advance(TimeSpan.FromSeconds(95));
            await realtime.CallerTurnAsync("Danke, tschüss");
            await caller.PlayUntilMarkAsync();
            await caller.WaitForAsync("closed");

            Assert.Equal(95, await EventuallyAsync("SELECT coalesce(duration_seconds, 0) FROM calls", 95));
            Assert.Equal(95, await CountAsync("SELECT seconds FROM usage_records WHERE kind = 'bot'"));
            // The model ended the call: what Twilio asks after the stream is a plain hang-up, no apology.
            var after = await StreamEndedAsync(app);
            Assert.Single(after.Descendants("Hangup"));
            Assert.Empty(after.Descendants("Say"));
            Assert.Equal(1, await CountAsync("SELECT cardinality(turn_latencies_ms) FROM calls"));
            Assert.Equal(1, await CountAsync("SELECT count(*) FROM calls WHERE status = 'completed' AND ended_at IS NOT NULL"));
            var transcript = await TranscriptAsync();
            var said = transcript.Select(t => $"{t["role"]}: {t["text"]}").ToList();
            Assert.Contains("Caller: Wann habe ich einen Termin?", said);
            Assert.Contains("Agent: Sie haben keinen Termin.", said);
            Assert.Contains("Caller: Danke, tschüss", said);
            Assert.DoesNotContain("Agent: Guten Tag.", said); // the greeting is the flow's first turn, recorded once
            var output = JsonNode.Parse(Assert.Single(realtime.FunctionOutputs))!;
            Assert.True((bool)output["ok"]!);
        }
    }

    [Fact]
    public async Task A_transfer_asked_by_the_model_dials_the_allow_listed_handoff_target_after_the_stream()
    {
        var (app, openAi, token) = await StartCallAsync(new { provider = "OpenAiRealtime", voice = "coral" },
            callSettings: new { transferTargets = new[] { "030 555555" }, handoffTarget = "+49 89 1234567" });
        await using (openAi)
        await using (app)
        {
            openAi.Realtime.Enqueue(new FakeRealtimeResponse(Audio(320, 1), "Guten Tag."), FakeRealtimeResponse.Call("transfer_to_human", "{}"));
            await using var caller = await OpenStreamAsync(app, token);
            await caller.ReceiveAudioAsync(320);
            await caller.SendFramesAsync([Audio(160, 2)]);

            await openAi.Realtime.CallerTurnAsync("Ich möchte mit jemandem sprechen");
            await caller.PlayUntilMarkAsync();
            await caller.WaitForAsync("closed");
            Assert.Equal("transferring", (string?)JsonNode.Parse(Assert.Single(openAi.Realtime.FunctionOutputs))!["status"]);
            Assert.Equal(1, await EventuallyAsync("SELECT count(*) FROM calls WHERE dial_target IS NOT NULL", 1));

            var twiml = await StreamEndedAsync(app);
            var dial = Assert.Single(twiml.Descendants("Dial"));
            Assert.Contains("891234567", dial.Value, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_stream_that_breaks_mid_conversation_ends_with_an_apology_and_the_minutes_are_billed_once()
    {
        var (app, openAi, token) = await StartCallAsync(new { provider = "OpenAiRealtime", voice = "coral" });
        await using (openAi)
        await using (app)
        {
            openAi.Realtime.Enqueue(new FakeRealtimeResponse(Audio(320, 1), "Guten Tag."));
            var caller = await OpenStreamAsync(app, token);
            await caller.ReceiveAudioAsync(320);
            clock.Advance(TimeSpan.FromSeconds(42));
            // The connection to the instance serving the stream breaks while the caller is still on the line.
            await caller.DisposeAsync();
            await EventuallyAsync("SELECT count(*) FROM calls WHERE ended_at IS NOT NULL", 1);

            // Twilio asks what comes next (another instance may answer): the caller hears why the call ends.
            var after = await StreamEndedAsync(app);
            Assert.Contains("technische Störung", Assert.Single(after.Descendants("Say")).Value, StringComparison.Ordinal);
            Assert.Single(after.Descendants("Hangup"));

            // The status callback, also repeated (retries, another instance), bills the call's minutes once.
            for (var i = 0; i < 2; i++)
            {
                var form = new Dictionary<string, string>
                {
                    ["CallSid"] = CallSid, ["AccountSid"] = "AC" + new string('1', 32), ["CallStatus"] = "completed", ["CallDuration"] = "44",
                };
                Assert.True((await PostTwilioAsync(app, "/telephony/twilio/status", form)).IsSuccessStatusCode);
            }

            Assert.Equal(1, await CountAsync("SELECT count(*) FROM usage_records WHERE kind = 'bot'"));
        }
    }

    [Fact]
    public async Task A_session_the_model_refuses_to_configure_is_left_for_the_normal_pipeline()
    {
        var (app, openAi, token) = await StartCallAsync(new { provider = "OpenAiRealtime", voice = "coral" });
        await using (openAi)
        await using (app)
        {
            openAi.Realtime.RefuseSessionWith = "invalid_value";
            await using var caller = await OpenStreamAsync(app, token);
            await Eventually.UntilAsync(async () =>
            {
                await caller.SendFramesAsync([Audio(160, 4)]);
                return openAi.Requests.Any(r => r.Path == "/v1/audio/speech");
            }, "the normal pipeline speaking");
            await caller.WaitForAsync("mark");

            Assert.Single(openAi.Realtime.Connections);
            Assert.Contains(openAi.SpeechRequests, r => r.Input != null && r.Input.StartsWith("Guten Tag, Sie sprechen mit dem KI-Assistenten", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task When_the_realtime_socket_drops_mid_call_the_normal_pipeline_answers_instead_of_silence()
    {
        var (app, openAi, token) = await StartCallAsync(new { provider = "OpenAiRealtime", voice = "coral" });
        await using (openAi)
        await using (app)
        {
            openAi.Realtime.Enqueue(new FakeRealtimeResponse(Audio(320, 1), "Guten Tag."));
            await using var caller = await OpenStreamAsync(app, token);
            await caller.ReceiveAudioAsync(320);

            await openAi.Realtime.DropAsync();
            await Eventually.UntilAsync(async () =>
            {
                await caller.SendFramesAsync([Audio(160, 4)]); // Twilio keeps sending: the pipeline takes over at the next frame
                return openAi.Requests.Any(r => r.Path == "/v1/audio/speech");
            }, "the normal pipeline speaking");
            await caller.WaitForAsync("mark");

            Assert.Contains(openAi.SpeechRequests, r => r.Input != null && r.Input.StartsWith("Guten Tag, Sie sprechen mit dem KI-Assistenten", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(401)]
    [InlineData(429)]
    public async Task When_the_realtime_socket_cannot_be_opened_the_call_goes_on_with_the_normal_pipeline(int status)
    {
        var (app, openAi, token) = await StartCallAsync(new { provider = "OpenAiRealtime", voice = "coral" });
        await using (openAi)
        await using (app)
        {
            if (status == 401)
            {
                openAi.RequiredKey = "sk-another-key-entirely-0000000000000000";
            }
            else
            {
                openAi.Realtime.RejectStatus = status;
            }

            var logs = new LogCapture();
            app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
            await using var caller = await OpenStreamAsync(app, token);

            // The normal pipeline speaks the flow's greeting with OpenAI's voices (with the refused key it is refused too,
            // but it was asked: the call did not stay silent waiting for the Realtime socket).
            await Eventually.UntilAsync(() => openAi.Requests.Any(r => r.Path == "/v1/audio/speech"), "the normal pipeline speaking");
            if (status == 429)
            {
                await caller.WaitForAsync("mark");
                Assert.Contains(openAi.SpeechRequests, r => r.Input != null && r.Input.StartsWith("Guten Tag, Sie sprechen mit dem KI-Assistenten", StringComparison.Ordinal));
            }

            Assert.Equal(1, openAi.Realtime.Rejected);
            Assert.Empty(openAi.Realtime.Connections);
            var failed = Assert.Single(logs.Lines, l => l.Contains("OpenAI Realtime connection", StringComparison.Ordinal));
            Assert.Contains(status.ToString(CultureInfo.InvariantCulture), failed, StringComparison.Ordinal);
            Assert.DoesNotContain(ApiKey, string.Join("\n", logs.Lines), StringComparison.Ordinal); // a key hint only
        }
    }

    [Fact]
    public async Task A_tenant_without_the_option_never_opens_the_realtime_socket()
    {
        var (app, openAi, token) = await StartCallAsync(new { provider = "OpenAi", voice = "coral" });
        await using (openAi)
        await using (app)
        {
            await using var caller = await OpenStreamAsync(app, token);
            await caller.WaitForAsync("mark");

            Assert.NotEmpty(openAi.SpeechRequests);
            Assert.Empty(openAi.Realtime.Connections);
            Assert.Equal(0, openAi.Realtime.Rejected);
        }
    }

    private async Task<(WebApplicationFactory<Program> App, FakeOpenAiServer OpenAi, string Token)> StartCallAsync(object speechChoice,
        (string Key, string Value)? setting = null, object? callSettings = null)
    {
        var openAi = await FakeOpenAiServer.StartAsync();
        var realtime = App.WithWebHostBuilder(b =>
        {
            b.UseSetting("OpenAi:Endpoint", openAi.Endpoint.ToString());
            b.UseSetting("Telephony:Mode", "realtime");
            b.UseSetting("Telephony:PaceAudio", "false");
            if (setting is var (key, value))
            {
                b.UseSetting(key, value);
            }
        });
        var admin = await App.LoginAsAdminAsync();
        (await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = AuthToken })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("/api/admin/settings/openai.api_key", new { value = ApiKey })).EnsureSuccessStatusCode();
        var (tenantId, tenantAdmin) = await App.ApprovedTenantAsync("chef@praxis.de", "Praxis Alpha");
        var flowId = await App.SeedSampleFlowAsync(tenantId);
        (await tenantAdmin.PostAsJsonAsync("/api/tenant/numbers", new { number = "030 1111111", flowId })).EnsureSuccessStatusCode();
        (await tenantAdmin.PutAsJsonAsync("/api/tenant/speech", speechChoice)).EnsureSuccessStatusCode();
        if (callSettings is not null)
        {
            (await tenantAdmin.PutAsJsonAsync("/api/tenant/call-settings", callSettings)).EnsureSuccessStatusCode();
        }


        var form = new Dictionary<string, string> { ["CallSid"] = CallSid, ["From"] = Caller, ["To"] = "+49301111111", ["CallStatus"] = "ringing" };
        var request = new HttpRequestMessage(HttpMethod.Post, "/telephony/twilio/voice") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(AuthToken, "http://localhost/telephony/twilio/voice", form));
        var twiml = XDocument.Parse(await (await realtime.CreateClient().SendAsync(request)).Content.ReadAsStringAsync());
        var stream = Assert.Single(twiml.Descendants("Stream"));
        var token = stream.Elements("Parameter").Single(p => p.Attribute("name")?.Value == "token").Attribute("value")!.Value;
        return (realtime, openAi, token);
    }

    /// <summary>What Twilio posts to the &lt;Connect&gt; action when the media stream ended; the TwiML answered.</summary>
    private static async Task<XDocument> StreamEndedAsync(WebApplicationFactory<Program> app)
    {
        var form = new Dictionary<string, string> { ["CallSid"] = CallSid, ["AccountSid"] = "AC" + new string('1', 32), ["StreamSid"] = "MZ1" };
        var response = await PostTwilioAsync(app, "/telephony/twilio/stream-ended", form);
        return XDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static async Task<HttpResponseMessage> PostTwilioAsync(WebApplicationFactory<Program> app, string path, Dictionary<string, string> form)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(AuthToken, "http://localhost" + path, form));
        return await app.CreateClient().SendAsync(request);
    }

    private static async Task<TwilioMediaCaller> OpenStreamAsync(WebApplicationFactory<Program> app, string token) =>
        await TwilioMediaCaller.StartAsync(
            await app.Server.CreateWebSocketClient().ConnectAsync(new Uri("ws://localhost/telephony/media"), CancellationToken.None), CallSid, token);

    private async Task<List<JsonObject>> TranscriptAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT state::text FROM flow_sessions", connection);
        var state = JsonNode.Parse((string)(await cmd.ExecuteScalarAsync())!)!;
        return [.. state["transcript"]!.AsArray().Select(t => t!.AsObject())];
    }

    /// <summary>The server closes the call's books just after the socket closed: waits for the value, then returns it.</summary>
    private async Task<long> EventuallyAsync(string sql, long expected)
    {
        await Eventually.UntilAsync(async () => await CountAsync(sql) == expected, sql);
        return await CountAsync(sql);
    }
}
