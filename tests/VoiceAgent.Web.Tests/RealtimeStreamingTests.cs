using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Twilio;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// The streaming pipeline over a real media stream (Twilio protocol, fake OpenAI with scripted streams): the first sentence
/// is heard while the model still writes, a barge-in stops everything of the old answer, and the end of the caller's
/// turn adapts to whether what was said sounds finished. With streaming transcription (the tenant's OpenAI engine with a
/// gpt-4o transcribe model) the caller's frames go to the fake's Realtime transcription session while they speak, one
/// commit per pause; a refused or dropped session leaves the call to whole-utterance transcription.
/// </summary>
public sealed class RealtimeStreamingTests : IntegrationTest
{
    private const string AuthToken = "0123456789abcdef0123456789abcdef";
    private const string CallSid = "CA" + "6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e";

    [Fact]
    public async Task The_first_sentence_is_heard_before_the_model_has_finished_the_answer()
    {
        var (app, openAi) = await StartAsync();
        await using (openAi)
        await using (app)
        {
            var rest = new TaskCompletionSource();
            openAi.EnqueueTranscripts("Ich möchte einen Termin.");
            openAi.Enqueue(new FakeChatReply.Streamed(["Gern.", " Wann", " passt es Ihnen?"], "book_appointment", rest.Task, HoldAfter: 2));
            await using var caller = await OpenStreamAsync(app);
            await HearGreetingAsync(caller);

            await caller.SendFramesAsync([.. Speech(30), .. Silence(50)]);
            await caller.WaitForAsync("media");

            // The model is still writing ("Wann" is held back), the caller already hears "Gern.".
            Assert.False(rest.Task.IsCompleted);
            Assert.Contains(openAi.SpeechRequests, r => r.Input == "Gern.");
            Assert.DoesNotContain(openAi.SpeechRequests, r => r.Input?.Contains("Wann", StringComparison.Ordinal) == true);

            rest.SetResult();
            await caller.PlayUntilMarkAsync();
            await caller.PlayUntilMarkAsync();
            Assert.Contains(openAi.SpeechRequests, r => r.Input == "Wann passt es Ihnen?");
            Assert.Equal(["Ich möchte einen Termin."], await CallerLinesAsync(1));
        }
    }

    [Fact]
    public async Task A_barge_in_clears_playback_cancels_the_model_stream_and_no_frame_of_the_old_answer_follows()
    {
        var (app, openAi) = await StartAsync();
        await using (openAi)
        await using (app)
        {
            var never = new TaskCompletionSource();
            openAi.EnqueueTranscripts("Ich möchte einen Termin.");
            openAi.Enqueue(new FakeChatReply.Streamed(["Gern, sehr gern.", " Wann", " passt es Ihnen?"], "book_appointment", never.Task, HoldAfter: 2));
            await using var caller = await OpenStreamAsync(app);
            await HearGreetingAsync(caller);

            await caller.SendFramesAsync([.. Speech(30), .. Silence(20)]);
            await caller.WaitForAsync("media");

            // The caller speaks over the first sentence (and goes on speaking: no new turn yet).
            await caller.SendFramesAsync(Speech(15));
            await caller.WaitForAsync("clear");
            var framesAtClear = caller.MediaFramesReceived;

            // The flow's turn ends with what was said (the model's stream was given up); nothing more is synthesized or sent.
            await Eventually.UntilAsync(async () => (await AgentLinesAsync()).Contains("Gern, sehr gern."), "the interrupted turn stored");
            Assert.Equal(framesAtClear, caller.MediaFramesReceived);
            Assert.DoesNotContain(openAi.SpeechRequests, r => r.Input?.Contains("Wann", StringComparison.Ordinal) == true);
            Assert.DoesNotContain("Gern, sehr gern. Wann passt es Ihnen?", await AgentLinesAsync());
        }
    }

    [Fact]
    public async Task A_finished_sentence_ends_the_turn_at_the_short_pause_an_unfinished_one_waits_and_goes_on()
    {
        var (app, openAi) = await StartAsync();
        await using (openAi)
        await using (app)
        {
            openAi.EnqueueTranscripts("Am Dienstag um", "Am Dienstag um zehn Uhr.", "Ich möchte einen Termin.");
            openAi.Enqueue(new FakeChatReply.Completion("Gern.", "book_appointment"), new FakeChatReply.Completion("Gut.", "book_appointment"));
            await using var caller = await OpenStreamAsync(app);
            await HearGreetingAsync(caller);

            // "Am Dienstag um" and a 400 ms pause: transcribed at the pause, not finished, so the call listens on …
            await caller.SendFramesAsync([.. Speech(30), .. Silence(20)]);
            await Eventually.UntilAsync(() => openAi.Transcriptions.Count == 1, "the pause transcribed");
            await caller.SendFramesAsync(Silence(5));
            // … and the caller goes on: "zehn Uhr." and again only 400 ms of silence, well inside the long window.
            await caller.SendFramesAsync([.. Speech(20), .. Silence(20)]);
            await caller.PlayUntilMarkAsync();

            Assert.Equal(["Am Dienstag um zehn Uhr."], await CallerLinesAsync(1));
            Assert.Equal(2, openAi.Transcriptions.Count);
            // The long window was never needed: 20 silent frames after the speech, not 50.
            Assert.Equal(1, await CountAsync("SELECT cardinality(turn_latencies_ms) FROM calls"));

            // A finished sentence alone: the answer comes after the short pause too.
            await caller.SendFramesAsync([.. Speech(30), .. Silence(20)]);
            await caller.PlayUntilMarkAsync();
            Assert.Equal(["Am Dienstag um zehn Uhr.", "Ich möchte einen Termin."], await CallerLinesAsync(2));
        }
    }

    [Fact]
    public async Task A_streaming_tenants_turn_is_transcribed_through_the_stream_one_commit_per_pause_and_nothing_is_uploaded()
    {
        var (app, openAi) = await StartAsync(streamingTranscription: true);
        await using (openAi)
        await using (app)
        {
            openAi.Transcription.EnqueueTranscripts("Ich möchte einen Termin.");
            openAi.Enqueue(new FakeChatReply.Completion("Gern.", "book_appointment"));
            await using var caller = await OpenStreamAsync(app);
            await HearGreetingAsync(caller);

            await caller.SendFramesAsync([.. Speech(30), .. Silence(20)]);
            await caller.PlayUntilMarkAsync();

            Assert.Equal(["Ich möchte einen Termin."], await CallerLinesAsync(1));
            // The speech went up while it was heard: the one commit (at the pause) holds all of it, the μ-law as Twilio sent it.
            var commit = Assert.Single(openAi.Transcription.Commits);
            Assert.True(Contains(commit.Audio, [.. Speech(30).SelectMany(f => f)]), "the committed audio holds the caller's speech");
            var events = openAi.Transcription.Received.Select(e => (string?)e["type"]).ToList();
            Assert.Equal("session.update", events[0]);
            Assert.Single(events, e => e == "input_audio_buffer.commit");
            Assert.True(events.IndexOf("input_audio_buffer.commit") > 30, "frames appended before the commit");
            Assert.Equal("audio/pcmu", (string?)openAi.Transcription.Session!["audio"]!["input"]!["format"]!["type"]);
            Assert.Equal("gpt-4o-mini-transcribe", (string?)openAi.Transcription.Session["audio"]!["input"]!["transcription"]!["model"]);
            Assert.Empty(openAi.Transcriptions);
            Assert.DoesNotContain(openAi.Requests, r => r.Path == "/v1/audio/transcriptions");
        }
    }

    [Fact]
    public async Task After_a_pause_the_caller_goes_on_two_commits_each_segment_once_and_the_flow_hears_them_joined()
    {
        var (app, openAi) = await StartAsync(streamingTranscription: true);
        await using (openAi)
        await using (app)
        {
            openAi.Transcription.EnqueueTranscripts("Am Dienstag um", "zehn Uhr.");
            openAi.Enqueue(new FakeChatReply.Completion("Gern.", "book_appointment"));
            await using var caller = await OpenStreamAsync(app);
            await HearGreetingAsync(caller);

            // "Am Dienstag um", a pause: committed and transcribed, not finished, so the call listens on …
            await caller.SendFramesAsync([.. Speech(30), .. Silence(20)]);
            var first = await openAi.Transcription.WaitForCommitAsync();
            await caller.SendFramesAsync(Silence(5));
            // … and the caller goes on with "zehn Uhr." (other words, other sound) and pauses again.
            await caller.SendFramesAsync([.. Speech(20, amplitude: 6000), .. Silence(20)]);
            await caller.PlayUntilMarkAsync();

            Assert.Equal(["Am Dienstag um zehn Uhr."], await CallerLinesAsync(1));
            Assert.Equal(2, openAi.Transcription.Commits.Count);
            var second = openAi.Transcription.Commits[1];
            byte[] before = [.. Speech(30).SelectMany(f => f)], after = [.. Speech(20, amplitude: 6000).SelectMany(f => f)];
            Assert.True(Contains(first.Audio, before) && !Contains(first.Audio, after), "the first segment is the first words only");
            Assert.True(Contains(second.Audio, after) && !Contains(second.Audio, before), "the second segment is not the first again");
            Assert.Empty(openAi.Transcriptions);
        }
    }

    [Fact]
    public async Task A_refused_transcription_session_leaves_the_call_to_whole_utterances_and_the_caller_is_answered()
    {
        var (app, openAi) = await StartAsync(streamingTranscription: true);
        await using (openAi)
        await using (app)
        {
            openAi.Transcription.RejectStatus = 429;
            openAi.EnqueueTranscripts("Ich möchte einen Termin.");
            openAi.Enqueue(new FakeChatReply.Completion("Gern.", "book_appointment"));
            var logs = new LogCapture();
            app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
            await using var caller = await OpenStreamAsync(app);
            await HearGreetingAsync(caller);

            await caller.SendFramesAsync([.. Speech(30), .. Silence(20)]);
            await caller.PlayUntilMarkAsync();

            Assert.Equal(["Ich möchte einen Termin."], await CallerLinesAsync(1));
            Assert.Single(openAi.Transcriptions);
            Assert.Equal(1, openAi.Transcription.Rejected);
            Assert.Empty(openAi.Transcription.Commits);
            Assert.Contains(logs.Lines, l => l.Contains("Streaming speech recognition", StringComparison.Ordinal) && l.Contains("429", StringComparison.Ordinal));
            Assert.DoesNotContain(ApiKey, string.Join("\n", logs.Lines), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_transcription_session_that_drops_mid_call_is_given_up_that_turn_and_later_ones_are_transcribed_whole()
    {
        var (app, openAi) = await StartAsync(streamingTranscription: true);
        await using (openAi)
        await using (app)
        {
            openAi.Transcription.Enqueue(new FakeCommitReply.Transcript("Ich möchte einen Termin."), new FakeCommitReply.Drop());
            openAi.EnqueueTranscripts("Am Dienstag.", "Um zehn Uhr.");
            openAi.Enqueue(
                new FakeChatReply.Completion("Gern.", "book_appointment"),
                new FakeChatReply.Completion("Gut.", "book_appointment"),
                new FakeChatReply.Completion("Prima.", "book_appointment"));
            await using var caller = await OpenStreamAsync(app);
            await HearGreetingAsync(caller);

            await caller.SendFramesAsync([.. Speech(30), .. Silence(20)]);
            await caller.PlayUntilMarkAsync();
            // The second turn's commit is answered by a dropped socket: that turn goes up whole …
            await caller.SendFramesAsync([.. Speech(30), .. Silence(20)]);
            await caller.PlayUntilMarkAsync();
            // … and so does every later one, without a new session.
            await caller.SendFramesAsync([.. Speech(30), .. Silence(20)]);
            await caller.PlayUntilMarkAsync();

            Assert.Equal(["Ich möchte einen Termin.", "Am Dienstag.", "Um zehn Uhr."], await CallerLinesAsync(3));
            Assert.Equal(2, openAi.Transcription.Commits.Count);
            Assert.Equal(1, openAi.Transcription.Connections);
            Assert.Equal(2, openAi.Transcriptions.Count);
        }
    }

    private static readonly string ApiKey = "sk-test-" + new string('k', 40);

    /// <param name="streamingTranscription">Off for the tests of whole-utterance transcription (the adaptive end of turn
    /// with the batch engine); on, the tenant's default model gpt-4o-mini-transcribe streams.</param>
    private async Task<(WebApplicationFactory<Program> App, FakeOpenAiServer OpenAi)> StartAsync(bool streamingTranscription = false)
    {
        var openAi = await FakeOpenAiServer.StartAsync();
        var realtime = App.WithWebHostBuilder(b =>
        {
            b.UseSetting("OpenAi:Endpoint", openAi.Endpoint.ToString());
            b.UseSetting("Telephony:Mode", "realtime");
            b.UseSetting("Telephony:PaceAudio", "false");
            b.UseSetting("OpenAi:StreamingTranscription", streamingTranscription ? "true" : "false");
        });
        var admin = await App.LoginAsAdminAsync();
        (await admin.PutAsJsonAsync("/api/admin/settings/twilio.auth_token", new { value = AuthToken })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("/api/admin/settings/openai.api_key", new { value = ApiKey })).EnsureSuccessStatusCode();
        var (tenantId, tenantAdmin) = await App.ApprovedTenantAsync("chef@salon.de", "Salon Beta");
        await App.SeedSampleFlowAsync(tenantId);
        var created = await tenantAdmin.PostAsJsonAsync("/api/flows", new { name = "Frei", definition = ConversationFlows.AskLoop("Frei") });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var flowId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var published = await tenantAdmin.PostAsync($"/api/flows/{flowId}/versions/1/publish", null);
        Assert.True(published.IsSuccessStatusCode, await published.Content.ReadAsStringAsync());
        (await tenantAdmin.PostAsJsonAsync("/api/tenant/numbers", new { number = "030 2222222", flowId })).EnsureSuccessStatusCode();

        var form = new Dictionary<string, string> { ["CallSid"] = CallSid, ["From"] = "+491701234567", ["To"] = "+49302222222", ["CallStatus"] = "ringing" };
        var request = new HttpRequestMessage(HttpMethod.Post, "/telephony/twilio/voice") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(AuthToken, "http://localhost/telephony/twilio/voice", form));
        var twiml = System.Xml.Linq.XDocument.Parse(await (await realtime.CreateClient().SendAsync(request)).Content.ReadAsStringAsync());
        token = Assert.Single(twiml.Descendants("Stream")).Elements("Parameter").Single(p => p.Attribute("name")?.Value == "token").Attribute("value")!.Value;
        return (realtime, openAi);
    }

    private string token = "";

    private async Task<TwilioMediaCaller> OpenStreamAsync(WebApplicationFactory<Program> app) =>
        await TwilioMediaCaller.StartAsync(
            await app.Server.CreateWebSocketClient().ConnectAsync(new Uri("ws://localhost/telephony/media"), CancellationToken.None), CallSid, token);

    /// <summary>The AI disclosure and the greeting play to their marks; then a moment of silence, in which the detector
    /// measures the line. What the app sent so far is passed over.</summary>
    private static async Task HearGreetingAsync(TwilioMediaCaller caller)
    {
        await caller.PlayUntilMarkAsync();
        await caller.PlayUntilMarkAsync();
        caller.Reset();
        await caller.SendFramesAsync(Silence(12));
    }

    /// <summary>The caller's lines in the flow's transcript (flow_sessions.state), in order.</summary>
    private Task<List<string>> CallerLinesAsync() => TranscriptAsync("Caller");

    /// <summary>The caller's lines once <paramref name="count"/> are stored: a turn is stored when the flow's turn ends, which
    /// may be just after its speech played to the mark.</summary>
    private async Task<List<string>> CallerLinesAsync(int count)
    {
        await Eventually.UntilAsync(async () => (await CallerLinesAsync()).Count >= count, $"{count} caller lines stored");
        return await CallerLinesAsync();
    }

    private Task<List<string>> AgentLinesAsync() => TranscriptAsync("Agent");

    private async Task<List<string>> TranscriptAsync(string role)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(
            "SELECT s.state FROM flow_sessions s JOIN calls c ON c.session_id = s.id WHERE c.provider_call_id = @sid", connection);
        cmd.Parameters.AddWithValue("sid", CallSid);
        var state = JsonNode.Parse((string)(await cmd.ExecuteScalarAsync())!)!;
        var transcript = (state["transcript"] ?? state["Transcript"])?.AsArray() ?? [];
        return [.. transcript.Where(t => (string?)(t!["role"] ?? t["Role"]) == role).Select(t => (string)(t!["text"] ?? t["Text"])!)];
    }

    private static byte[] Frame(double amplitude, int index)
    {
        var samples = new short[160];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)(amplitude * Math.Sin(2 * Math.PI * 440 * (index * 160 + i) / 8000.0));
        }

        return MuLaw.Encode(samples);
    }

    private static IEnumerable<byte[]> Speech(int frames, double amplitude = 9000) => Enumerable.Range(0, frames).Select(i => Frame(amplitude, i));

    private static bool Contains(byte[] audio, byte[] part) => audio.AsSpan().IndexOf(part) >= 0;

    private static IEnumerable<byte[]> Silence(int frames) => Enumerable.Repeat(Frame(0, 0), frames);
}
