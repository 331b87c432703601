using Microsoft.Extensions.Logging.Abstractions;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Speech;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Platform.Tests.Speech;

public sealed class SpeechEnginesTests : IAsyncLifetime
{
    private const string ApiKey = "sk-proj-" + "T3stOnlyEngQx7vLm2NpR8sWz";

    private FakeOpenAiServer fake = null!;

    public async Task InitializeAsync() => fake = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync() => await fake.DisposeAsync();

    [Fact]
    public async Task Without_a_key_there_is_no_recognition_and_espeak_speaks()
    {
        var (stt, tts) = SpeechEngines.Select(new OpenAiOptions { Endpoint = fake.Endpoint }, new TextToSpeechCache(), NullLoggerFactory.Instance, TimeProvider.System);

        Assert.Null(stt);
        Assert.IsType<CachingTextToSpeech>(tts);
        Assert.NotEmpty(await tts.SynthesizeMuLawAsync("Guten Tag.", null, default));
        Assert.Empty(fake.Requests);
    }

    [Fact]
    public async Task With_a_key_openai_recognizes_and_speaks()
    {
        fake.EnqueueTranscripts("Hallo.");
        var (stt, tts) = SpeechEngines.Select(Options(), new TextToSpeechCache(), NullLoggerFactory.Instance, TimeProvider.System);

        Assert.IsType<OpenAiSpeechToText>(stt);
        Assert.Equal("Hallo.", await stt.TranscribeAsync(new short[800], default));
        Assert.NotEmpty(await tts.SynthesizeMuLawAsync("Guten Tag.", null, default));
        Assert.Equal("Guten Tag.", Assert.Single(fake.SpeechRequests).Input);
    }

    [Fact]
    public async Task Engines_selected_per_call_share_the_process_cache()
    {
        var cache = new TextToSpeechCache();

        for (var call = 0; call < 3; call++)
        {
            var (_, tts) = SpeechEngines.Select(Options(), cache, NullLoggerFactory.Instance, TimeProvider.System);
            await tts.SynthesizeMuLawAsync("Praxis Dr. Berg, guten Tag!", null, default);
        }

        Assert.Single(fake.SpeechRequests);
    }

    private OpenAiOptions Options() => new() { ApiKey = ApiKey, Endpoint = fake.Endpoint };
}
