using VoiceAgent.Flows.Runtime;
using VoiceAgent.Platform.Speech;
using VoiceAgent.Telephony.Speech;
using VoiceAgent.Testing.Fakes;

namespace VoiceAgent.Web.Tests;

/// <summary>The OpenAI streaming recognition engine against the fake Realtime transcription session: what it sends, how
/// commits find their transcripts, and how it fails.</summary>
public sealed class OpenAiStreamingSpeechToTextTests
{
    private const string ApiKey = "sk-test-streaming-0000000000000000000000";

    [Fact]
    public async Task Commits_in_flight_get_their_own_transcripts_and_the_session_is_the_ga_transcription_shape()
    {
        await using var openAi = await FakeOpenAiServer.StartAsync();
        openAi.Transcription.EnqueueTranscripts("Am Dienstag um", "zehn Uhr.");
        await using var stream = await Engine(openAi).OpenAsync(CancellationToken.None);

        // The second commit goes out before the first is answered: each finds its transcript by its item id.
        stream.Append(Audio(0x11, 1600));
        var first = stream.CommitAsync(CancellationToken.None);
        stream.Append(Audio(0x22, 960));
        var second = stream.CommitAsync(CancellationToken.None);

        Assert.Equal("zehn Uhr.", await second);
        Assert.Equal("Am Dienstag um", await first);
        Assert.Equal([1600, 960], openAi.Transcription.Commits.Select(c => c.Audio.Length));
        var input = openAi.Transcription.Session!["audio"]!["input"]!;
        Assert.Equal("audio/pcmu", (string?)input["format"]!["type"]);
        Assert.Equal("de", (string?)input["transcription"]!["language"]);
        Assert.Contains(openAi.Transcription.Received, e => (string?)e["type"] == "input_audio_buffer.append");
    }

    [Fact]
    public async Task A_commit_of_almost_nothing_is_not_sent_and_a_cleared_buffer_is_not_transcribed()
    {
        await using var openAi = await FakeOpenAiServer.StartAsync();
        openAi.Transcription.EnqueueTranscripts("Ja.");
        await using var stream = await Engine(openAi).OpenAsync(CancellationToken.None);

        stream.Append(Audio(0x33, 160));
        Assert.Null(await stream.CommitAsync(CancellationToken.None));
        stream.Append(Audio(0x44, 1600));
        stream.Clear();
        stream.Append(Audio(0x55, 1600));
        Assert.Equal("Ja.", await stream.CommitAsync(CancellationToken.None));

        var commit = Assert.Single(openAi.Transcription.Commits);
        Assert.Equal(Audio(0x55, 1600), commit.Audio);
    }

    [Fact]
    public async Task A_failed_transcription_fails_its_commit_and_every_later_one()
    {
        await using var openAi = await FakeOpenAiServer.StartAsync();
        openAi.Transcription.Enqueue(new FakeCommitReply.Failed());
        await using var stream = await Engine(openAi).OpenAsync(CancellationToken.None);

        stream.Append(Audio(0x11, 1600));
        var failed = await Assert.ThrowsAsync<PortException>(() => stream.CommitAsync(CancellationToken.None));
        Assert.Contains("transcription_failed", failed.Message, StringComparison.Ordinal);
        stream.Append(Audio(0x11, 1600));
        await Assert.ThrowsAsync<PortException>(() => stream.CommitAsync(CancellationToken.None));
        Assert.Single(openAi.Transcription.Commits);
    }

    [Fact]
    public async Task A_refused_session_cannot_be_opened_and_the_key_is_not_in_the_reason()
    {
        await using var openAi = await FakeOpenAiServer.StartAsync();
        openAi.Transcription.RejectStatus = 429;

        var refused = await Assert.ThrowsAsync<PortException>(async () => await Engine(openAi).OpenAsync(CancellationToken.None));

        Assert.Contains("429", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gpt-4o-mini-transcribe", true)]
    [InlineData("gpt-4o-transcribe", true)]
    [InlineData("whisper-1", false)]
    public void Only_the_gpt_4o_transcribe_models_stream(string model, bool streams)
    {
        Assert.Equal(streams, OpenAiStreamingSpeechToText.Streams(model));
        var options = new OpenAiOptions { ApiKey = ApiKey, TranscriptionModel = model };
        Assert.Equal(streams, SpeechEngines.Streaming(options, TimeProvider.System) is not null);
        Assert.Null(SpeechEngines.Streaming(options with { StreamingTranscription = false }, TimeProvider.System));
    }

    private static OpenAiStreamingSpeechToText Engine(FakeOpenAiServer openAi) =>
        new(new OpenAiOptions { ApiKey = ApiKey, Endpoint = openAi.Endpoint }, TimeProvider.System);

    private static byte[] Audio(byte value, int bytes) => Enumerable.Repeat(value, bytes).ToArray();
}
