using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using VoiceAgent.CallFlows;
using VoiceAgent.Platform.Data;
using VoiceAgent.Platform.Tenancy;
using VoiceAgent.Testing;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Web.Tests.Designer;

/// <summary>
/// The spoken answer as the designer's Blazor console takes it: <see cref="SimulationSpeech"/> called through DI in the
/// tenant's scope (as PortalData runs it) with the WAV bytes the browser recorded — the same checks and turn as the API.
/// </summary>
public sealed class ConsoleSpeechTests : IntegrationTest
{
    private const string OpenAiKey = SimulationSpeechTests.OpenAiKey;

    public ConsoleSpeechTests()
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
    }

    private Task<(VoiceAgentFactory App, FakeOpenAiServer OpenAi)> WithSpeechToTextAsync() =>
        SimulationSpeechTests.WithSpeechToTextAsync(Database);

    /// <summary>Runs <paramref name="work"/> in a fresh DI scope in the tenant's row-level-security scope.</summary>
    private static async Task<T> AsTenantAsync<T>(VoiceAgentFactory app, Guid tenantId, Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoiceAgentDb>();
        return await db.InScopeAsync(s => s.UseTenant(tenantId), () => work(scope.ServiceProvider));
    }

    private static async Task<(Guid TenantId, Guid FlowId, SimulationService.TurnResult Start)> StartAsync(VoiceAgentFactory app,
        string email = "chef@praxis.de", string company = "Praxis Dr. Weber")
    {
        var (tenantId, _) = await app.ApprovedTenantAsync(email, company);
        var flowId = await app.SeedSampleFlowAsync(tenantId);
        var start = await AsTenantAsync(app, tenantId,
            sp => sp.GetRequiredService<SimulationService>().StartAsync(tenantId, flowId, null, "+491701234567"));
        Assert.Equal(OutcomeKind.Ok, start.Kind);
        return (tenantId, flowId, start.Value!);
    }

    private static Task<SpeechOutcome> SpeakAsync(VoiceAgentFactory app, Guid tenantId, Guid flowId, Guid sessionId, byte[] wav) =>
        AsTenantAsync(app, tenantId, sp => sp.GetRequiredService<SimulationSpeech>().TakeAsync(tenantId, flowId, sessionId, wav));

    [Fact]
    public async Task A_recording_is_transcribed_and_taken_as_a_turn_and_silence_takes_none()
    {
        var (app, openAi) = await WithSpeechToTextAsync();
        await using (openAi)
        await using (app)
        {
            var (tenantId, flowId, start) = await StartAsync(app);

            openAi.EnqueueTranscripts("  Ich möchte gerne einen Termin vereinbaren ");
            var spoken = await SpeakAsync(app, tenantId, flowId, start.SessionId, SimulationSpeechTests.Wav(48_000, 1.5, channels: 2));

            Assert.Null(spoken.Refusal);
            Assert.Equal(OutcomeKind.Ok, spoken.Turn!.Kind);
            var offer = spoken.Turn.Value!;
            Assert.Equal("Ich möchte gerne einen Termin vereinbaren", offer.Heard);
            Assert.Null(offer.Hint);
            Assert.Equal("suspended", offer.Status);
            Assert.StartsWith("Der nächste freie Termin wäre am ", Assert.Single(offer.Lines));
            Assert.NotEmpty(offer.Visited);
            var upload = Assert.Single(openAi.Transcriptions);
            Assert.Equal((1, 8000), (upload.Wav!.Channels, upload.Wav.SampleRate));

            openAi.EnqueueTranscripts("");
            var silence = await SpeakAsync(app, tenantId, flowId, start.SessionId, SimulationSpeechTests.Wav(16_000, 0.5));
            var nothing = silence.Turn!.Value!;
            Assert.Equal("", nothing.Heard);
            Assert.Equal("Es wurde nichts verstanden. Sprechen Sie bitte etwas lauter und deutlicher und versuchen Sie es noch einmal.", nothing.Hint);
            Assert.Empty(nothing.Lines);
            Assert.Empty(nothing.Visited);
            Assert.Equal(offer.CurrentNodeId, nothing.CurrentNodeId);

            // The silent answer changed nothing: the next one books the offered slot.
            openAi.EnqueueTranscripts("Ja, das passt");
            var booked = (await SpeakAsync(app, tenantId, flowId, start.SessionId, SimulationSpeechTests.Wav(8_000, 1))).Turn!.Value!;
            Assert.Contains("ist eingetragen", booked.Lines[0]);
            Assert.Equal(1, await CountAsync("SELECT count(*) FROM sandbox_events WHERE caller_number = '+491701234567' AND status = 'confirmed'"));
        }
    }

    [Fact]
    public async Task Bad_audio_is_refused_in_German_before_any_transcription()
    {
        var (app, openAi) = await WithSpeechToTextAsync();
        await using (openAi)
        await using (app)
        {
            var (tenantId, flowId, start) = await StartAsync(app);
            const string invalid = "Die Aufnahme ist keine gültige WAV-Datei (16-bit PCM, mono oder stereo, mindestens 8 kHz).";
            const string tooLong = "Die Aufnahme ist zu lang: höchstens 30 Sekunden und 1 MB.";

            foreach (var body in new[] { "{\"text\":\"Hallo\"}"u8.ToArray(), SimulationSpeechTests.Wav(16_000, 1, bits: 8), SimulationSpeechTests.Wav(16_000, 1)[..40], SimulationSpeechTests.Wav(4_000, 1) })
            {
                var refused = await SpeakAsync(app, tenantId, flowId, start.SessionId, body);
                Assert.Equal((SpeechRefusal.InvalidAudio, invalid), (refused.Refusal, refused.Message));
                Assert.Null(refused.Turn);
            }

            var tooBig = await SpeakAsync(app, tenantId, flowId, start.SessionId, SimulationSpeechTests.Wav(16_000, 35));
            Assert.Equal((SpeechRefusal.TooLarge, tooLong), (tooBig.Refusal, tooBig.Message));
            var overThirtySeconds = await SpeakAsync(app, tenantId, flowId, start.SessionId, SimulationSpeechTests.Wav(8_000, 40));
            Assert.Equal((SpeechRefusal.TooLarge, tooLong), (overThirtySeconds.Refusal, overThirtySeconds.Message));

            Assert.Empty(openAi.Transcriptions);
            Assert.Equal(1, await CountAsync($"SELECT count(*) FROM flow_sessions WHERE id = '{start.SessionId}' AND status = 'suspended'"));
        }
    }

    [Fact]
    public async Task Another_tenants_or_an_unknown_session_is_not_found_and_an_ended_one_is_a_conflict()
    {
        var (app, openAi) = await WithSpeechToTextAsync();
        await using (openAi)
        await using (app)
        {
            var (tenantA, flowA, startA) = await StartAsync(app, "chef@a.de", "A GmbH");
            var (tenantB, _, _) = await StartAsync(app, "chef@b.de", "B GmbH");

            Assert.Equal(OutcomeKind.NotFound, (await SpeakAsync(app, tenantB, flowA, startA.SessionId, SimulationSpeechTests.Wav(16_000, 1))).Turn!.Kind);
            Assert.Equal(OutcomeKind.NotFound, (await SpeakAsync(app, tenantA, flowA, Guid.NewGuid(), SimulationSpeechTests.Wav(16_000, 1))).Turn!.Kind);
            Assert.Empty(openAi.Transcriptions);

            openAi.EnqueueTranscripts("Nein danke, tschüss");
            Assert.Equal("completed", (await SpeakAsync(app, tenantA, flowA, startA.SessionId, SimulationSpeechTests.Wav(16_000, 1))).Turn!.Value!.Status);
            var ended = await SpeakAsync(app, tenantA, flowA, startA.SessionId, SimulationSpeechTests.Wav(16_000, 1));
            Assert.Equal(OutcomeKind.Conflict, ended.Turn!.Kind);
            Assert.Equal("Dieses Gespräch ist beendet. Starten Sie eine neue Simulation.", ended.Turn.Message);
            Assert.Single(openAi.Transcriptions);
        }
    }

    [Fact]
    public async Task Without_speech_to_text_a_recording_is_refused_and_the_session_waits()
    {
        var (tenantId, flowId, start) = await StartAsync(App);

        var refused = await SpeakAsync(App, tenantId, flowId, start.SessionId, SimulationSpeechTests.Wav(16_000, 1));

        Assert.Equal(SpeechRefusal.NoSpeechToText, refused.Refusal);
        Assert.Contains("keine Spracherkennung eingerichtet", refused.Message);
        Assert.False(await AsTenantAsync(App, tenantId, async sp => await sp.GetRequiredService<SimulationSpeech>().RecognitionAsync(tenantId) is not null));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM flow_sessions WHERE id = '{start.SessionId}' AND status = 'suspended'"));
    }
}
