using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Web.Tests;

/// <summary>
/// The designer's test console by microphone: a WAV recording goes to POST /api/flows/{id}/simulations/{sid}/speech, is
/// resampled to 8 kHz, transcribed (the fake OpenAI) and then taken like a typed answer.
/// </summary>
public sealed class SimulationSpeechTests : IntegrationTest
{
    internal const string OpenAiKey = "sk-test-speech-0123456789abcdef";

    /// <summary>A host whose OpenAI calls go to a fake, with the key stored by the super-admin (as in RealtimeCallTests).</summary>
    private Task<(VoiceAgentFactory App, FakeOpenAiServer OpenAi)> WithSpeechToTextAsync() => WithSpeechToTextAsync(Database);

    /// <summary>The same host for other test classes on the shared database.</summary>
    internal static async Task<(VoiceAgentFactory App, FakeOpenAiServer OpenAi)> WithSpeechToTextAsync(PostgresServer database)
    {
        var openAi = await FakeOpenAiServer.StartAsync();
        var app = new VoiceAgentFactory(database) { Settings = new() { ["OpenAi:Endpoint"] = openAi.Endpoint.ToString() } };
        var superAdmin = await app.LoginAsAdminAsync();
        (await superAdmin.PutAsJsonAsync("/api/admin/settings/openai.api_key", new { value = OpenAiKey })).EnsureSuccessStatusCode();
        return (app, openAi);
    }

    private static async Task<(HttpClient Admin, Guid FlowId, Guid SessionId, JsonElement Start)> StartSessionAsync(VoiceAgentFactory app,
        string email = "chef@praxis.de", string company = "Praxis Dr. Weber")
    {
        var (tenantId, admin) = await app.ApprovedTenantAsync(email, company);
        var flowId = await app.SeedSampleFlowAsync(tenantId);
        var response = await admin.PostAsJsonAsync($"/api/flows/{flowId}/simulations", new { callerNumber = "+491701234567" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var start = await Json(response);
        return (admin, flowId, start.GetProperty("sessionId").GetGuid(), start);
    }

    /// <summary>16-bit PCM (or <paramref name="bits"/>) RIFF/WAVE with a 440 Hz tone.</summary>
    internal static byte[] Wav(int sampleRate, double seconds, int channels = 1, int bits = 16)
    {
        var frames = (int)(sampleRate * seconds);
        var bytesPerSample = bits / 8;
        var data = frames * channels * bytesPerSample;
        var wav = new byte[44 + data];
        var span = wav.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)(36 + data));
        "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], (uint)(sampleRate * channels * bytesPerSample));
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], (ushort)(channels * bytesPerSample));
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], (ushort)bits);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[40..], (uint)data);
        if (bits == 16)
        {
            for (var i = 0; i < frames * channels; i++)
            {
                var value = (short)(8000 * Math.Sin(2 * Math.PI * 440 * (i / channels) / sampleRate));
                BinaryPrimitives.WriteInt16LittleEndian(span[(44 + 2 * i)..], value);
            }
        }

        return wav;
    }

    private static HttpContent Audio(byte[] body, string contentType = "audio/wav")
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    private static Task<HttpResponseMessage> SpeakAsync(HttpClient client, Guid flowId, Guid sessionId, HttpContent content) =>
        client.PostAsync($"/api/flows/{flowId}/simulations/{sessionId}/speech", content);

    private static string[] Lines(JsonElement turn) => turn.GetProperty("lines").EnumerateArray().Select(l => l.GetString()!).ToArray();

    private static async Task<string> ProblemTitleAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await Json(response)).GetProperty("title").GetString()!;
    }

    [Fact]
    public async Task Transcribed_speech_drives_the_same_turn_as_typed_text_and_silence_takes_no_turn()
    {
        var (app, openAi) = await WithSpeechToTextAsync();
        await using (openAi)
        await using (app)
        {
            var (admin, flowId, sessionId, start) = await StartSessionAsync(app);
            var options = await Json(await admin.GetAsync("/api/flows/designer-options"));
            Assert.True(options.GetProperty("speechToText").GetBoolean());

            // 48 kHz stereo, as a browser might record it: the engine gets 8 kHz mono of the same length.
            openAi.EnqueueTranscripts("Ich möchte gerne einen Termin vereinbaren");
            var response = await SpeakAsync(admin, flowId, sessionId, Audio(Wav(48_000, 1.5, channels: 2)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var offer = await Json(response);
            Assert.Equal("Ich möchte gerne einen Termin vereinbaren", offer.GetProperty("heard").GetString());
            Assert.Equal(JsonValueKind.Null, offer.GetProperty("hint").ValueKind);
            Assert.Equal(sessionId, offer.GetProperty("sessionId").GetGuid());
            Assert.Equal("suspended", offer.GetProperty("status").GetString());
            var offerLine = Assert.Single(Lines(offer));
            Assert.StartsWith("Der nächste freie Termin wäre am ", offerLine);
            Assert.Equal("Ich möchte gerne einen Termin vereinbaren", offer.GetProperty("variables").GetProperty("lastInput").GetString());
            Assert.NotEmpty(offer.GetProperty("visited").EnumerateArray());

            var upload = Assert.Single(openAi.Transcriptions);
            Assert.Equal("Bearer " + OpenAiKey, upload.Authorization);
            Assert.Equal("de", upload.Language);
            Assert.NotNull(upload.Wav);
            Assert.Equal((1, 1, 8000, 16), (upload.Wav.FormatTag, upload.Wav.Channels, upload.Wav.SampleRate, upload.Wav.BitsPerSample));
            Assert.InRange(upload.Wav.Duration.TotalSeconds, 1.49, 1.51);

            // Nothing intelligible: 200, an empty "heard", a German hint, and the session waits where it was.
            openAi.EnqueueTranscripts("");
            var silence = await SpeakAsync(admin, flowId, sessionId, Audio(Wav(16_000, 0.5)));
            Assert.Equal(HttpStatusCode.OK, silence.StatusCode);
            var nothing = await Json(silence);
            Assert.Equal("", nothing.GetProperty("heard").GetString());
            Assert.Contains("nichts verstanden", nothing.GetProperty("hint").GetString());
            Assert.Empty(Lines(nothing));
            Assert.Empty(nothing.GetProperty("visited").EnumerateArray());
            Assert.Equal("suspended", nothing.GetProperty("status").GetString());
            Assert.Equal(offer.GetProperty("currentNodeId").GetString(), nothing.GetProperty("currentNodeId").GetString());
            Assert.Equal(2, openAi.Transcriptions.Count);

            // The next spoken answer books the offered slot: the silent one changed nothing.
            openAi.EnqueueTranscripts("Ja, das passt");
            var booked = await Json(await SpeakAsync(admin, flowId, sessionId, Audio(Wav(8_000, 1))));
            var slotText = offer.GetProperty("variables").GetProperty("slot").GetProperty("text").GetString();
            Assert.Equal($"Ihr Termin am {slotText} ist eingetragen. Wir freuen uns auf Sie.", Lines(booked)[0]);
            Assert.Equal(1, await CountAsync("SELECT count(*) FROM sandbox_events WHERE caller_number = '+491701234567' AND status = 'confirmed'"));
            Assert.Contains("Praxis Dr. Weber", Lines(start)[0]);
        }
    }

    [Fact]
    public async Task Without_speech_to_text_the_designer_offers_no_microphone_and_speech_is_409()
    {
        var (admin, flowId, sessionId, _) = await StartSessionAsync(App);
        var options = await Json(await admin.GetAsync("/api/flows/designer-options"));
        Assert.False(options.GetProperty("speechToText").GetBoolean());

        var title = await ProblemTitleAsync(await SpeakAsync(admin, flowId, sessionId, Audio(Wav(16_000, 1))), HttpStatusCode.Conflict);
        Assert.Contains("keine Spracherkennung eingerichtet", title);
        Assert.Contains("OpenAI-Schlüssel", title);
    }

    [Fact]
    public async Task An_oversized_recording_is_413_and_never_transcribed()
    {
        var (app, openAi) = await WithSpeechToTextAsync();
        await using (openAi)
        await using (app)
        {
            var (admin, flowId, sessionId, _) = await StartSessionAsync(app);

            // Over 1 MiB (35 s at 16 kHz): refused by its declared length before the endpoint runs.
            var tooBig = await ProblemTitleAsync(await SpeakAsync(admin, flowId, sessionId, Audio(Wav(16_000, 35))), HttpStatusCode.RequestEntityTooLarge);
            Assert.Equal("Die Aufnahme ist zu lang: höchstens 30 Sekunden und 1 MB.", tooBig);

            // The same without a declared length (chunked): the endpoint stops reading at the cap.
            var chunked = await ProblemTitleAsync(await SpeakAsync(admin, flowId, sessionId, new UnsizedContent(Wav(16_000, 35))),
                HttpStatusCode.RequestEntityTooLarge);
            Assert.Equal(tooBig, chunked);

            // Under 1 MiB but over 30 s of audio (40 s at 8 kHz).
            var tooLong = await ProblemTitleAsync(await SpeakAsync(admin, flowId, sessionId, Audio(Wav(8_000, 40))), HttpStatusCode.RequestEntityTooLarge);
            Assert.Equal(tooBig, tooLong);

            Assert.Empty(openAi.Transcriptions);
        }
    }

    [Fact]
    public async Task A_recording_that_is_not_16_bit_PCM_WAV_is_400_and_never_transcribed()
    {
        var (app, openAi) = await WithSpeechToTextAsync();
        await using (openAi)
        await using (app)
        {
            var (admin, flowId, sessionId, _) = await StartSessionAsync(app);
            byte[][] invalid =
            [
                "{\"text\":\"Hallo\"}"u8.ToArray(),                 // not RIFF
                Wav(16_000, 1, bits: 8),                              // 8-bit PCM
                Wav(16_000, 1)[..40],                                 // no data chunk
                Wav(4_000, 1),                                        // below the telephone rate
            ];
            foreach (var body in invalid)
            {
                var title = await ProblemTitleAsync(await SpeakAsync(admin, flowId, sessionId, Audio(body)), HttpStatusCode.BadRequest);
                Assert.Equal("Die Aufnahme ist keine gültige WAV-Datei (16-bit PCM, mono oder stereo, mindestens 8 kHz).", title);
            }

            var json = await ProblemTitleAsync(await SpeakAsync(admin, flowId, sessionId, Audio(Wav(16_000, 1), "application/json")),
                HttpStatusCode.UnsupportedMediaType);
            Assert.Contains("audio/wav", json);
            Assert.Empty(openAi.Transcriptions);
        }
    }

    [Fact]
    public async Task Speech_is_tenant_scoped_and_refused_after_the_conversation_ended()
    {
        var (app, openAi) = await WithSpeechToTextAsync();
        await using (openAi)
        await using (app)
        {
            var (adminA, flowA, sessionA, _) = await StartSessionAsync(app, "chef@a.de", "A GmbH");
            var (adminB, _, _, _) = await StartSessionAsync(app, "chef@b.de", "B GmbH");

            Assert.Equal(HttpStatusCode.NotFound, (await SpeakAsync(adminB, flowA, sessionA, Audio(Wav(16_000, 1)))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await SpeakAsync(adminA, flowA, Guid.NewGuid(), Audio(Wav(16_000, 1)))).StatusCode);
            Assert.Empty(openAi.Transcriptions);

            openAi.EnqueueTranscripts("Nein danke, tschüss");
            var bye = await Json(await SpeakAsync(adminA, flowA, sessionA, Audio(Wav(16_000, 1))));
            Assert.Equal("completed", bye.GetProperty("status").GetString());
            var ended = await ProblemTitleAsync(await SpeakAsync(adminA, flowA, sessionA, Audio(Wav(16_000, 1))), HttpStatusCode.Conflict);
            Assert.Equal("Dieses Gespräch ist beendet. Starten Sie eine neue Simulation.", ended);
            Assert.Single(openAi.Transcriptions);
        }
    }

    /// <summary>A body without a declared length, as a chunked upload arrives.</summary>
    private sealed class UnsizedContent : HttpContent
    {
        private readonly byte[] body;

        public UnsizedContent(byte[] body)
        {
            this.body = body;
            Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void SerializeToStream(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken) =>
            stream.Write(body);
    }
}
