using Microsoft.Extensions.Time.Testing;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Speech;
using VoiceAgent.Platform.Audio;
using VoiceAgent.Telephony.Audio;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Platform.Tests.Speech;

public sealed class OpenAiTextToSpeechTests : IAsyncLifetime
{
    private const string ApiKey = "sk-proj-" + "T3stOnlyTtsQx7vLm2NpR8sWz";
    private const string Text = "Guten Tag, hier ist die Praxis Dr. Berg. Was kann ich für Sie tun?";

    private readonly CapturingLogger<OpenAiTextToSpeech> logger = new();
    private FakeOpenAiServer fake = null!;

    public async Task InitializeAsync() => fake = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync() => await fake.DisposeAsync();

    [Fact]
    public async Task Pcm_at_24khz_becomes_mulaw_at_8khz_of_the_same_duration()
    {
        var mulaw = await Tts().SynthesizeMuLawAsync(Text, null, default);

        var expected = Text.Length * FakeOpenAiServer.SpeechSamplesPerCharacter * 8000 / FakeOpenAiServer.SpeechSampleRate;
        Assert.InRange(mulaw.Length, expected * 0.95, expected * 1.05);
        var pcm = MuLaw.Decode(mulaw);
        Assert.True(EspeakTextToSpeechTests.Rms(pcm) > 3000);
        // The 440 Hz tone must still be 440 Hz: 880 zero crossings per second.
        var crossings = Enumerable.Range(1, pcm.Length - 1).Count(i => (pcm[i - 1] < 0) != (pcm[i] < 0));
        Assert.InRange(crossings / (pcm.Length / 8000.0), 860, 900);
    }

    [Fact]
    public async Task Request_asks_for_pcm_with_the_configured_model_and_voice()
    {
        await Tts().SynthesizeMuLawAsync(Text, null, default);

        var request = Assert.Single(fake.SpeechRequests);
        Assert.Equal(("Bearer " + ApiKey, "gpt-4o-mini-tts", Text, "alloy", "pcm"),
            (request.Authorization, request.Model, request.Input, request.Voice, request.ResponseFormat));
        Assert.Equal("/v1/audio/speech", Assert.Single(fake.Requests).Path);
    }

    [Theory]
    [InlineData("nova", "nova")]
    [InlineData("de+f3", "alloy")]
    [InlineData("NOVA", "alloy")]
    public async Task An_openai_voice_is_passed_on_and_anything_else_means_the_configured_one(string voice, string sent)
    {
        await Tts().SynthesizeMuLawAsync(Text, voice, default);

        Assert.Equal(sent, Assert.Single(fake.SpeechRequests).Voice);
    }

    [Fact]
    public async Task Rate_limit_with_a_short_retry_after_is_retried_once()
    {
        fake.EnqueueSpeech(new FakeSpeechReply.RateLimited(TimeSpan.FromMilliseconds(100)), new FakeSpeechReply.Tone());

        Assert.NotEmpty(await Tts().SynthesizeMuLawAsync(Text, null, default));
        Assert.Equal(2, fake.SpeechRequests.Count);
        Assert.Contains(logger.Entries, e => e.Message.Contains("retrying once after 100 ms"));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Server_error_is_a_port_exception(int status)
    {
        fake.EnqueueSpeech(new FakeSpeechReply.Error(status));

        var error = await Assert.ThrowsAsync<PortException>(async () => await Tts().SynthesizeMuLawAsync(Text, null, default));

        Assert.Contains(status.ToString(), error.Message);
        Assert.DoesNotContain(ApiKey[^12..], error.ToString());
        Assert.Single(fake.SpeechRequests);
    }

    [Fact]
    public async Task Hanging_response_is_a_port_exception_when_the_budget_is_spent_and_not_before()
    {
        var budget = TimeSpan.FromSeconds(10);
        var time = new FakeTimeProvider();
        fake.EnqueueSpeech(new FakeSpeechReply.Hang(Timeout.InfiniteTimeSpan));

        var synthesizing = Tts(budget, time).SynthesizeMuLawAsync(Text, null, default).AsTask();
        await fake.HangingAsync().WaitAsync(Guard);
        time.Advance(budget - TimeSpan.FromMilliseconds(1));
        Assert.False(synthesizing.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        var error = await Assert.ThrowsAsync<PortException>(() => synthesizing.WaitAsync(Guard));

        Assert.Contains("10000 ms", error.Message);
        Assert.Single(fake.SpeechRequests);
    }

    [Theory]
    [InlineData("<html><body>502 Bad Gateway</body></html>", "text/html")]
    [InlineData("{\"error\":{\"message\":\"upstream\"}}", "application/json")]
    public async Task A_body_that_is_not_audio_is_a_port_exception_not_noise(string body, string contentType)
    {
        fake.EnqueueSpeech(new FakeSpeechReply.Garbage(body, contentType));

        await Assert.ThrowsAsync<PortException>(async () => await Tts().SynthesizeMuLawAsync(Text, null, default));
    }

    [Fact]
    public async Task Too_long_text_is_refused_before_sending()
    {
        await Assert.ThrowsAsync<PortException>(async () => await Tts().SynthesizeMuLawAsync(new string('a', 4097), null, default));
        Assert.Empty(fake.Requests);
    }

    [Fact]
    public async Task Empty_text_gives_empty_audio_without_a_request()
    {
        Assert.Empty(await Tts().SynthesizeMuLawAsync(" ", null, default));
        Assert.Empty(fake.Requests);
    }

    /// <summary>Only keeps a broken test from hanging the run; nothing is measured.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(1);

    private OpenAiTextToSpeech Tts(TimeSpan? timeout = null, TimeProvider? time = null) => new(
        new OpenAiOptions { ApiKey = ApiKey, Endpoint = fake.Endpoint, Timeout = timeout ?? TimeSpan.FromSeconds(4) },
        logger,
        time ?? TimeProvider.System);
}
